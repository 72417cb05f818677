/**
 * The setup the S3 fault tests share: a test database, s3rver holding a
 * generated bucket plus a few large "noise" files (streamed alone, so faults
 * and kills also land mid-COPY and mid-download), and the fault proxy in
 * front of it. Each test picks the sizes, the layout and the fault rates.
 */
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../../../tools/src/generate/index";
import { generatedBucket } from "../../support/harness";
import { startS3Server, type S3TestServer } from "../../support/s3-server";
import { keyAt, uploadFolder, writeNoiseFile } from "./common";
import { startFaultProxy, type FaultProxy, type FaultRates } from "./fault-proxy";

export const BUCKET = "deal-bot-logs";

export interface FaultyBucketOptions {
  seed: number;
  sessionsPerDay: number;
  invalidRecords: number;
  /** The large files: the first one's key time, how many entries each, how far back their entries reach, padding, an invalid entry every N. */
  large: { count: number; firstAt: string; entries: (i: number) => number; backMs: number; padBytes: number; invalidEvery: number };
  rates: FaultRates;
}

export interface FaultyBucket {
  db: TestDatabase;
  s3: S3TestServer;
  proxy: FaultProxy;
  bucket: { dir: string; truth: Truth; cleanup(): Promise<void> };
  /** What the large files add to the generator's truth. */
  large: { files: number; entries: number; rejected: number };
  stop(): Promise<void>;
}

export async function startFaultyBucket(opts: FaultyBucketOptions): Promise<FaultyBucket> {
  const [db, s3, bucket] = await Promise.all([
    createTestDatabase(),
    startS3Server(),
    generatedBucket({ seed: opts.seed, days: 3, sessionsPerDay: opts.sessionsPerDay, faults: { invalidRecords: opts.invalidRecords } }),
  ]);
  const large = { files: 0, entries: 0, rejected: 0 };
  for (let i = 0; i < opts.large.count; i++) {
    const t = Date.parse(opts.large.firstAt) + i * 3_600_000;
    const w = await writeNoiseFile(path.join(bucket.dir, keyAt(t, 0xb16 + i)), {
      entries: opts.large.entries(i), fromMs: t - opts.large.backMs, padBytes: opts.large.padBytes, invalidEvery: opts.large.invalidEvery, seed: opts.seed + i,
    });
    large.files++;
    large.entries += w.entries;
    large.rejected += w.rejected;
  }
  await s3.createBucket(BUCKET);
  await uploadFolder(s3, BUCKET, bucket.dir);
  const proxy = await startFaultProxy({ target: { host: s3.host, port: s3.port }, seed: opts.seed, rates: opts.rates });
  return {
    db, s3, proxy, bucket, large,
    stop: async () => {
      await proxy.stop();
      await s3.stop();
      await db.drop();
      await bucket.cleanup();
    },
  };
}
