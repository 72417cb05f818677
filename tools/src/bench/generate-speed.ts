/**
 * Generation speed: writes about 1M log entries into a temporary folder and
 * prints entries/s and MB/s (uncompressed JSON), then removes the folder.
 *
 *   npx tsx tools/src/bench/generate-speed.ts [--entries 1000000] [--dir /dev/shm] [--gzip-level 6]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateBucket } from "../generate/index";

/** Average entries a chat session yields (with its noise files), measured on the generator's defaults. */
const ENTRIES_PER_SESSION = 78;

const { values } = parseArgs({
  options: {
    entries: { type: "string", default: "1000000" },
    dir: { type: "string" },
    "gzip-level": { type: "string", default: "6" },
  },
});
const target = Number(values.entries);
const days = 30;
const sessionsPerDay = Math.max(1, Math.round(target / ENTRIES_PER_SESSION / days));
const base = await mkdtemp(join(values.dir ?? tmpdir(), "generate-speed-"));
const outDir = join(base, "bucket");
try {
  const started = performance.now();
  const truth = await generateBucket({
    outDir,
    seed: 1,
    days,
    sessionsPerDay,
    truthPath: null,
    gzipLevel: Number(values["gzip-level"]),
  });
  const seconds = (performance.now() - started) / 1000;
  const mb = truth.files.bytesRaw / 1e6;
  console.log(
    `${truth.entries.total} entries, ${truth.files.total} files, ${mb.toFixed(0)} MB JSON -> ${(truth.files.bytesGzipped / 1e6).toFixed(0)} MB gzip ` +
      `in ${seconds.toFixed(2)} s: ${Math.round(truth.entries.total / seconds)} entries/s, ${(mb / seconds).toFixed(1)} MB/s (into ${base})`,
  );
} finally {
  await rm(base, { recursive: true, force: true });
}
