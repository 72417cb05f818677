/**
 * Every dashboard reader as a benchmark case: the reader itself (rollups where
 * it uses them), the same answer from the question rows (the reader with
 * { forceRaw: true }, or a plain GROUP BY written here for readers without
 * that option), and DuckDB's equivalent SQL over the Parquet export.
 *
 * Each returns a digest (key -> value) of what must agree between the paths:
 * counts exactly; latency percentiles are not compared (the readers read
 * them from a 4% histogram, DuckDB computes exact ones).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  readBreakdown, readCommonQuestions, readConversations, readKnowledgeGaps, readOverview, readProblemQuestions,
  readQuestionCounts, readResponseTimes, searchQuestions, type Dimension, type Queryable, type SeriesRange,
} from "@log-insights/store";
import type { Interval } from "@log-insights/logs";

export interface BenchRange {
  label: string;
  fromMs: number;
  toMs: number;
}

export type Digest = Map<string, string>;

export interface Case {
  /** As printed, e.g. "readQuestionCounts day Europe/London". */
  name: string;
  /** The reader function (what --only matches). */
  reader: string;
  /** p95 target, ms. */
  targetMs: number;
  run(db: Queryable, r: BenchRange): Promise<Digest>;
  /** The same answer from the question rows; null when the reader reads them already. */
  raw: ((db: Queryable, r: BenchRange) => Promise<Digest>) | null;
  duck(conn: DuckDBConnection, r: BenchRange): Promise<Digest>;
  /** DuckDB's answer is only close (e.g. search without PostgreSQL's stemmer): mismatches are shown as notes. */
  duckApproximate?: boolean;
}

const DASHBOARD_MS = 50;
const SEARCH_MS = 150;

const ts = (ms: number): string => `'${new Date(ms).toISOString()}'::TIMESTAMPTZ`;
const inRange = (r: { fromMs: number; toMs: number }, col = "asked_at"): string => `${col} >= ${ts(r.fromMs)} AND ${col} < ${ts(r.toMs)}`;
const previous = (r: BenchRange): BenchRange => ({ label: r.label, fromMs: r.fromMs - (r.toMs - r.fromMs), toMs: r.fromMs });
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? "∅" : String(v));

async function duckRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

function digest(entries: Iterable<[string, string | number]>): Digest {
  const d: Digest = new Map();
  for (const [k, v] of entries) d.set(k, String(v));
  return d;
}

// ----------------------------------------------------------------- overview

const OVERVIEW_KEYS = ["questions", "users", "conversations", "answered", "hedged", "failed", "unfinished", "partial", "noDocuments", "slow", "reasked"] as const;

const overview: Case = {
  name: "readOverview",
  reader: "readOverview",
  targetMs: DASHBOARD_MS,
  run: async (db, r) => overviewDigest(await readOverview(db, r)),
  raw: async (db, r) => overviewDigest(await readOverview(db, r, null, { forceRaw: true })),
  duck: async (conn, r) => {
    const p = previous(r);
    const rows = await duckRows(conn, `SELECT asked_at >= ${ts(r.fromMs)} AS cur, count(*) AS questions, count(DISTINCT user_id) AS users,
        count(*) FILTER (WHERE id = conversation_id) AS conversations,
        count(*) FILTER (WHERE outcome = 'answered') AS answered, count(*) FILTER (WHERE outcome = 'hedged') AS hedged,
        count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) FILTER (WHERE outcome = 'unfinished') AS unfinished,
        count(*) FILTER (WHERE partial) AS partial, count(*) FILTER (WHERE no_documents) AS noDocuments,
        count(*) FILTER (WHERE slow) AS slow, count(*) FILTER (WHERE reasked) AS reasked,
        count(*) FILTER (WHERE cache_hit) AS cache_hits, count(cache_hit) AS cache_known,
        count(latency_ms) AS latency_n, avg(latency_ms) AS latency_mean,
        quantile_disc(latency_ms, [0.5, 0.9, 0.95, 0.99]) AS latency_p
      FROM questions WHERE ${inRange({ fromMs: p.fromMs, toMs: r.toMs })} GROUP BY 1`);
    const d: Digest = new Map();
    for (const [prefix, cur] of [["", true], ["previous.", false]] as const) {
      const row = rows.find((x) => x.cur === cur) ?? {};
      for (const k of OVERVIEW_KEYS) d.set(prefix + k, String(num(row[k.toLowerCase()] ?? row[k])));
      d.set(`${prefix}latency.count`, String(num(row.latency_n)));
    }
    return d;
  },
};

