-- 0002: rollups of bot questions per UTC hour and per UTC day, and the
-- distinct users per day, so dashboard readers answer a year in milliseconds.
--
-- Why this shape:
-- - One row per (grain, bucket, dimension set, dimension values). A full cube
--   over topic x fund x platform x app version would hold nearly as many rows
--   as the questions themselves; instead each bucket is grouped by a few
--   dimension sets (grouping sets): nothing, each single dimension, and
--   fund x topic (day grain only: it is what knowledge gaps read). `dimset`
--   is GROUPING(topic, fund, platform, app_version): a set bit means "all
--   values" for that column, so NULL in a grouped column is a real NULL.
-- - Outcomes and signals are count columns, not a dimension: a row carries
--   answered/hedged/failed/unfinished side by side (4x fewer rows).
-- - Latency is a log-scale histogram (bins of 4%, so any percentile read
--   from it is within 2% of the exact one), stored sparse as two parallel
--   arrays: bin numbers and counts. bin = 0 when ms <= 1, else
--   ceil(ln(ms) / ln(1.04)); packages/logs/src/analytics/latency-histogram.ts
--   mirrors it.
-- - Rollups are rebuilt from the question rows for whole UTC days inside the
--   ingest transaction (refresh_question_rollups): idempotent, so re-ingested
--   or out-of-order files and flags changed later (a question becomes
--   "re-asked" when the next file arrives) can never make them drift.

-- A question cut across two files is stored as an unfinished start (end of
-- one file) and an orphan outcome (top of the next). The ingest joins them
-- (packages/store/src/write/split-questions.ts): the start takes the
-- outcome's answer and records `joined_from`; the orphan row stays, hidden
-- by `merged_into`, so re-ingesting either file joins them again and nothing
-- is lost. Every reader skips rows with merged_into set.
ALTER TABLE bot_questions ADD COLUMN merged_into bigint, ADD COLUMN joined_from bigint;

-- The "needs attention" score (packages/logs/src/signals.ts attentionScore:
-- the worst signal's weight plus a tenth of the others'), stored so the
-- problem list pages worst-first from an index instead of scoring and
-- sorting every question of the range.
ALTER TABLE bot_questions ADD COLUMN attention real GENERATED ALWAYS AS (
  greatest(
    CASE WHEN outcome = 'failed' THEN 100 ELSE 0 END, CASE WHEN outcome = 'unfinished' THEN 80 ELSE 0 END,
    CASE WHEN reasked THEN 60 ELSE 0 END, CASE WHEN outcome = 'hedged' AND NOT partial THEN 50 ELSE 0 END,
    CASE WHEN no_documents THEN 40 ELSE 0 END, CASE WHEN partial THEN 30 ELSE 0 END, CASE WHEN slow THEN 20 ELSE 0 END)
  + ((CASE WHEN outcome = 'failed' THEN 100 ELSE 0 END) + (CASE WHEN outcome = 'unfinished' THEN 80 ELSE 0 END)
     + (CASE WHEN reasked THEN 60 ELSE 0 END) + (CASE WHEN outcome = 'hedged' AND NOT partial THEN 50 ELSE 0 END)
     + (CASE WHEN no_documents THEN 40 ELSE 0 END) + (CASE WHEN partial THEN 30 ELSE 0 END) + (CASE WHEN slow THEN 20 ELSE 0 END)
     - greatest(
       CASE WHEN outcome = 'failed' THEN 100 ELSE 0 END, CASE WHEN outcome = 'unfinished' THEN 80 ELSE 0 END,
       CASE WHEN reasked THEN 60 ELSE 0 END, CASE WHEN outcome = 'hedged' AND NOT partial THEN 50 ELSE 0 END,
       CASE WHEN no_documents THEN 40 ELSE 0 END, CASE WHEN partial THEN 30 ELSE 0 END, CASE WHEN slow THEN 20 ELSE 0 END)) / 10.0
) STORED;
CREATE INDEX bot_questions_attention_idx ON bot_questions (attention DESC, asked_at DESC, id DESC) WHERE attention > 0;

