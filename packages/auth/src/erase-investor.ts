import type pg from "pg";
import type { Logger } from "@log-insights/config";
import { refreshRollups, regroupQuestions, type Queryable } from "@log-insights/store";
import { recordAudit, type AuditActor } from "./audit";
import { ERASED_REASON, ERASURE_KEY_NAME, ERASURE_LOCK, erasedUserHash, erasureKey } from "./erased-users";

/**
 * Erasing one investor (`npm run erase-user`): every row that names them
 * goes, what was counted from their rows is rebuilt from the rows that
 * remain, the audit log forgets their id, and a keyed hash of the id is kept
 * so that the ingest never stores them again (a replay, `--reprocess`).
 *
 * Why it lives in packages/auth and not packages/store: it needs the
 * installation's keyed hash (instance-key.ts) and writes the audit log, both
 * here, and it uses the store's rollup rebuild and regrouping; auth already
 * depends on store, so the other way round would be a cycle.
 */

/** What one erasure removes (or, dry run, would remove). */
export interface ErasureCounts {
  /** Question rows, the merged halves of questions cut across two files included. */
  questions: number;
  /** Of those, orphan outcomes hidden by a join (merged_into set). */
  mergedQuestions: number;
  conversations: number;
  /** Raw log entries naming them (their user column, or authUserId / the auth_user_id cookie in the entry). */
  logEntries: number;
  /** Rejected records whose raw text names them: their text is dropped and the reason becomes "erased investor". */
  rejectedRecords: number;
  questionUserHours: number;
  questionUserDays: number;
  questionUserMonths: number;
  /** Past audit rows whose target or filters named them (now "[erased]"). */
  auditRows: number;
  /**
   * UTC days whose rollups and common-question counts are rebuilt: the days
   * of their question rows. Days before retention's horizon have no question
   * rows left, so they are never rebuilt: their counts stay as they were
   * (anonymous), and only their per-user rows are removed from them.
   */
  daysRebuilt: number;
}

export interface ErasureResult {
  dryRun: boolean;
  /** The keyed hash kept in erased_users (null in a dry run: nothing is written, not even the key). */
  userHash: string | null;
  /** The id had been erased before (its hash was already in erased_users). */
  alreadyErased: boolean | null;
  counts: ErasureCounts;
  /** Common questions regrouped after the commit (null: dry run; false: it could not run, see groupsError). */
  regrouped: boolean | null;
  groupsError?: string;
  seconds: number;
}

export interface EraseOptions {
  dryRun: boolean;
  /** Who asked (recorded in the audit log); the command line passes {kind: "system", label: "cli"}. */
  actor: AuditActor;
  logger?: Logger;
  /** How long to wait for another process's regrouping to end before regrouping ourselves (default 60 s). */
  regroupWaitMs?: number;
}

export class ErasureInputError extends Error {
  override name = "ErasureInputError";
}

const ERASED = "[erased]";

/** An investor id as the log tables hold it (bigint): digits only. */
export function parseInvestorId(text: string): string {
  const t = text.trim();
  if (!/^\d{1,18}$/.test(t) || BigInt(t) === 0n) throw new ErasureInputError(`"${text}" is not an investor id (the user id of the logs: a whole number above 0).`);
  return BigInt(t).toString();
}

/** The regular expression (PostgreSQL ARE) that finds the id in an entry's JSON or a rejected record's raw text. */
function namedPattern(id: string): string {
  return `"(authUserId|auth_user_id|userId|user_id)"\\s*:\\s*"?${id}([^0-9]|$)|auth_user_id=${id}([^0-9]|$)`;
}

const ENTRY_MATCH = `(user_id = $1::bigint OR data::text ~ $2)`;