function overviewDigest(o: Awaited<ReturnType<typeof readOverview>>): Digest {
  const d: Digest = new Map();
  for (const [prefix, p] of [["", o], ["previous.", o.previous]] as const) {
    for (const k of OVERVIEW_KEYS) d.set(prefix + k, String(p[k]));
    d.set(`${prefix}latency.count`, String(p.latencyMs.count));
  }
  return d;
}

// ------------------------------------------------------------------- series

/** DuckDB: the start of the local interval holding asked_at, as epoch ms. */
function duckBucket(interval: Interval, timeZone: string): string {
  return `epoch_ms(timezone('${timeZone}', date_trunc('${interval}', timezone('${timeZone}', asked_at))))`;
}

function countsCase(interval: Interval, timeZone: string): Case {
  const range = (r: BenchRange): SeriesRange => ({ fromMs: r.fromMs, toMs: r.toMs, interval, timeZone });
  const dig = (buckets: Awaited<ReturnType<typeof readQuestionCounts>>): Digest =>
    digest(buckets.filter((b) => b.count > 0).map((b) => [String(b.startMs), `${b.count}/${b.answered}/${b.hedged}/${b.failed}/${b.unfinished}`]));
  return {
    name: `readQuestionCounts ${interval} ${timeZone}`,
    reader: "readQuestionCounts",
    targetMs: DASHBOARD_MS,
    run: async (db, r) => dig(await readQuestionCounts(db, range(r))),
    raw: async (db, r) => dig(await readQuestionCounts(db, range(r), null, { forceRaw: true })),
    duck: async (conn, r) => {
      const rows = await duckRows(conn, `SELECT ${duckBucket(interval, timeZone)} AS bucket, count(*) AS n,
          count(*) FILTER (WHERE outcome = 'answered') AS answered, count(*) FILTER (WHERE outcome = 'hedged') AS hedged,
          count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) FILTER (WHERE outcome = 'unfinished') AS unfinished
        FROM questions WHERE ${inRange(r)} GROUP BY 1 ORDER BY 1`);
      return digest(rows.map((x) => [String(num(x.bucket)), `${num(x.n)}/${num(x.answered)}/${num(x.hedged)}/${num(x.failed)}/${num(x.unfinished)}`]));
    },
  };
}

function responseTimesCase(interval: Interval, timeZone: string): Case {
  const range = (r: BenchRange): SeriesRange => ({ fromMs: r.fromMs, toMs: r.toMs, interval, timeZone });
  const dig = (buckets: Awaited<ReturnType<typeof readResponseTimes>>): Digest =>
    digest(buckets.filter((b) => b.count > 0).map((b) => [String(b.startMs), b.count]));
  return {
    name: `readResponseTimes ${interval} ${timeZone}`,
    reader: "readResponseTimes",
    targetMs: DASHBOARD_MS,
    run: async (db, r) => dig(await readResponseTimes(db, range(r))),
    raw: async (db, r) => dig(await readResponseTimes(db, range(r), null, { forceRaw: true })),
    duck: async (conn, r) => {
      const rows = await duckRows(conn, `SELECT ${duckBucket(interval, timeZone)} AS bucket, count(latency_ms) AS n, avg(latency_ms) AS mean,
          quantile_disc(latency_ms, [0.5, 0.9, 0.95, 0.99]) AS p
        FROM questions WHERE ${inRange(r)} AND latency_ms IS NOT NULL GROUP BY 1 ORDER BY 1`);
      return digest(rows.map((x) => [String(num(x.bucket)), num(x.n)]));
    },
  };
}