CREATE TABLE question_rollups (
  grain          text        NOT NULL CHECK (grain IN ('hour', 'day')),
  bucket         timestamptz NOT NULL,
  dimset         smallint    NOT NULL,
  topic          text,
  fund           text,
  platform       text,
  app_version    text,
  questions      integer     NOT NULL,
  answered       integer     NOT NULL,
  hedged         integer     NOT NULL,              -- includes partial answers
  failed         integer     NOT NULL,
  unfinished     integer     NOT NULL,
  partial        integer     NOT NULL,
  no_documents   integer     NOT NULL,
  slow           integer     NOT NULL,
  reasked        integer     NOT NULL,
  cache_hits     integer     NOT NULL,
  cache_known    integer     NOT NULL,              -- questions whose cache hit is known
  conversations  integer     NOT NULL,              -- conversations whose first question is here
  latency_n      integer     NOT NULL,
  latency_sum    bigint      NOT NULL,
  latency_bins   smallint[]  NOT NULL,
  latency_counts integer[]   NOT NULL,
  CONSTRAINT question_rollups_key UNIQUE NULLS NOT DISTINCT (grain, dimset, bucket, topic, fund, platform, app_version)
);

-- Distinct users cannot be added up across buckets; counting them over a
-- year reads this table (one row per user per active day) instead of every
-- question.
CREATE TABLE question_user_days (
  day       date    NOT NULL,
  user_id   bigint  NOT NULL,
  questions integer NOT NULL,
  PRIMARY KEY (day, user_id)
);

