import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NormalizedEntry } from "@log-insights/logs";
import { ensurePartitions } from "../src/partitions";
import { COPY_LOG_ENTRIES_SQL, entryCopyLine } from "../src/write";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const t = Date.parse("2025-04-02T10:00:00Z");
const entry = (index: number, message: string, data: Record<string, unknown>): NormalizedEntry => ({
  index, timeMs: t + index, timeSource: "time", level: 30, context: "Test\tContext", message, userId: 2 ** 40, dealId: "709",
  requestId: "1", hostname: "h", pid: 1, method: "POST", url: "/x?y=\\z", platform: "iOS", appVersion: "2.2.9", latencyMs: 12.4, data,
});

describe("COPY of hostile text into log_entries", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await ensurePartitions(db.pool, { fromMs: t, toMs: t });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("stores tabs, newlines, backslashes, NUL, emoji, Arabic and lone surrogates without losing a row", async () => {
    const hostile = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "nul\u0000byte", "emoji 😀 زكاة", "lone \udc00 half", '"quoted" {json}'];
    const entries = hostile.map((text, i) => entry(i, text, { text, nested: { [text]: [text] } }));
    const client = await db.pool.connect();
    try {
      await pipeline(Readable.from([entries.map((e) => entryCopyLine(7, e)).join("")]), client.query(copyFrom(COPY_LOG_ENTRIES_SQL)));
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query<{ idx: number; message: string; context: string; user_id: string; latency_ms: number; text: string; url: string }>(
      "SELECT idx, message, context, user_id, latency_ms, data->>'text' AS text, url FROM log_entries WHERE file_id = 7 ORDER BY idx",
    );
    expect(rows).toHaveLength(hostile.length);
    const expected = hostile.map((h) => h.replaceAll("\u0000", "").toWellFormed());
    expect(rows.map((r) => r.text)).toEqual(expected);
    expect(rows.map((r) => r.message)).toEqual(hostile.map((h) => h.replaceAll("\u0000", "").toWellFormed()));
    expect(rows[0]).toMatchObject({ context: "Test\tContext", user_id: String(2 ** 40), latency_ms: 12, url: "/x?y=\\z" });
  });
});