// ---------------------------------------------------------------- breakdown

const DIM_COLUMN: Record<Dimension, string> = { topic: "topic", fund: "fund", platform: "platform", appVersion: "app_version" };

function breakdownCase(dim: Dimension): Case {
  const dig = (rows: Awaited<ReturnType<typeof readBreakdown>>): Digest =>
    digest(rows.map((b) => [str(b.value), `${b.count}/${b.answered}/${b.hedged}/${b.failed}/${b.unfinished} prev ${b.previousCount}`]));
  return {
    name: `readBreakdown ${dim}`,
    reader: "readBreakdown",
    targetMs: DASHBOARD_MS,
    run: async (db, r) => dig(await readBreakdown(db, dim, r)),
    raw: async (db, r) => dig(await readBreakdown(db, dim, r, null, { forceRaw: true })),
    duck: async (conn, r) => {
      const p = previous(r);
      const cur = `asked_at >= ${ts(r.fromMs)}`;
      const rows = await duckRows(conn, `SELECT ${DIM_COLUMN[dim]} AS value, count(*) FILTER (WHERE ${cur}) AS n,
          count(*) FILTER (WHERE ${cur} AND outcome = 'answered') AS answered, count(*) FILTER (WHERE ${cur} AND outcome = 'hedged') AS hedged,
          count(*) FILTER (WHERE ${cur} AND outcome = 'failed') AS failed, count(*) FILTER (WHERE ${cur} AND outcome = 'unfinished') AS unfinished,
          count(*) FILTER (WHERE NOT ${cur}) AS prev
        FROM questions WHERE ${inRange({ fromMs: p.fromMs, toMs: r.toMs })} GROUP BY 1 HAVING n > 0 ORDER BY n DESC, value`);
      return digest(rows.map((x) => [str(x.value), `${num(x.n)}/${num(x.answered)}/${num(x.hedged)}/${num(x.failed)}/${num(x.unfinished)} prev ${num(x.prev)}`]));
    },
  };
}

// ----------------------------------------------------------- knowledge gaps

const PAGE = 25;