-- The same per UTC hour (short ranges: a day's distinct users from ~24 x a
-- few hundred rows) and per UTC month (a year's from 12 x the active users).
CREATE TABLE question_user_hours (
  hour      timestamptz NOT NULL,
  user_id   bigint      NOT NULL,
  questions integer     NOT NULL,
  PRIMARY KEY (hour, user_id)
);
CREATE TABLE question_user_months (
  month     date    NOT NULL,
  user_id   bigint  NOT NULL,
  questions integer NOT NULL,
  PRIMARY KEY (month, user_id)
);

-- Questions asked per day by normalized text, for "common questions" over
-- any range without reading every question. Topic and fund are derived from
-- the question text, so they ride along and can filter.
CREATE TABLE question_fingerprint_days (
  day           date        NOT NULL,
  fingerprint   text        NOT NULL,
  topic         text,
  fund          text,
  questions     integer     NOT NULL,
  hedged        integer     NOT NULL,
  first_asked_at timestamptz NOT NULL,
  last_asked_at timestamptz NOT NULL,
  sample_text   text        NOT NULL,              -- one original wording
  CONSTRAINT question_fingerprint_days_key UNIQUE NULLS NOT DISTINCT (day, fingerprint, topic, fund)
);

-- Which common-question group each fingerprint belongs to, written by the
-- grouping job (packages/store/src/analytics/regroup.ts) after ingest runs:
-- near-duplicate merging needs corpus-wide word statistics, so it runs over
-- all fingerprints at once rather than per file. A fingerprint not grouped
-- yet counts as its own group until the next run.
CREATE TABLE question_groups (
  fingerprint    text        PRIMARY KEY,
  group_id       text        NOT NULL,
  representative text        NOT NULL,
  grouped_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX question_groups_group_idx ON question_groups (group_id);

-- Example questions of a knowledge gap: the latest hedged questions of one fund and topic.
CREATE INDEX bot_questions_gap_idx ON bot_questions (fund, topic, asked_at DESC) WHERE outcome = 'hedged';

-- Rebuilds both grains, the user days and the fingerprint days for the UTC days [from_day, to_day].
CREATE FUNCTION refresh_question_rollups(from_day date, to_day date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := from_day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (to_day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  -- Two transactions refreshing one day take turns, so neither rebuilds it
  -- from a snapshot that misses the other's questions (days in ascending order: no deadlock).
  PERFORM pg_advisory_xact_lock(hashtextextended('question_rollups:' || d::date::text, 0))
  FROM generate_series(from_day::timestamp, to_day::timestamp, interval '1 day') AS d;
  -- The months are rebuilt whole: after the days, in ascending order too.
  PERFORM pg_advisory_xact_lock(hashtextextended('question_user_months:' || m::date::text, 0))
  FROM generate_series(date_trunc('month', from_day::timestamp), date_trunc('month', to_day::timestamp), interval '1 month') AS m;
  DELETE FROM question_rollups WHERE bucket >= lo AND bucket < hi;
  DELETE FROM question_user_days WHERE day BETWEEN from_day AND to_day;
  DELETE FROM question_user_hours WHERE hour >= lo AND hour < hi;
  DELETE FROM question_fingerprint_days WHERE day BETWEEN from_day AND to_day;

  INSERT INTO question_rollups
  WITH q AS (
    SELECT date_trunc('hour', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
           date_trunc('day', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
           topic, fund, platform, app_version, outcome, partial, no_documents, slow, reasked,
           cache_hit, latency_ms, id = conversation_id AS starts_conversation,
           CASE WHEN latency_ms IS NULL THEN NULL
                WHEN latency_ms <= 1 THEN 0
                ELSE ceil(ln(latency_ms) / ln(1.04))::int END AS bin
    FROM bot_questions WHERE asked_at >= lo AND asked_at < hi AND merged_into IS NULL
  ),
  per_bin AS (
    SELECT CASE WHEN GROUPING(hour) = 0 THEN 'hour' ELSE 'day' END AS grain,
           coalesce(hour, day) AS bucket,
           GROUPING(topic, fund, platform, app_version)::smallint AS dimset,
           topic, fund, platform, app_version, bin,
           count(*)::int AS questions,
           count(*) FILTER (WHERE outcome = 'answered')::int AS answered,
           count(*) FILTER (WHERE outcome = 'hedged')::int AS hedged,
           count(*) FILTER (WHERE outcome = 'failed')::int AS failed,
           count(*) FILTER (WHERE outcome = 'unfinished')::int AS unfinished,
           count(*) FILTER (WHERE partial)::int AS partial,
           count(*) FILTER (WHERE no_documents)::int AS no_documents,
           count(*) FILTER (WHERE slow)::int AS slow,
           count(*) FILTER (WHERE reasked)::int AS reasked,
           count(*) FILTER (WHERE cache_hit)::int AS cache_hits,
           count(cache_hit)::int AS cache_known,
           count(*) FILTER (WHERE starts_conversation)::int AS conversations,
           count(latency_ms)::int AS latency_n,
           coalesce(sum(latency_ms), 0)::bigint AS latency_sum
    FROM q
    GROUP BY GROUPING SETS (
      (hour, bin), (hour, topic, bin), (hour, fund, bin), (hour, platform, bin), (hour, app_version, bin),
      (day, bin), (day, topic, bin), (day, fund, bin), (day, platform, bin), (day, app_version, bin),
      (day, fund, topic, bin))
  )
  SELECT grain, bucket, dimset, topic, fund, platform, app_version,
         sum(questions), sum(answered), sum(hedged), sum(failed), sum(unfinished), sum(partial),
         sum(no_documents), sum(slow), sum(reasked), sum(cache_hits), sum(cache_known), sum(conversations),
         sum(latency_n), sum(latency_sum),
         coalesce(array_agg(bin::smallint ORDER BY bin) FILTER (WHERE bin IS NOT NULL), '{}'),
         coalesce(array_agg(questions ORDER BY bin) FILTER (WHERE bin IS NOT NULL), '{}')
  FROM per_bin
  GROUP BY grain, bucket, dimset, topic, fund, platform, app_version;

  INSERT INTO question_user_days (day, user_id, questions)
  SELECT (asked_at AT TIME ZONE 'UTC')::date, user_id, count(*)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND user_id IS NOT NULL AND merged_into IS NULL
  GROUP BY 1, 2;

  INSERT INTO question_user_hours (hour, user_id, questions)
  SELECT date_trunc('hour', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', user_id, count(*)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND user_id IS NOT NULL AND merged_into IS NULL
  GROUP BY 1, 2;

  -- Months from their days (every day of a touched month, so the month is whole again).
  DELETE FROM question_user_months
  WHERE month BETWEEN date_trunc('month', from_day)::date AND date_trunc('month', to_day)::date;
  INSERT INTO question_user_months (month, user_id, questions)
  SELECT date_trunc('month', day)::date, user_id, sum(questions)
  FROM question_user_days
  WHERE day >= date_trunc('month', from_day)::date AND day < (date_trunc('month', to_day) + interval '1 month')::date
  GROUP BY 1, 2;

  INSERT INTO question_fingerprint_days
  SELECT (asked_at AT TIME ZONE 'UTC')::date, fingerprint, topic, fund, count(*),
         count(*) FILTER (WHERE outcome = 'hedged'), min(asked_at), max(asked_at), min(question)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND merged_into IS NULL
  GROUP BY 1, 2, 3, 4;
END $$;

-- Rollups for questions stored before this migration.
DO $$
DECLARE lo date; hi date;
BEGIN
  SELECT (min(asked_at) AT TIME ZONE 'UTC')::date, (max(asked_at) AT TIME ZONE 'UTC')::date INTO lo, hi FROM bot_questions;
  IF lo IS NOT NULL THEN PERFORM refresh_question_rollups(lo, hi); END IF;
END $$;
