/**
 * Sample-data generator: writes a folder laid out like the deal bot's log
 * bucket (gzipped JSON arrays of pino entries in the production format) and
 * returns, and writes next to the folder, the ground truth of what it planted.
 *
 *   const truth = await generateBucket({ outDir: "/tmp/bucket", seed: 42, days: 7, sessionsPerDay: 100 });
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { mergeByTime, serializeFile, type Element, type Entry } from "./entries";
import { plantInvalid } from "./faults";
import { adminInvalidation, noiseBetween } from "./noise";
import { Rng } from "./prng";
import { QUIRK_RATES } from "./quirks";
import { dayWindows, sampleTime } from "./schedule";
import { buildSession, type BuiltSession, type SessionSpec } from "./session";
import { TruthBuilder, type FileCategory, type Truth } from "./truth";
import { BucketWriter, objectKey } from "./writer";
import { World, type Proc } from "./world";

export type { Truth, LatencyStats } from "./truth";
export type { QuestionRecord, QuestionOutcome } from "./session";
export type { Secret, SecretKind } from "./world";
export type { PlantedPersonalData, PersonalDataKind } from "./personal";
export type { InvalidKind } from "./faults";
export { INTENTS, FUNDS, type Intent } from "./catalogue";
export { objectKey } from "./writer";

export interface GenerateOptions {
  /** Folder to write into; created if missing, must be empty unless `overwrite`. */
  outDir: string;
  /** Default 42. */
  seed?: number | string;
  /** Number of 24-hour windows, the last ending at `end`. Default 7. */
  days?: number;
  /** Chat sessions started per day window. Default 100. */
  sessionsPerDay?: number;
  /** End of the generated period. Default 2025-05-03T00:00:00.000Z (fixed, for determinism). */
  end?: Date;
  faults?: {
    /** Per valid entry, the probability of planting one element the log model must reject. Default 0. */
    invalidRecords?: number;
  };
  /** Where to write the truth JSON; default `<outDir>.truth.json` (beside the folder, not in it); null: don't write. */
  truthPath?: string | null;
  /** Remove a previous generated bucket in `outDir` first (only if it holds nothing but YYYY folders). */
  overwrite?: boolean;
  /** zlib level, 1-9. Default 6. */
  gzipLevel?: number;
  /** Files gzipped/written concurrently. Default 8. */
  concurrency?: number;
  /** Share of questions into which the user types personal data (email, phone, IBAN, card, NI number). Default 0.015. */
  personalData?: number;
}

export const DEFAULT_END = new Date("2025-05-03T00:00:00.000Z");

/** Share of generated questions into which the user types personal data. */
export const DEFAULT_PERSONAL_DATA_RATE = 0.015;

/** Shares of structure choices (per day, per file group, per session). */
export const LAYOUT_RATES = {
  interleavedPair: 0.08,
  unfinishedSession: 0.09,
  splitSession: 0.025,
  noiseOnlyFilesPerSession: 0.12,
  adminFilesPerSession: 0.02,
} as const;

/** Last time a session may start on the last day, and the margin kept before `end`. */
const LAST_START_MS = 20 * 60_000;
const END_MARGIN_MS = 3_000;

export async function prepareOutDir(outDir: string, overwrite: boolean): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (names.length === 0) return;
  if (!overwrite) throw new Error(`output folder ${outDir} is not empty (use overwrite / --force to replace a generated bucket)`);
  const foreign = names.filter((n) => !/^\d{4}$/.test(n));
  if (foreign.length > 0) {
    throw new Error(`refusing to clear ${outDir}: it holds more than generated YYYY folders (${foreign.slice(0, 3).join(", ")})`);
  }
  for (const n of names) await rm(resolve(outDir, n), { recursive: true, force: true });
}

export function defaultTruthPath(outDir: string): string {
  return `${resolve(outDir).replace(/[\\/]+$/, "")}.truth.json`;
}