const knowledgeGaps: Case = {
  name: "readKnowledgeGaps",
  reader: "readKnowledgeGaps",
  targetMs: DASHBOARD_MS,
  run: async (db, r) => {
    const page = await readKnowledgeGaps(db, r);
    return digest([["total", page.totalCount], ...page.gaps.map((g, i) => [`${i} ${str(g.fund)}|${str(g.topic)}`, `${g.hedged}/${g.partial}/${g.questions} ex ${g.examples.length}`] as [string, string])]);
  },
  // The plain GROUP BY over the question rows, and the same examples query.
  raw: async (db, r) => {
    const { rows } = await db.query<{ fund: string | null; topic: string | null; hedged: string; partial: string; questions: string; total: string; ex: string }>(
      `WITH g AS (
         SELECT b.fund, b.topic, count(*) FILTER (WHERE b.outcome = 'hedged') AS hedged, count(*) FILTER (WHERE b.partial) AS partial, count(*) AS questions
         FROM bot_questions b WHERE b.asked_at >= $1 AND b.asked_at < $2 AND b.merged_into IS NULL
         GROUP BY b.fund, b.topic HAVING count(*) FILTER (WHERE b.outcome = 'hedged') > 0),
       top AS (SELECT g.*, count(*) OVER () AS total FROM g ORDER BY hedged DESC, fund NULLS LAST, topic NULLS LAST LIMIT ${PAGE})
       SELECT top.*, (SELECT count(*) FROM (SELECT 1 FROM bot_questions b WHERE b.outcome = 'hedged' AND b.merged_into IS NULL
           AND b.fund IS NOT DISTINCT FROM top.fund AND b.topic IS NOT DISTINCT FROM top.topic AND b.asked_at >= $1 AND b.asked_at < $2
           ORDER BY b.asked_at DESC LIMIT 3) e) AS ex
       FROM top ORDER BY hedged DESC, fund NULLS LAST, topic NULLS LAST`,
      [new Date(r.fromMs), new Date(r.toMs)],
    );
    return digest([["total", num(rows[0]?.total)], ...rows.map((g, i) => [`${i} ${str(g.fund)}|${str(g.topic)}`, `${g.hedged}/${g.partial}/${g.questions} ex ${g.ex}`] as [string, string])]);
  },
  duck: async (conn, r) => {
    const rows = await duckRows(conn, `WITH g AS (
        SELECT fund, topic, count(*) FILTER (WHERE outcome = 'hedged') AS hedged, count(*) FILTER (WHERE partial) AS partial, count(*) AS questions
        FROM questions WHERE ${inRange(r)} GROUP BY fund, topic HAVING count(*) FILTER (WHERE outcome = 'hedged') > 0)
      SELECT g.*, count(*) OVER () AS total FROM g ORDER BY hedged DESC, fund NULLS LAST, topic NULLS LAST LIMIT ${PAGE}`);
    const ex = await duckRows(conn, `SELECT fund, topic, count(*) AS n FROM (
        SELECT q.fund, q.topic FROM questions q
        WHERE q.outcome = 'hedged' AND ${inRange(r, "q.asked_at")}
          AND (coalesce(q.fund, '∅'), coalesce(q.topic, '∅')) IN (${rows.map((x) => `(${lit(x.fund)}, ${lit(x.topic)})`).join(", ") || "('', '')"})
        QUALIFY row_number() OVER (PARTITION BY q.fund, q.topic ORDER BY q.asked_at DESC) <= 3) GROUP BY ALL`);
    const exN = new Map(ex.map((x) => [`${str(x.fund)}|${str(x.topic)}`, num(x.n)]));
    return digest([["total", num(rows[0]?.total)],
      ...rows.map((g, i) => [`${i} ${str(g.fund)}|${str(g.topic)}`, `${num(g.hedged)}/${num(g.partial)}/${num(g.questions)} ex ${exN.get(`${str(g.fund)}|${str(g.topic)}`) ?? 0}`] as [string, string])]);
  },
};

function lit(v: unknown): string {
  return v === null || v === undefined ? "'∅'" : `'${String(v).replace(/'/g, "''")}'`;
}

// --------------------------------------------------------- common questions

/** The plain GROUP BY behind common questions: per group over one range (PostgreSQL). */
const PG_GROUPS = `SELECT coalesce(qg.group_id, 'fp_' || md5(f.fingerprint)) AS id,
    (array_agg(coalesce(qg.representative, f.text) ORDER BY f.n DESC, f.fingerprint))[1] AS text,
    sum(f.n) AS n, sum(f.hedged) AS hedged, min(f.first) AS first, max(f.last) AS last
  FROM (SELECT b.fingerprint, min(b.question) AS text, count(*) AS n, count(*) FILTER (WHERE b.outcome = 'hedged') AS hedged,
               min(b.asked_at) AS first, max(b.asked_at) AS last
        FROM bot_questions b WHERE b.asked_at >= $1 AND b.asked_at < $2 AND b.merged_into IS NULL GROUP BY b.fingerprint) f
  LEFT JOIN question_groups qg ON qg.fingerprint = f.fingerprint GROUP BY 1`;

const duckGroups = (r: { fromMs: number; toMs: number }): string => `SELECT coalesce(qg.group_id, 'fp_' || md5(f.fingerprint)) AS id,
    arg_max(coalesce(qg.representative, f.text), f.n) AS text, sum(f.n) AS n, sum(f.hedged) AS hedged, min(f.first) AS first, max(f.last) AS last
  FROM (SELECT fingerprint, min(question) AS text, count(*) AS n, count(*) FILTER (WHERE outcome = 'hedged') AS hedged,
               min(asked_at) AS first, max(asked_at) AS last
        FROM questions WHERE ${inRange(r)} GROUP BY fingerprint) f
  LEFT JOIN question_groups qg ON qg.fingerprint = f.fingerprint GROUP BY 1`;

