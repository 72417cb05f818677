/**
 * The exact reconciliation that ends every reliability test: what the bucket
 * holds, counted independently of the ingest code (gunzip + JSON.parse of
 * each file, or counts the test wrote itself), against what the database
 * holds. For every file:
 *
 *   entries in the file = rows in log_entries + rows in rejected_records,
 *
 * each index 0..n-1 exactly once across the two tables (no duplicate, no
 * gap, never both stored and rejected), the ledger row `done` once with the
 * same counts; no rows for files that are not in the bucket; the questions
 * as the generator's truth says. Returns the figures to print and the list
 * of problems (empty when it reconciles).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Pool } from "pg";

/** What one file of the bucket holds. */
export interface ExpectedFile {
  /** Array elements (valid or not). */
  entries: number;
  /** Of which the log model must reject this many, when known. */
  rejected?: number;
}

export type Expected = Map<string, ExpectedFile>;

export interface ReconcileOptions {
  /** Bot questions (merged_into IS NULL) the truth says the bucket holds. */
  questions?: number;
  /** Total rejected records the truth says the bucket holds. */
  rejected?: number;
  /** Files allowed more than one `done` attempt (replaced or reprocessed on purpose). */
  redoneKeys?: Set<string>;
}

export interface Reconciliation {
  files: number;
  entries: number;
  stored: number;
  rejected: number;
  questions: number;
  duplicates: number;
  attempts: { total: number; done: number; failed: number; unfinished: number };
  problems: string[];
}

/** Elements of one object as the bot writes it (gzip or not, a JSON array), decoded without the ingest code. */
export function countElements(body: Buffer): number {
  const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString("utf8");
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error("not a JSON array");
  return parsed.length;
}

/** The expectation for a bucket folder: key (relative path with "/", under `keyPrefix`) → element count. */
export async function expectedFromFolder(dir: string, keyPrefix = ""): Promise<Expected> {
  const out: Expected = new Map();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    const key = keyPrefix + path.relative(dir, file).split(path.sep).join("/");
    out.set(key, { entries: countElements(await readFile(file)) });
  }
  return out;
}

interface FileRow {
  id: string;
  key: string;
  status: string;
  entries_read: number | null;
  entries_stored: number | null;
  entries_rejected: number | null;
  e_n: string | null;
  e_d: string | null;
  e_lo: number | null;
  e_hi: number | null;
  r_n: string | null;
  r_d: string | null;
  r_lo: number | null;
  r_hi: number | null;
  overlap: string | null;
  done_attempts: string;
}

