import { levelFromLabel, PINO_LEVELS } from "@log-insights/logs";
import { ReadError } from "./errors";
import { checkRange, decodeCursor, encodeCursor, pageSize, type TimeRange } from "./input";
import { limitedCount, type Page, type PageArgs } from "./question-lists";
import { seriesBuckets, type SeriesRange } from "./series";
import { empty, join, run, sql, type Queryable, type Sql } from "./sql";

/** A stored log entry (secrets were removed at ingest). */
export interface LogEntry {
  /** "<file id>:<index in the file>". */
  id: string;
  tsMs: number;
  level: number;
  levelName: string;
  context: string | null;
  message: string | null;
  userId: number | null;
  dealId: string | null;
  requestId: string | null;
  platform: string | null;
  appVersion: string | null;
  latencyMs: number | null;
  /** The rest of the entry (JSON), redacted. */
  data: unknown;
}

export interface LogEntryFilter {
  /** pino level names ("error") or numbers ("50"). */
  levels?: readonly string[] | null;
  /** Exact logger context, e.g. "DealBotService". */
  context?: string | null;
  /** Text inside the message (case-insensitive, literal). */
  text?: string | null;
}

const LEVEL_NAMES = new Map(Object.entries(PINO_LEVELS).map(([name, n]) => [n, name]));

export function levelName(level: number): string {
  return LEVEL_NAMES.get(level) ?? `level ${level}`;
}