const commonQuestions: Case = {
  name: "readCommonQuestions",
  reader: "readCommonQuestions",
  targetMs: DASHBOARD_MS,
  run: async (db, r) => {
    const page = await readCommonQuestions(db, r);
    return digest([["total", page.totalCount], ...page.nodes.map(({ node: g }, i) => [`${i} ${g.id}`, `${g.count}/${g.hedged} prev ${g.previousCount}`] as [string, string])]);
  },
  raw: async (db, r) => {
    const p = previous(r);
    const { rows } = await db.query<{ id: string; n: string; hedged: string; groups: string }>(
      `WITH g AS (${PG_GROUPS}) SELECT g.id, g.n, g.hedged, count(*) OVER () AS groups FROM g ORDER BY g.n DESC, g.id LIMIT ${PAGE + 1}`,
      [new Date(r.fromMs), new Date(r.toMs)],
    );
    const page = rows.slice(0, PAGE);
    const prev = await db.query<{ id: string; n: string }>(`SELECT g.id, g.n FROM (${PG_GROUPS}) g WHERE g.id = ANY($3::text[])`,
      [new Date(p.fromMs), new Date(p.toMs), page.map((x) => x.id)]);
    const prevN = new Map(prev.rows.map((x) => [x.id, num(x.n)]));
    return digest([["total", num(rows[0]?.groups)], ...page.map((g, i) => [`${i} ${g.id}`, `${g.n}/${g.hedged} prev ${prevN.get(g.id) ?? 0}`] as [string, string])]);
  },
  duck: async (conn, r) => {
    const rows = await duckRows(conn, `WITH g AS (${duckGroups(r)}) SELECT g.id, g.n, g.hedged, g.text, count(*) OVER () AS groups
      FROM g ORDER BY g.n DESC, g.id LIMIT ${PAGE + 1}`);
    const page = rows.slice(0, PAGE);
    const prev = page.length === 0 ? [] : await duckRows(conn, `SELECT g.id, g.n FROM (${duckGroups(previous(r))}) g
      WHERE g.id IN (${page.map((x) => lit(x.id)).join(", ")})`);
    const prevN = new Map(prev.map((x) => [String(x.id), num(x.n)]));
    return digest([["total", num(rows[0]?.groups)], ...page.map((g, i) => [`${i} ${String(g.id)}`, `${num(g.n)}/${num(g.hedged)} prev ${prevN.get(String(g.id)) ?? 0}`] as [string, string])]);
  },
};

// ------------------------------------------------------------ question lists

/** attentionScore in DuckDB SQL: same weights as packages/store/src/read/question-row.ts. */
const WEIGHTS = [
  "CASE WHEN outcome = 'failed' THEN 100 ELSE 0 END",
  "CASE WHEN outcome = 'unfinished' THEN 80 ELSE 0 END",
  "CASE WHEN reasked THEN 60 ELSE 0 END",
  "CASE WHEN outcome = 'hedged' AND NOT partial THEN 50 ELSE 0 END",
  "CASE WHEN no_documents THEN 40 ELSE 0 END",
  "CASE WHEN partial THEN 30 ELSE 0 END",
  "CASE WHEN slow THEN 20 ELSE 0 END",
];
const WORST = `greatest(${WEIGHTS.join(", ")})`;
const DUCK_SCORE = `(${WORST} + ((${WEIGHTS.join(" + ")}) - ${WORST}) / 10.0)`;
const QUESTION_COLS = "id, asked_at, user_id, deal_id, fund, topic, question, answer, outcome, partial, no_documents, slow, reasked, latency_ms, cache_hit, conversation_id, platform, app_version";

const pageDigest = (total: number, ids: string[]): Digest => digest([["total", total], ...ids.map((id, i) => [`${i}`, id] as [string, string])]);

