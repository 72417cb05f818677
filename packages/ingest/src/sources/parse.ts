import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { FolderSource } from "./folder";
import { S3Source, normalizePrefix } from "./s3";
import { SourceError, type Source } from "./types";

/**
 * Settings for parseSource: explicit options, or the project's Env (from
 * loadEnv) passed as is; explicit options win.
 */
export interface SourceSettings {
  region?: string;
  endpoint?: string;
  credentials?: S3ClientConfig["credentials"];
  AWS_REGION?: string;
  AWS_ENDPOINT_URL?: string;
  /** Base of a relative folder path. Default: the process's working directory. */
  cwd?: string;
}

const USAGE = "use s3://bucket[/prefix], a folder path, or a file:// URL of a folder";

// S3 bucket naming rules (3-63 characters: lower-case letters, digits, dots, hyphens; letter or digit at both ends).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A source from its spec: `s3://bucket[/prefix]` (S3, or an S3-compatible
 * server when an endpoint is set), or a folder given as a path (relative to
 * `cwd`, or absolute) or a `file://` URL. Throws SourceError("bad-spec")
 * for anything else, ("not-found") for a folder that does not exist.
 */
export function parseSource(spec: string, settings: SourceSettings = {}): Source {
  const s = spec.trim();
  if (s === "") throw new SourceError("bad-spec", `empty source: ${USAGE}`);

  if (/^s3:/i.test(s)) {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(s);
    if (!m) throw new SourceError("bad-spec", `invalid S3 source "${spec}": ${USAGE}`);
    const bucket = m[1] ?? "";
    if (!BUCKET.test(bucket) || bucket.includes("..")) {
      throw new SourceError(
        "bad-spec",
        `invalid S3 source "${spec}": "${bucket}" is not a valid bucket name (3-63 characters: a-z, 0-9, '.', '-')`,
      );
    }
    const endpoint = settings.endpoint ?? settings.AWS_ENDPOINT_URL;
    if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) {
      throw new SourceError("bad-spec", `invalid S3 endpoint "${endpoint}": expected http(s)://host[:port]`);
    }
    return new S3Source({
      bucket,
      prefix: normalizePrefix(m[2]),
      region: settings.region ?? settings.AWS_REGION,
      endpoint,
      credentials: settings.credentials,
    });
  }

  let folder: string;
  if (/^file:/i.test(s)) {
    try {
      folder = fileURLToPath(s);
    } catch (err) {
      throw new SourceError("bad-spec", `invalid file URL "${spec}": ${(err as Error).message}`, { cause: err });
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    throw new SourceError("bad-spec", `unsupported source "${spec}": ${USAGE}`);
  } else {
    folder = path.resolve(settings.cwd ?? process.cwd(), s);
  }

  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch (err) {
    throw new SourceError("not-found", `folder not found: ${folder} (from source "${spec}")`, { cause: err });
  }
  if (!isDir) throw new SourceError("bad-spec", `not a folder: ${folder} (from source "${spec}"): ${USAGE}`);
  return new FolderSource(folder);
}
