import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";

// Controlled data for the alert tests: question rows inserted directly (with
// their partitions and rollups rebuilt as the ingest does), so every metric
// has a value known in advance; and real HTTP receivers on loopback.

export interface Q {
  atMs: number;
  outcome?: "answered" | "hedged" | "failed" | "unfinished";
  latencyMs?: number | null;
}

let nextId = 1;

/** Inserts questions and rebuilds the rollups of the days they fall on (as an ingest transaction does). */
export async function insertQuestions(pool: pg.Pool, questions: readonly Q[]): Promise<void> {
  if (questions.length === 0) return;
  const times = questions.map((q) => q.atMs);
  const lo = new Date(Math.min(...times));
  const hi = new Date(Math.max(...times));
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT ensure_time_partitions('bot_questions', 'month', $1, $2)", [lo, hi]);
    await client.query(
      `INSERT INTO bot_questions (id, asked_at, file_id, start_idx, question, fingerprint, outcome, latency_ms, slow)
       SELECT id, at, 1, idx, 'What are the fees?', 'what are the fees', outcome, latency, coalesce(latency > 10000, false)
       FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::text[], $5::int[]) AS q(id, at, idx, outcome, latency)`,
      [
        questions.map(() => nextId++),
        questions.map((q) => new Date(q.atMs)),
        questions.map((_, i) => i),
        questions.map((q) => q.outcome ?? "answered"),
        questions.map((q) => (q.latencyMs === undefined ? 2_000 : q.latencyMs)),
      ],
    );
    await client.query("SELECT refresh_question_rollups(($1::timestamptz AT TIME ZONE 'UTC')::date, ($2::timestamptz AT TIME ZONE 'UTC')::date)", [lo, hi]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

/** `n` questions spread evenly over [fromMs, toMs). */
export function spread(n: number, fromMs: number, toMs: number, q: Omit<Q, "atMs"> = {}): Q[] {
  return Array.from({ length: n }, (_, i) => ({ ...q, atMs: fromMs + Math.floor(((toMs - fromMs) * i) / n) }));
}

/** A ledger row (ingest_files) with a status, its newest entry time and last update. */
export async function insertFile(pool: pg.Pool, f: { key: string; status: "done" | "failed"; lastEntryAtMs?: number; updatedAtMs: number; error?: string }): Promise<void> {
  await pool.query(
    `INSERT INTO ingest_files (source, key, status, last_entry_at, updated_at, error, attempts) VALUES ('file:///test', $1, $2, $3, $4, $5, 1)`,
    [f.key, f.status, f.lastEntryAtMs === undefined ? null : new Date(f.lastEntryAtMs), new Date(f.updatedAtMs), f.error ?? null],
  );
}

export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Every request, answered or not. */
  requests: number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that records each JSON body and answers
 * with `respond(n)` for the n-th request (1-based): a status, or "hang" to
 * never answer.
 */
export async function startReceiver(respond: (n: number) => number | "hang" = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const state = { requests: 0 };
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests++;
      const answer = respond(state.requests);
      if (answer === "hang") {
        hanging.push(res);
        return;
      }
      if (answer >= 200 && answer < 300) {
        received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown });
      }
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end(answer >= 400 ? `receiver says no (${answer})` : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