const problemQuestions: Case = {
  name: "readProblemQuestions",
  reader: "readProblemQuestions",
  targetMs: DASHBOARD_MS,
  run: async (db, r) => {
    const page = await readProblemQuestions(db, r, null);
    return pageDigest(page.totalCount, page.nodes.map((n) => n.node.id));
  },
  raw: null,
  duck: async (conn, r) => {
    const where = `${inRange(r)} AND (outcome IN ('failed', 'unfinished', 'hedged') OR no_documents OR slow OR reasked)`;
    const rows = await duckRows(conn, `SELECT ${QUESTION_COLS}, ${DUCK_SCORE} AS score, (SELECT count(*) FROM questions WHERE ${where}) AS total
      FROM questions WHERE ${where} ORDER BY score DESC, asked_at DESC, id DESC LIMIT ${PAGE + 1}`);
    return pageDigest(num(rows[0]?.total), rows.slice(0, PAGE).map((x) => String(x.id)));
  },
};

function searchCase(text: string, pattern: string): Case {
  return {
    name: `searchQuestions "${text}"`,
    reader: "searchQuestions",
    targetMs: SEARCH_MS,
    run: async (db, r) => {
      const page = await searchQuestions(db, text, r);
      return pageDigest(page.totalCount, page.nodes.map((n) => n.node.id));
    },
    raw: null,
    // No PostgreSQL stemmer here: a word regex over question and answer, plus the literal text in the question.
    duck: async (conn, r) => {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const where = `${inRange(r)} AND (regexp_matches(question, '${pattern}') OR regexp_matches(coalesce(answer, ''), '${pattern}') OR question ILIKE ${lit(like)} ESCAPE '\\')`;
      const rows = await duckRows(conn, `SELECT ${QUESTION_COLS}, (SELECT count(*) FROM questions WHERE ${where}) AS total
        FROM questions WHERE ${where} ORDER BY asked_at DESC, id DESC LIMIT ${PAGE + 1}`);
      return pageDigest(num(rows[0]?.total), rows.slice(0, PAGE).map((x) => String(x.id)));
    },
    duckApproximate: true,
  };
}

const conversations: Case = {
  name: "readConversations",
  reader: "readConversations",
  targetMs: DASHBOARD_MS,
  run: async (db, r) => {
    const page = await readConversations(db, r);
    return pageDigest(page.totalCount, page.nodes.map((n) => n.node.id));
  },
  raw: null,
  duck: async (conn, r) => {
    const rows = await duckRows(conn, `WITH page AS (
        SELECT * FROM conversations WHERE ${inRange(r, "started_at")} ORDER BY started_at DESC, id DESC LIMIT ${PAGE + 1})
      SELECT page.*, q.question AS first_question, (SELECT count(*) FROM conversations WHERE ${inRange(r, "started_at")}) AS total
      FROM page LEFT JOIN questions q ON q.id = page.id AND q.asked_at = page.started_at
      ORDER BY page.started_at DESC, page.id DESC`);
    return pageDigest(num(rows[0]?.total), rows.slice(0, PAGE).map((x) => String(x.id)));
  },
};

export const CASES: readonly Case[] = [
  overview,
  countsCase("day", "UTC"),
  countsCase("day", "Europe/London"),
  countsCase("week", "UTC"),
  countsCase("week", "Europe/London"),
  responseTimesCase("day", "UTC"),
  breakdownCase("topic"),
  breakdownCase("fund"),
  breakdownCase("platform"),
  knowledgeGaps,
  commonQuestions,
  problemQuestions,
  searchCase("fees", "(?i)\\bfees?\\b"),
  searchCase("zakat", "(?i)\\bzakat\\b"),
  conversations,
];

/** Keys whose values differ (or are missing on one side), as printable lines, at most `limit`. */
export function compareDigests(a: Digest, b: Digest, limit = 4): string[] {
  const out: string[] = [];
  let n = 0;
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === y) continue;
    if (n++ < limit) out.push(`${k}: ${x ?? "(none)"} vs ${y ?? "(none)"}`);
  }
  if (n > limit) out.push(`… ${n - limit} more`);
  return out;
}