export async function generateBucket(options: GenerateOptions): Promise<Truth> {
  const outDir = resolve(options.outDir);
  const seed = options.seed ?? 42;
  const days = options.days ?? 7;
  const sessionsPerDay = options.sessionsPerDay ?? 100;
  const end = (options.end ?? DEFAULT_END).getTime();
  const invalidRate = options.faults?.invalidRecords ?? 0;
  const gzipLevel = options.gzipLevel ?? 6;
  const concurrency = options.concurrency ?? 8;
  const personalData = options.personalData ?? DEFAULT_PERSONAL_DATA_RATE;
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  if (!Number.isInteger(sessionsPerDay) || sessionsPerDay < 0) throw new Error(`sessionsPerDay must be a non-negative integer, got ${sessionsPerDay}`);
  if (!Number.isFinite(end)) throw new Error("end must be a valid date");
  if (!(invalidRate >= 0 && invalidRate <= 1)) throw new Error(`faults.invalidRecords must be a rate in [0, 1], got ${invalidRate}`);
  if (!(personalData >= 0 && personalData <= 1)) throw new Error(`personalData must be a rate in [0, 1], got ${personalData}`);

  await prepareOutDir(outDir, options.overwrite ?? false);
  const world = new World(seed, days * sessionsPerDay);
  const writer = new BucketWriter(outDir, gzipLevel, concurrency);
  const truth = new TruthBuilder();
  const keys = new Set<string>();

  const emitFile = async (elements: Element[], r: Rng, category: FileCategory, faultStream: Array<string | number>, proc: Proc): Promise<void> => {
    const pretty = r.chance(QUIRK_RATES.prettyFiles);
    let maxT = -Infinity;
    for (const e of elements) if (e.t > maxT) maxT = e.t;
    const keyTime = maxT + r.int(100, 2500);
    let key: string;
    do key = objectKey(keyTime, r.uuid());
    while (keys.has(key));
    keys.add(key);
    const out = invalidRate > 0 ? plantInvalid(elements, new Rng(seed, "faults", ...faultStream), invalidRate, proc) : elements;
    truth.addFile(out, pretty, category);
    await writer.write(key, serializeFile(out, pretty));
  };

  for (const w of dayWindows(end, days)) {
    const dr = new Rng(seed, "day", w.index);
    const latestStart = Math.max(w.from + 1, Math.min(w.to, end - LAST_START_MS));
    const starts: number[] = [];
    for (let i = 0; i < sessionsPerDay; i++) starts.push(sampleTime(dr, w.from, latestStart));
    starts.sort((a, b) => a - b);

    // Group sessions into files: mostly one, sometimes two interleaved.
    const groups: number[][] = [];
    for (let i = 0; i < starts.length; i++) {
      if (i + 1 < starts.length && dr.chance(LAYOUT_RATES.interleavedPair)) {
        starts[i + 1] = Math.min(latestStart, (starts[i] as number) + dr.int(5_000, 90_000));
        groups.push([i, i + 1]);
        i++;
      } else groups.push([i]);
    }

    for (let g = 0; g < groups.length; g++) {
      const members = groups[g] as number[];
      const r = new Rng(seed, "session", w.index, g);
      const proc = r.pick(world.botProcs);
      const botUsers = new Set<number>();
      const reqIds = new Set<number>();
      const built: BuiltSession[] = [];
      for (const m of members) {
        const user = world.pickUser(r, botUsers);
        botUsers.add(user.id);
        let reqId: number;
        do reqId = r.int(1, 9999);
        while (reqIds.has(reqId));
        reqIds.add(reqId);
        const single = members.length === 1;
        const unfinishedLast = single && r.chance(LAYOUT_RATES.unfinishedSession);
        const spec: SessionSpec = {
          start: starts[m] as number,
          deadline: end - END_MARGIN_MS,
          user,
          deal: world.pickDeal(r),
          proc,
          reqId,
          unfinishedLast,
          split: single && !unfinishedLast && r.chance(LAYOUT_RATES.splitSession),
          // Its own stream: planting personal data leaves every other byte of the bucket as it was.
          pii: new Rng(seed, "personal", w.index, g, m),
          personalDataRate: personalData,
        };
        built.push(buildSession(world, r, spec));
      }
      const nonEmpty = built.filter((b) => b.entries.length > 0);
      if (nonEmpty.length === 0) continue;
      truth.sessions += nonEmpty.length;
      for (const b of nonEmpty) truth.questions.push(...b.questions);

      let parts: Entry[][];
      const only = nonEmpty.length === 1 ? (nonEmpty[0] as BuiltSession) : null;
      if (only !== null && only.splitAt !== null) {
        parts = [only.entries.slice(0, only.splitAt), only.entries.slice(only.splitAt)];
        truth.orphanOutcomes++;
        truth.files.splitSessions++;
      } else {
        parts = [only !== null ? only.entries : mergeByTime(nonEmpty.map((b) => b.entries))];
      }
      if (nonEmpty.length > 1) truth.files.interleaved++;
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p] as Entry[];
        const from = (part[0] as Entry).t;
        const to = (part[part.length - 1] as Entry).t;
        const noiseCount = r.weighted([0, 1, 2, 3, 4], [35, 30, 18, 10, 7]);
        const noise = noiseBetween(world, r, from, to, noiseCount, botUsers);
        await emitFile(mergeByTime<Entry>([part, noise]), r, "chat", ["chat", w.index, g, p], proc);
      }
    }

    const noiseFiles = fractional(dr, sessionsPerDay * LAYOUT_RATES.noiseOnlyFilesPerSession);
    for (let j = 0; j < noiseFiles; j++) {
      const r = new Rng(seed, "noise", w.index, j);
      const t = sampleTime(r, w.from, latestStart);
      const entries = noiseBetween(world, r, t, t + r.int(1_000, 60_000), r.int(1, 3), new Set());
      await emitFile(entries, r, "noiseOnly", ["noise", w.index, j], r.pick(world.apiProcs));
    }

    const adminFiles = fractional(dr, sessionsPerDay * LAYOUT_RATES.adminFilesPerSession);
    for (let j = 0; j < adminFiles; j++) {
      const r = new Rng(seed, "admin", w.index, j);
      const proc = r.pick(world.adminProcs);
      let t = sampleTime(r, w.from, latestStart);
      const entries: Entry[] = [];
      const n = r.weighted([1, 2, 3], [80, 15, 5]);
      for (let i = 0; i < n; i++) {
        entries.push(adminInvalidation(world, r, t, world.pickDeal(r), proc));
        t += r.int(200, 5_000);
      }
      await emitFile(entries, r, "admin", ["admin", w.index, j], proc);
    }
  }
  await writer.close();
  truth.files.bytesRaw = writer.bytesRaw;
  truth.files.bytesGzipped = writer.bytesGzipped;

  const fundIds = new Map<string, string[]>();
  for (const d of world.deals) fundIds.set(d.fund.name, [...(fundIds.get(d.fund.name) ?? []), d.id]);
  const result = truth.finish(
    {
      seed,
      options: {
        days,
        sessionsPerDay,
        start: new Date(end - days * 86_400_000).toISOString(),
        end: new Date(end).toISOString(),
        faults: { invalidRecords: invalidRate },
        gzipLevel,
        personalData,
      },
    },
    world.secrets.list,
    [...fundIds].map(([name, dealIds]) => ({ name, dealIds })),
    world.personal.list,
  );
  const truthPath = options.truthPath === undefined ? defaultTruthPath(outDir) : options.truthPath;
  if (truthPath !== null) await writeFile(truthPath, JSON.stringify(result));
  return result;
}

/** floor(x) plus one more with probability frac(x). */
function fractional(r: Rng, x: number): number {
  const whole = Math.floor(x);
  return whole + (r.chance(x - whole) ? 1 : 0);
}

