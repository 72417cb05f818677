import type { Dirent } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { keyTimeFromKey } from "@log-insights/logs";
import { checkFilter, judgeKey } from "./filter";
import { SourceError, type ListFilter, type ListStats, type OpenOptions, type Source, type SourceObject } from "./types";

/** Read size for local files: large reads mean fewer elements split across chunks. */
const READ_CHUNK_BYTES = 256 * 1024;

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** A local folder (a copy of the bucket, the generator's output): every file at any depth. */
export class FolderSource implements Source {
  readonly kind = "folder" as const;
  readonly id: string;
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.id = pathToFileURL(this.root).href.replace(/\/+$/, "");
  }

  async *list(filter: ListFilter = {}, stats?: ListStats): AsyncGenerator<SourceObject> {
    checkFilter(filter);
    try {
      const s = await stat(this.root);
      if (!s.isDirectory()) throw new SourceError("not-found", `not a folder: ${this.root}`);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      if (errnoCode(err) === "ENOENT") throw new SourceError("not-found", `folder not found: ${this.root}`, { cause: err });
      if (errnoCode(err) === "EACCES") throw new SourceError("access-denied", `cannot read folder ${this.root}`, { cause: err });
      throw err;
    }
    yield* this.walk("", filter.prefix ?? "", filter, stats);
  }

  /** Depth-first, names sorted in each folder; folders that cannot hold the prefix are not entered. */
  private async *walk(dir: string, prefix: string, filter: ListFilter, stats?: ListStats): AsyncGenerator<SourceObject> {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(this.root, dir), { withFileTypes: true });
    } catch (err) {
      // A folder removed while listing is simply gone.
      if (errnoCode(err) === "ENOENT") return;
      throw err;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        const asDir = `${rel}/`;
        if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) yield* this.walk(rel, prefix, filter, stats);
        continue;
      }
      if (!rel.startsWith(prefix)) continue;
      // Regular files, and symbolic links to files (links to folders are not followed: no cycles).
      let size: number;
      let mtimeMs: number;
      try {
        const s = await stat(path.join(this.root, rel));
        if (!s.isFile()) continue;
        size = s.size;
        mtimeMs = s.mtimeMs;
      } catch (err) {
        if (errnoCode(err) === "ENOENT") continue; // removed meanwhile
        throw err;
      }
      const keyTimeMs = keyTimeFromKey(rel);
      const verdict = judgeKey(rel, keyTimeMs, filter, stats);
      if (verdict === "out-of-range") continue;
      yield {
        key: rel,
        etag: `${size}-${mtimeMs}`,
        size,
        keyTimeMs,
        lastModifiedMs: Math.trunc(mtimeMs),
        kind: verdict === "listed" ? "log" : "unsupported",
      };
    }
  }

  /** The absolute path of a key; keys that would leave the folder are refused. */
  pathOf(key: string): string {
    const parts = key.split("/");
    if (key === "" || key.startsWith("/") || key.includes("\\") || key.includes("\0") || parts.some((p) => p === ".." || p === "." || p === "")) {
      throw new SourceError("not-found", `invalid key for folder ${this.root}: ${JSON.stringify(key)}`);
    }
    return path.join(this.root, ...parts);
  }

  async open(key: string, options: OpenOptions = {}): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      const handle = await open(file, "r");
      const s = await handle.stat();
      if (!s.isFile()) {
        await handle.close();
        throw new SourceError("not-found", `not a file: ${key} in ${this.root}`);
      }
      if (options.etag !== undefined && options.etag !== `${s.size}-${s.mtimeMs}`) {
        await handle.close();
        throw new SourceError("changed", `${key} in ${this.root} was replaced since it was listed`);
      }
      // The handle is closed when the stream ends or is destroyed.
      return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    } catch (err) {
      if (err instanceof SourceError) throw err;
      const code = errnoCode(err);
      if (code === "ENOENT") throw new SourceError("not-found", `file not found: ${key} in ${this.root}`, { cause: err });
      if (code === "EACCES") throw new SourceError("access-denied", `cannot read ${file}`, { cause: err });
      throw err;
    }
  }
}