interface AuditCandidate {
  id: string;
  target: string | null;
  filters: string | null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The audit row's target and filters with the investor's id taken out: the
 * id under a user key ("userId": N), in `user:N` and `auth_user_id=N`, and
 * the ids of their questions and conversations. Works on the JSON text as
 * PostgreSQL prints it (jsonb::text), so other values, large numbers
 * included, are left exactly as they were.
 */
export function scrubAuditText(text: string, userId: string, questionIds: ReadonlySet<string>, json: boolean): string {
  const id = escapeRe(userId);
  let out = text
    .replace(new RegExp(`user:${id}(?![0-9])`, "g"), `user:${ERASED}`)
    .replace(new RegExp(`auth_user_id=${id}(?![0-9])`, "g"), `auth_user_id=${ERASED}`)
    .replace(/question:(\d+)(?![0-9])/g, (m, q: string) => (questionIds.has(q) ? `question:${ERASED}` : m));
  if (json) {
    out = out
      .replace(new RegExp(`"((?:auth_?)?user_?id)"(\\s*):(\\s*)(?:"${id}"|${id})(?=\\s*[,}\\]])`, "gi"), `"$1"$2:$3"${ERASED}"`)
      // A question or conversation id of theirs as a whole value (a number, or a whole string).
      .replace(/(:\s*|\[\s*|,\s*)(?:"(\d{6,19})"|(\d{6,19}))(?=\s*[,}\]])/g, (m, lead: string, a?: string, b?: string) =>
        (questionIds.has((a ?? b)!) ? `${lead}"${ERASED}"` : m));
  } else if (questionIds.has(out.trim())) {
    out = ERASED;
  }
  return out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function existingErasureKey(db: Queryable): Promise<string | null> {
  // With AUTH_SECRET the key comes from it (nothing is written); else only read it: a dry run creates nothing.
  if (process.env.AUTH_SECRET) return erasureKey(db);
  const { rows } = await db.query<{ value: string }>("SELECT value FROM auth_settings WHERE name = $1", [ERASURE_KEY_NAME]);
  return rows[0]?.value ?? null;
}

const n = (v: string | number | null | undefined): number => Number(v ?? 0);

/** How many UTC days these times fall on. */
function dayCount(askedMs: number[]): number {
  return new Set(askedMs.map((t) => Math.floor(t / 86_400_000))).size;
}

async function auditCandidates(db: Queryable, userId: string, questionIds: string[]): Promise<AuditCandidate[]> {
  // Rows that hold the id as a number anywhere, or one of their question ids (long digit runs, hash-joined with the ids):
  // candidates only; scrubAuditText decides what changes.
  const { rows } = await db.query<AuditCandidate>(
    `WITH q AS MATERIALIZED (SELECT DISTINCT unnest($2::text[]) AS id),
     named AS (
       SELECT a.id FROM audit_log a
       CROSS JOIN LATERAL regexp_matches(coalesce(a.target, '') || ' ' || coalesce(a.filters::text, ''), '[0-9]{6,19}', 'g') AS m(v)
       WHERE a.action <> 'erasure' AND m.v[1] IN (SELECT id FROM q)
     )
     SELECT id::text, target, filters::text AS filters FROM audit_log
     WHERE action <> 'erasure' AND (target ~ $1 OR filters::text ~ $1 OR id IN (SELECT id FROM named))`,
    [`(^|[^0-9])${userId}([^0-9]|$)`, questionIds],
  );
  return rows;
}

function scrubbed(rows: AuditCandidate[], userId: string, questionIds: ReadonlySet<string>): { id: string; target: string | null; filters: string | null }[] {
  const changed: { id: string; target: string | null; filters: string | null }[] = [];
  for (const r of rows) {
    const target = r.target === null ? null : scrubAuditText(r.target, userId, questionIds, false);
    let filters = r.filters === null ? null : scrubAuditText(r.filters, userId, questionIds, true);
    if (filters !== null && !isJson(filters)) filters = JSON.stringify({ [ERASED]: "filters removed by an erasure" }); // never write broken JSON
    if (target !== r.target || filters !== r.filters) changed.push({ id: r.id, target, filters });
  }
  return changed;
}

/** What an erasure would remove, read in one snapshot; writes nothing. */
async function plan(client: pg.PoolClient, userId: string): Promise<{ counts: ErasureCounts; alreadyErased: boolean | null }> {
  const pattern = namedPattern(userId);
  const { rows: questions } = await client.query<{ id: string; asked_at: Date; merged: boolean }>(
    "SELECT id::text, asked_at, merged_into IS NOT NULL AS merged FROM bot_questions WHERE user_id = $1::bigint", [userId]);
  const one = async (sql: string, values: unknown[]): Promise<number> => n((await client.query<{ n: string }>(sql, values)).rows[0]?.n);
  const qids = questions.map((q) => q.id);
  const key = await existingErasureKey(client);
  let alreadyErased: boolean | null = null;
  if (key !== null) alreadyErased = (await one("SELECT count(*) AS n FROM erased_users WHERE user_hash = $1", [erasedUserHash(key, userId)])) > 0;
  return {
    alreadyErased,
    counts: {
      questions: questions.length,
      mergedQuestions: questions.filter((q) => q.merged).length,
      conversations: await one("SELECT count(*) AS n FROM conversations WHERE user_id = $1::bigint", [userId]),
      logEntries: await one(`SELECT count(*) AS n FROM log_entries WHERE ${ENTRY_MATCH}`, [userId, pattern]),
      rejectedRecords: await one("SELECT count(*) AS n FROM rejected_records WHERE raw ~ $1", [pattern]),
      questionUserHours: await one("SELECT count(*) AS n FROM question_user_hours WHERE user_id = $1::bigint", [userId]),
      questionUserDays: await one("SELECT count(*) AS n FROM question_user_days WHERE user_id = $1::bigint", [userId]),
      questionUserMonths: await one("SELECT count(*) AS n FROM question_user_months WHERE user_id = $1::bigint", [userId]),
      auditRows: scrubbed(await auditCandidates(client, userId, qids), userId, new Set(qids)).length,
      daysRebuilt: dayCount(questions.map((q) => q.asked_at.getTime())),
    },
  };
}

/**
 * Erases one investor (`userId`: the logs' user id, as text) in one
 * transaction:
 *
 * 1. takes ERASURE_LOCK exclusively (waits for ingest transactions in flight;
 *    new ones wait for this one and then skip the investor);
 * 2. deletes their question rows (merged orphan halves included),
 *    conversations, per-user rollups (hour, day, month: all time, also
 *    before retention's horizon), and every log entry naming them (user
 *    column, or authUserId / auth_user_id in its data); each removed entry is
 *    recorded as rejected with the reason "erased investor" and no text, and
 *    the files' ledger counts follow (stored − n, rejected + n, questions − n),
 *    so the ledger says what a re-ingest would now say;
 * 3. drops the raw text of rejected records naming them (reason "erased investor");
 * 4. rebuilds the rollups and common-question day counts of exactly their
 *    UTC days (refresh_question_rollups, which never rebuilds a day before the
 *    questions' horizon: such a day keeps the counts it had), and forgets the
 *    common-question groups their texts were in;
 * 5. takes their id out of past audit rows (the one UPDATE the audit log's
 *    trigger allows, under log_insights.audit_erasure for this transaction);
 * 6. keeps the keyed hash in erased_users and records "erasure" in the audit
 *    log with the hash and the counts, never the id.
 *
 * After the commit, common questions are regrouped (regroupQuestions). If
 * that cannot run (the process dies), the texts of the forgotten groups
 * count as their own groups until the next regrouping, which the next
 * ingest run starts by itself (they are ungrouped); running the erasure
 * again is harmless and regroups too.
 */
export async function eraseInvestor(pool: pg.Pool, userIdText: string, options: EraseOptions): Promise<ErasureResult> {
  const started = performance.now();
  const userId = parseInvestorId(userIdText);
  const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;

  if (options.dryRun) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await client.query("SET LOCAL statement_timeout = 0");
      const p = await plan(client, userId);
      await client.query("COMMIT");
      return { dryRun: true, userHash: null, alreadyErased: p.alreadyErased, counts: p.counts, regrouped: null, seconds: seconds() };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  // Made (once per installation) outside the transaction: a rollback must not leave this process holding a key the database never kept.
  const key = await erasureKey(pool);
  const userHash = erasedUserHash(key, userId);
  const client = await pool.connect();
  let result: Omit<ErasureResult, "regrouped" | "seconds">;
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query(`SELECT pg_advisory_xact_lock(${ERASURE_LOCK})`);
    const pattern = namedPattern(userId);

    const { rows: gone } = await client.query<{ id: string; asked_at: Date; merged: boolean; file_id: string; fingerprint: string }>(
      `DELETE FROM bot_questions WHERE user_id = $1::bigint
       RETURNING id::text, asked_at, merged_into IS NOT NULL AS merged, file_id::text, fingerprint`, [userId]);
    const questionIds = new Set(gone.map((q) => q.id));
    const conversations = await client.query("DELETE FROM conversations WHERE user_id = $1::bigint", [userId]);

    // Entries: removed, and recorded as rejected ("erased investor", no text) so each file still reads = stored + rejected.
    const { rows: entryFiles } = await client.query<{ file_id: string; n: string }>(
      `WITH gone AS (DELETE FROM log_entries WHERE ${ENTRY_MATCH} RETURNING file_id, idx),
       kept AS (
         INSERT INTO rejected_records (file_id, idx, reason)
         SELECT g.file_id, g.idx, $3 FROM gone g WHERE EXISTS (SELECT 1 FROM ingest_files f WHERE f.id = g.file_id)
       )
       SELECT file_id::text, count(*) AS n FROM gone GROUP BY file_id`,
      [userId, pattern, ERASED_REASON]);
    const rejected = await client.query(
      "UPDATE rejected_records SET reason = $2, raw = NULL WHERE raw ~ $1", [pattern, ERASED_REASON]);
    const questionFiles = new Map<string, number>();
    for (const q of gone) questionFiles.set(q.file_id, (questionFiles.get(q.file_id) ?? 0) + 1);
    const entryCounts = new Map(entryFiles.map((f) => [f.file_id, n(f.n)]));
    const files = [...new Set([...entryCounts.keys(), ...questionFiles.keys()])];
    if (files.length > 0) {
      await client.query(
        `UPDATE ingest_files f SET entries_stored = f.entries_stored - c.entries, entries_rejected = f.entries_rejected + c.entries,
           questions = f.questions - c.questions, updated_at = now()
         FROM unnest($1::bigint[], $2::int[], $3::int[]) AS c(id, entries, questions) WHERE f.id = c.id`,
        [files, files.map((f) => entryCounts.get(f) ?? 0), files.map((f) => questionFiles.get(f) ?? 0)]);
    }

    const hours = await client.query("DELETE FROM question_user_hours WHERE user_id = $1::bigint", [userId]);
    const days = await client.query("DELETE FROM question_user_days WHERE user_id = $1::bigint", [userId]);
    const months = await client.query("DELETE FROM question_user_months WHERE user_id = $1::bigint", [userId]);

    // Rollups of exactly their days (refresh_question_rollups also clamps them to the questions' horizon).
    await refreshRollups(client, gone.map((q) => q.asked_at.getTime()));
    const fingerprints = [...new Set(gone.map((q) => q.fingerprint))];
    if (fingerprints.length > 0) {
      await client.query(
        `DELETE FROM question_groups WHERE group_id IN (SELECT group_id FROM question_groups WHERE fingerprint = ANY($1::text[]))`, [fingerprints]);
    }

    const changed = scrubbed(await auditCandidates(client, userId, [...questionIds]), userId, questionIds);
    if (changed.length > 0) {
      await client.query("SELECT set_config('log_insights.audit_erasure', 'on', true)");
      await client.query(
        `UPDATE audit_log a SET target = c.target, filters = c.filters::jsonb
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS c(id, target, filters) WHERE a.id = c.id`,
        [changed.map((c) => c.id), changed.map((c) => c.target), changed.map((c) => c.filters)]);
      await client.query("SELECT set_config('log_insights.audit_erasure', 'off', true)");
    }

    const inserted = await client.query("INSERT INTO erased_users (user_hash) VALUES ($1) ON CONFLICT (user_hash) DO NOTHING", [userHash]);
    const counts: ErasureCounts = {
      questions: gone.length,
      mergedQuestions: gone.filter((q) => q.merged).length,
      conversations: conversations.rowCount ?? 0,
      logEntries: entryFiles.reduce((s, f) => s + n(f.n), 0),
      rejectedRecords: rejected.rowCount ?? 0,
      questionUserHours: hours.rowCount ?? 0,
      questionUserDays: days.rowCount ?? 0,
      questionUserMonths: months.rowCount ?? 0,
      auditRows: changed.length,
      daysRebuilt: dayCount(gone.map((q) => q.asked_at.getTime())),
    };
    const alreadyErased = (inserted.rowCount ?? 0) === 0;
    await recordAudit(client, { actor: options.actor, action: "erasure", target: userHash, filters: { userHash, alreadyErased, removed: counts } });
    await client.query("COMMIT");
    result = { dryRun: false, userHash, alreadyErased, counts };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  options.logger?.info({ userHash, ...result.counts }, "investor erased; regrouping common questions");

  // Regroup from the rows that remain. Another process regrouping at this moment may have read the texts before our commit: wait for it, then run ours.
  const deadline = Date.now() + (options.regroupWaitMs ?? 60_000);
  for (;;) {
    try {
      const r = await regroupQuestions(pool);
      if (r.ran) return { ...result, regrouped: true, seconds: seconds() };
    } catch (err) {
      options.logger?.warn({ error: (err as Error).message }, "regrouping after the erasure failed");
      return { ...result, regrouped: false, groupsError: (err as Error).message, seconds: seconds() };
    }
    if (Date.now() > deadline) {
      return { ...result, regrouped: false, groupsError: "another process kept regrouping; the next ingest run regroups", seconds: seconds() };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