function entryConditions(filter: LogEntryFilter): Sql {
  const parts: Sql[] = [];
  if (filter.levels && filter.levels.length > 0) {
    const levels = filter.levels.map((l) => {
      const n = /^\d{1,3}$/.test(l) ? Number(l) : levelFromLabel(l);
      if (n === undefined) throw new ReadError("BAD_FILTER", `unknown level "${l.slice(0, 20)}" (use ${Object.keys(PINO_LEVELS).join(", ")})`);
      return n;
    });
    parts.push(sql`AND e.level = ANY(${levels}::smallint[])`);
  }
  if (filter.context) {
    if (filter.context.length > 200) throw new ReadError("BAD_FILTER", "context may have at most 200 characters");
    parts.push(sql`AND e.context = ${filter.context}`);
  }
  if (filter.text) {
    if (filter.text.length > 200) throw new ReadError("BAD_SEARCH", "the search text may have at most 200 characters");
    parts.push(sql`AND e.message ILIKE ${`%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  return parts.length > 0 ? join(parts, " ") : empty;
}

const ENTRY_COLUMNS = sql`e.file_id, e.idx, e.ts, e.level, e.context, e.message, e.user_id, e.deal_id, e.request_id,
  e.platform, e.app_version, e.latency_ms, e.data`;

interface EntryRow {
  file_id: string;
  idx: number;
  ts: Date;
  level: number;
  context: string | null;
  message: string | null;
  user_id: string | null;
  deal_id: string | null;
  request_id: string | null;
  platform: string | null;
  app_version: string | null;
  latency_ms: number | null;
  data: unknown;
}

function toEntry(r: EntryRow): LogEntry {
  return {
    id: `${r.file_id}:${r.idx}`,
    tsMs: r.ts.getTime(),
    level: r.level,
    levelName: levelName(r.level),
    context: r.context,
    message: r.message,
    userId: r.user_id === null ? null : Number(r.user_id),
    dealId: r.deal_id,
    requestId: r.request_id,
    platform: r.platform,
    appVersion: r.app_version,
    latencyMs: r.latency_ms,
    data: r.data,
  };
}

/** Every stored entry (not only the bot's) in a range, newest first, filtered by level, context and message text. */
export async function readLogEntries(db: Queryable, range: TimeRange, filter: LogEntryFilter = {}, page: PageArgs = {}): Promise<Page<LogEntry>> {
  const { fromMs, toMs } = checkRange(range);
  const first = pageSize(page.first);
  const cursor = decodeCursor(page.after, ["number", "number", "number"]);
  const where = sql`e.ts >= ${new Date(fromMs)} AND e.ts < ${new Date(toMs)} ${entryConditions(filter)}`;
  const afterCond = cursor
    ? sql`AND (e.ts, e.file_id, e.idx) < (${new Date(cursor[0] as number)}::timestamptz, ${cursor[1]}::bigint, ${cursor[2]}::int)`
    : empty;
  const [rows, total] = await Promise.all([
    run<EntryRow>(db, sql`SELECT ${ENTRY_COLUMNS} FROM log_entries e WHERE ${where} ${afterCond}
      ORDER BY e.ts DESC, e.file_id DESC, e.idx DESC LIMIT ${first + 1}`),
    limitedCount(db, sql`FROM log_entries e WHERE ${where}`, page.countLimit),
  ]);
  const nodes = rows.slice(0, first).map((r) => ({ cursor: encodeCursor([r.ts.getTime(), Number(r.file_id), r.idx]), node: toEntry(r) }));
  return { nodes, ...total, endCursor: nodes[nodes.length - 1]?.cursor ?? null, hasNextPage: rows.length > first };
}

export interface LogCountBucket {
  startMs: number;
  endMs: number;
  count: number;
  /** Entries at level error (50) or above. */
  errors: number;
}

/** Entries per hour, day, week or month (zero-filled), for the log explorer's histogram. */
export async function readLogCounts(db: Queryable, range: SeriesRange, filter: LogEntryFilter = {}): Promise<LogCountBucket[]> {
  const list = seriesBuckets(range);
  const rows = await run<{ idx: number; n: string; errors: string }>(db, sql`SELECT r.idx, count(e.ts) AS n, count(*) FILTER (WHERE e.level >= 50) AS errors
    FROM unnest(${list.map((b) => new Date(b.fromMs))}::timestamptz[], ${list.map((b) => new Date(b.toMs))}::timestamptz[],
      ${list.map((_, i) => i)}::int[]) AS r(lo, hi, idx)
    JOIN log_entries e ON e.ts >= r.lo AND e.ts < r.hi ${entryConditions(filter)}
    GROUP BY r.idx`);
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  return list.map((b, i) => ({ startMs: b.startMs, endMs: b.endMs, count: Number(byIdx.get(i)?.n ?? 0), errors: Number(byIdx.get(i)?.errors ?? 0) }));
}

export interface ErrorGroup {
  context: string | null;
  message: string | null;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The latest entry of the group, for a drill-down. */
  sampleEntryId: string;
}

/** Error entries (level ≥ 50) grouped by context and message, most frequent first. */
export async function readErrorGroups(db: Queryable, range: TimeRange, limit = 100): Promise<ErrorGroup[]> {
  const { fromMs, toMs } = checkRange(range);
  const rows = await run<{ context: string | null; message: string | null; n: string; first: Date; last: Date; sample: string }>(
    db,
    sql`SELECT e.context, e.message, count(*) AS n, min(e.ts) AS first, max(e.ts) AS last,
          (array_agg(e.file_id || ':' || e.idx ORDER BY e.ts DESC))[1] AS sample
        FROM log_entries e WHERE e.ts >= ${new Date(fromMs)} AND e.ts < ${new Date(toMs)} AND e.level >= 50
        GROUP BY e.context, e.message ORDER BY n DESC, last DESC LIMIT ${Math.min(Math.max(1, limit), 500)}`,
  );
  return rows.map((r) => ({
    context: r.context, message: r.message, count: Number(r.n), firstSeenMs: r.first.getTime(), lastSeenMs: r.last.getTime(), sampleEntryId: r.sample,
  }));
}

/**
 * The log lines a question was rebuilt from, in file order: its file's
 * entries from its start to its outcome that belong to its request (or, with
 * no request id, its user), plus those of an outcome joined from the next file.
 */
export async function readQuestionEntries(db: Queryable, questionId: string): Promise<LogEntry[]> {
  if (!/^-?\d{1,19}$/.test(questionId)) return [];
  const rows = await run<EntryRow>(db, sql`
    WITH q AS (
      SELECT b.file_id, b.start_idx, b.end_idx, b.request_id, b.user_id FROM bot_questions b
      WHERE b.id = coalesce((SELECT m.merged_into FROM bot_questions m WHERE m.id = ${questionId} LIMIT 1), ${questionId}::bigint)
      UNION ALL
      SELECT o.file_id, o.start_idx, o.end_idx, o.request_id, o.user_id FROM bot_questions b
      JOIN bot_questions o ON o.id = b.joined_from
      WHERE b.id = coalesce((SELECT m.merged_into FROM bot_questions m WHERE m.id = ${questionId} LIMIT 1), ${questionId}::bigint)
    )
    SELECT ${ENTRY_COLUMNS} FROM q
    JOIN ingest_files f ON f.id = q.file_id
    JOIN log_entries e ON e.file_id = q.file_id
      AND e.ts BETWEEN coalesce(f.first_entry_at, '-infinity') AND coalesce(f.last_entry_at, 'infinity')
      AND e.idx >= q.start_idx AND (q.end_idx IS NULL OR e.idx <= q.end_idx)
      AND (e.request_id = q.request_id OR (q.request_id IS NULL AND e.user_id = q.user_id))
    ORDER BY e.ts, e.file_id, e.idx
    LIMIT 500`);
  return rows.map(toEntry);
}
