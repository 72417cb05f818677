import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

type Entry = Record<string, unknown>;

const requestIdOf = (e: Entry): string => JSON.stringify((e as { req?: { id?: unknown } }).req?.id);

/**
 * Edits the first chat session of the newest generated file that has one (a
 * session reuses its request id, so all of its questions), to plant hostile
 * text where the dashboard will show it. `edit` gets the file's entries, the
 * session's start and a test for "belongs to the session".
 */
export async function editFirstSession(dir: string, edit: (entries: Entry[], start: Entry, inSession: (e: Entry) => boolean) => void): Promise<void> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else if (e.name.endsWith(".json.gz")) files.push(path.join(d, e.name));
    }
  };
  await walk(dir);
  for (const file of files.sort().reverse()) {
    const entries = JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as Entry[];
    const start = entries.find((e) => e.message === "Processing deal bot query");
    if (!start) continue;
    const req = requestIdOf(start);
    edit(entries, start, (e) => requestIdOf(e) === req);
    await writeFile(file, gzipSync(JSON.stringify(entries)));
    return;
  }
  throw new Error("no chat session to plant into");
}
