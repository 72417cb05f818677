/**
 * The same rows for DuckDB: bot_questions (and the conversations and
 * question groups some readers join) copied out of PostgreSQL as CSV
 * (pg-copy-streams) into .tmp/, then turned into Parquet by DuckDB. Named
 * after the load, so a later run over the same data reuses the files.
 */
import { createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";

export interface ParquetFiles {
  questions: string;
  conversations: string;
  groups: string;
  bytes: number;
  /** null when reused. */
  seconds: number | null;
}

/** Columns DuckDB needs, with their DuckDB types (the readers' SQL reads no others). */
const TABLES = {
  questions: {
    from: "bot_questions WHERE merged_into IS NULL",
    columns: {
      id: "BIGINT", asked_at: "TIMESTAMPTZ", user_id: "BIGINT", deal_id: "VARCHAR", conversation_id: "BIGINT",
      question: "VARCHAR", fingerprint: "VARCHAR", topic: "VARCHAR", fund: "VARCHAR", answer: "VARCHAR", outcome: "VARCHAR",
      latency_ms: "INTEGER", cache_hit: "BOOLEAN", document_count: "INTEGER", platform: "VARCHAR", app_version: "VARCHAR",
      error_message: "VARCHAR", partial: "BOOLEAN", no_documents: "BOOLEAN", slow: "BOOLEAN", reasked: "BOOLEAN",
    },
  },
  conversations: {
    from: "conversations",
    columns: {
      id: "BIGINT", user_id: "BIGINT", deal_id: "VARCHAR", started_at: "TIMESTAMPTZ", ended_at: "TIMESTAMPTZ",
      question_count: "INTEGER", problem_count: "INTEGER",
    },
  },
  groups: {
    from: "question_groups",
    columns: { fingerprint: "VARCHAR", group_id: "VARCHAR", representative: "VARCHAR" },
  },
} as const;

export async function ensureParquet(pool: pg.Pool, dir: string, loadId: string): Promise<ParquetFiles> {
  await mkdir(dir, { recursive: true });
  const files = {
    questions: path.join(dir, `${loadId}-questions.parquet`),
    conversations: path.join(dir, `${loadId}-conversations.parquet`),
    groups: path.join(dir, `${loadId}-groups.parquet`),
  };
  const sizes = await Promise.all(Object.values(files).map((f) => stat(f).then((s) => s.size, () => null)));
  if (sizes.every((s) => s !== null)) {
    return { ...files, bytes: sizes.reduce<number>((a, b) => a + (b ?? 0), 0), seconds: null };
  }
  // Another load's files are stale now.
  for (const f of await readdir(dir)) if (/-(questions|conversations|groups)\.(parquet|csv)$/.test(f)) await rm(path.join(dir, f), { force: true });

  const t0 = performance.now();
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  try {
    for (const [name, spec] of Object.entries(TABLES) as [keyof typeof TABLES, (typeof TABLES)[keyof typeof TABLES]][]) {
      const csv = path.join(dir, `${loadId}-${name}.csv`);
      const client = await pool.connect();
      try {
        // The questions in time order, as stored: DuckDB's row groups then skip by time like the partitions do.
        const order = name === "questions" ? " ORDER BY asked_at" : "";
        const cols = Object.keys(spec.columns).join(", ");
        await pipeline(client.query(copyTo(`COPY (SELECT ${cols} FROM ${spec.from}${order}) TO STDOUT (FORMAT csv, HEADER)`)), createWriteStream(csv));
      } finally {
        client.release();
      }
      const columns = Object.entries(spec.columns).map(([c, t]) => `'${c}': '${t}'`).join(", ");
      await duck.run(`COPY (SELECT * FROM read_csv('${csv}', header = true, columns = {${columns}}, allow_quoted_nulls = false))
        TO '${files[name]}' (FORMAT parquet, COMPRESSION zstd)`);
      await rm(csv, { force: true });
    }
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
  let bytes = 0;
  for (const f of Object.values(files)) bytes += (await stat(f)).size;
  return { ...files, bytes, seconds: (performance.now() - t0) / 1000 };
}

/** A DuckDB connection with views questions, conversations and question_groups over the Parquet files. */
export async function openDuck(files: ParquetFiles): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(`CREATE VIEW questions AS SELECT * FROM read_parquet('${files.questions}')`);
  await conn.run(`CREATE VIEW conversations AS SELECT * FROM read_parquet('${files.conversations}')`);
  await conn.run(`CREATE VIEW question_groups AS SELECT * FROM read_parquet('${files.groups}')`);
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