export async function reconcile(pool: Pool, expected: Expected, opts: ReconcileOptions = {}): Promise<Reconciliation> {
  const problems: string[] = [];
  const { rows } = await pool.query<FileRow>(`
    WITH e AS (SELECT file_id, count(*) AS n, count(DISTINCT idx) AS d, min(idx) AS lo, max(idx) AS hi FROM log_entries GROUP BY file_id),
         r AS (SELECT file_id, count(*) AS n, count(DISTINCT idx) AS d, min(idx) AS lo, max(idx) AS hi FROM rejected_records GROUP BY file_id),
         o AS (SELECT e.file_id, count(*) AS n FROM log_entries e JOIN rejected_records r ON r.file_id = e.file_id AND r.idx = e.idx GROUP BY 1),
         a AS (SELECT file_id, count(*) FILTER (WHERE outcome = 'done') AS done FROM ingest_attempts GROUP BY 1)
    SELECT f.id, f.key, f.status, f.entries_read, f.entries_stored, f.entries_rejected,
           e.n AS e_n, e.d AS e_d, e.lo AS e_lo, e.hi AS e_hi, r.n AS r_n, r.d AS r_d, r.lo AS r_lo, r.hi AS r_hi,
           o.n AS overlap, coalesce(a.done, 0) AS done_attempts
    FROM ingest_files f LEFT JOIN e ON e.file_id = f.id LEFT JOIN r ON r.file_id = f.id
         LEFT JOIN o ON o.file_id = f.id LEFT JOIN a ON a.file_id = f.id`);

  const seen = new Map<string, number>();
  let stored = 0;
  let rejected = 0;
  let entries = 0;
  let duplicates = 0;
  for (const f of rows) {
    seen.set(f.key, (seen.get(f.key) ?? 0) + 1);
    const want = expected.get(f.key);
    const eN = Number(f.e_n ?? 0);
    const rN = Number(f.r_n ?? 0);
    stored += eN;
    rejected += rN;
    const dupes = eN - Number(f.e_d ?? 0) + (rN - Number(f.r_d ?? 0)) + Number(f.overlap ?? 0);
    duplicates += dupes;
    if (!want) {
      if (eN + rN > 0) problems.push(`${f.key}: not in the bucket, yet ${eN} entries and ${rN} rejected records stored`);
      continue;
    }
    entries += want.entries;
    const tag = `${f.key} (file ${f.id})`;
    if (f.status !== "done") problems.push(`${tag}: status ${f.status}, not done`);
    if (eN + rN !== want.entries) problems.push(`${tag}: ${eN} stored + ${rN} rejected = ${eN + rN}, the file holds ${want.entries}`);
    if (dupes > 0) problems.push(`${tag}: ${dupes} (file_id, idx) duplicates`);
    const lo = Math.min(f.e_lo ?? Infinity, f.r_lo ?? Infinity);
    const hi = Math.max(f.e_hi ?? -Infinity, f.r_hi ?? -Infinity);
    if (want.entries > 0 && (lo !== 0 || hi !== want.entries - 1)) problems.push(`${tag}: indexes ${lo}..${hi}, expected 0..${want.entries - 1}`);
    if (f.entries_read !== want.entries || f.entries_stored !== eN || f.entries_rejected !== rN) {
      problems.push(`${tag}: ledger says read ${f.entries_read}, stored ${f.entries_stored}, rejected ${f.entries_rejected}; rows: ${eN} + ${rN}`);
    }
    if (want.rejected !== undefined && rN !== want.rejected) problems.push(`${tag}: ${rN} rejected, expected ${want.rejected}`);
    const done = Number(f.done_attempts);
    if (done !== 1 && !opts.redoneKeys?.has(f.key)) problems.push(`${tag}: ${done} attempts ended done (exactly once means 1)`);
  }
  for (const key of expected.keys()) {
    const n = seen.get(key) ?? 0;
    if (n !== 1) problems.push(`${key}: ${n} ledger rows (lost from the ledger when 0)`);
  }

  const { rows: q } = await pool.query<{ n: string; ids: string }>(
    "SELECT count(*) FILTER (WHERE merged_into IS NULL) AS n, count(*) - count(DISTINCT id) AS ids FROM bot_questions",
  );
  const questions = Number(q[0]!.n);
  if (Number(q[0]!.ids) !== 0) problems.push(`${q[0]!.ids} duplicate question ids`);
  if (opts.questions !== undefined && questions !== opts.questions) problems.push(`${questions} questions stored, the truth says ${opts.questions}`);
  if (opts.rejected !== undefined && rejected !== opts.rejected) problems.push(`${rejected} records rejected, the truth says ${opts.rejected}`);

  const { rows: a } = await pool.query<{ total: string; done: string; failed: string; unfinished: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE outcome = 'done') AS done,
            count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) FILTER (WHERE finished_at IS NULL) AS unfinished
     FROM ingest_attempts`,
  );
  return {
    files: expected.size,
    entries,
    stored,
    rejected,
    questions,
    duplicates,
    attempts: { total: Number(a[0]!.total), done: Number(a[0]!.done), failed: Number(a[0]!.failed), unfinished: Number(a[0]!.unfinished) },
    problems,
  };
}

/** "files=312 entries=20143 stored=20001 rejected=142 questions=…": the reconciled figures, for a [reliability] line. */
export function describeReconciliation(r: Reconciliation): string {
  return `reconciled: files=${r.files} entries=${r.entries} (stored=${r.stored} + rejected=${r.rejected}) questions=${r.questions} ` +
    `duplicates=${r.duplicates} attempts=${r.attempts.total} (done=${r.attempts.done}, failed/abandoned=${r.attempts.failed}, never finished=${r.attempts.unfinished})`;
}
