-- 0006: rollups maintained at the cost of the change, not of the day.
--
-- Until now every ingest transaction rebuilt the whole UTC day's rollups
-- (refresh_question_rollups) under a per-day advisory lock: the cost of a
-- file grew with how busy its day already was, and workers on one day took
-- turns. Now (the ClickHouse SummingMergeTree pattern):
--
-- - Additive deltas. Statement-level triggers on bot_questions see the rows
--   each INSERT, UPDATE or DELETE added and removed (transition tables) and
--   append their net contribution (added minus removed) as new rows of
--   question_rollups, question_user_hours/days/months and
--   question_fingerprint_days. Appending never conflicts with another
--   transaction's rows, so no lock serializes a day or an hour. The keys
--   stop being unique: several rows may hold parts of one key until they
--   are merged, and readers add them up (they already summed over buckets).
--   Whatever writes bot_questions (ingest, joins of split questions,
--   conversation flags, topic reassignment, erasure) keeps the rollups exact
--   without calling anything.
-- - Merging off the ingest path. Each delta also logs its hours in
--   rollup_pending; compact_question_rollups() (the ingest calls it after
--   each transaction commits, and once more at the end of a run) merges the
--   rows of each key of those hours and days back into one, dropping keys
--   that add up to zero, so the tables settle to exactly what a rebuild from
--   scratch writes.
-- - Minimums and maximums cannot be subtracted. When a question leaves a
--   fingerprint day (deleted, re-labelled, merged into another), the key is
--   logged in fingerprint_day_rechecks and the merge recomputes that key
--   from its question rows (an index range scan on fingerprint, asked_at).
--   Counts are exact at once; a removed question's time or wording can
--   linger as that key's first/last asked or sample text until the merge.
-- - refresh_question_rollups stays, as the reference and the repair tool.
--   Each of its tables is now rebuilt by one statement (delete and insert
--   share a snapshot), so a transaction committing meanwhile is counted
--   exactly once: either its questions and its deltas are both seen, or
--   neither. It and the merge take turns on one advisory lock (a merge
--   re-inserts what it deleted, a rebuild recomputes: the two must not
--   interleave); the ingest never takes it.
-- Retention drops whole partitions, which fires no trigger: rollups of
-- dropped days stay as they were, as before.

ALTER TABLE question_rollups DROP CONSTRAINT question_rollups_key;
CREATE INDEX question_rollups_key_idx ON question_rollups (grain, dimset, bucket, topic, fund, platform, app_version);
ALTER TABLE question_user_hours DROP CONSTRAINT question_user_hours_pkey;
CREATE INDEX question_user_hours_key_idx ON question_user_hours (hour, user_id);
ALTER TABLE question_user_days DROP CONSTRAINT question_user_days_pkey;
CREATE INDEX question_user_days_key_idx ON question_user_days (day, user_id);
ALTER TABLE question_user_months DROP CONSTRAINT question_user_months_pkey;
CREATE INDEX question_user_months_key_idx ON question_user_months (month, user_id);
ALTER TABLE question_fingerprint_days DROP CONSTRAINT question_fingerprint_days_key;
CREATE INDEX question_fingerprint_days_key_idx ON question_fingerprint_days (day, fingerprint, topic, fund);

-- UTC hours whose rollup rows may hold several parts per key (append-only; duplicates are fine).
CREATE TABLE rollup_pending (hour timestamptz NOT NULL);
-- Fingerprint-day keys a question left: recomputed from their rows by the next merge.
CREATE TABLE fingerprint_day_rechecks (day date NOT NULL, fingerprint text NOT NULL, topic text, fund text);

-- Sparse latency histograms (0002) added up: the bins of concatenated
-- (bin, count) pairs, summed per bin, zero bins dropped, ascending.
CREATE AGGREGATE rollup_array_cat(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray, INITCOND = '{}');
CREATE FUNCTION latency_hist_bins(bins smallint[], counts integer[]) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(b ORDER BY b), '{}') FROM (
    SELECT b, sum(c) AS c FROM unnest(bins, counts) AS u(b, c) GROUP BY b) s WHERE c <> 0
$$;
CREATE FUNCTION latency_hist_counts(bins smallint[], counts integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(c::integer ORDER BY b), '{}') FROM (
    SELECT b, sum(c) AS c FROM unnest(bins, counts) AS u(b, c) GROUP BY b) s WHERE c <> 0
$$;

-- The advisory lock the merge and the rebuild take turns on: a fixed random bigint.
CREATE FUNCTION rollup_maintenance_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 5829120374412846173::bigint $$;

-- The trigger: one statement appends the net contribution of the rows the
-- triggering statement removed (sign -1) and added (sign +1). Keys whose
-- contribution is zero (an UPDATE that changed nothing counted) get no row.
CREATE FUNCTION question_rollup_deltas() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  src text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
    ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1 AS sign, o.* FROM old_rows o' END;
BEGIN
  EXECUTE format($q$
  WITH src AS MATERIALIZED (
    SELECT s.sign, s.id, s.asked_at, s.user_id, s.fingerprint, s.question, s.topic, s.fund, s.platform, s.app_version,
           s.outcome, s.partial, s.no_documents, s.slow, s.reasked, s.cache_hit, s.latency_ms, s.conversation_id
    FROM (%s) s WHERE s.merged_into IS NULL
  ),
  q AS (
    SELECT sign, user_id, date_trunc('hour', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
           date_trunc('day', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
           topic, fund, platform, app_version, outcome, partial, no_documents, slow, reasked,
           cache_hit, latency_ms, id = conversation_id AS starts_conversation,
           CASE WHEN latency_ms IS NULL THEN NULL
                WHEN latency_ms <= 1 THEN 0
                ELSE ceil(ln(latency_ms) / ln(1.04))::int END AS bin
    FROM src
  ),
  per_bin AS (
    SELECT CASE WHEN GROUPING(hour) = 0 THEN 'hour' ELSE 'day' END AS grain,
           coalesce(hour, day) AS bucket,
           GROUPING(topic, fund, platform, app_version)::smallint AS dimset,
           topic, fund, platform, app_version, bin,
           sum(sign) AS questions,
           coalesce(sum(sign) FILTER (WHERE outcome = 'answered'), 0) AS answered,
           coalesce(sum(sign) FILTER (WHERE outcome = 'hedged'), 0) AS hedged,
           coalesce(sum(sign) FILTER (WHERE outcome = 'failed'), 0) AS failed,
           coalesce(sum(sign) FILTER (WHERE outcome = 'unfinished'), 0) AS unfinished,
           coalesce(sum(sign) FILTER (WHERE partial), 0) AS partial,
           coalesce(sum(sign) FILTER (WHERE no_documents), 0) AS no_documents,
           coalesce(sum(sign) FILTER (WHERE slow), 0) AS slow,
           coalesce(sum(sign) FILTER (WHERE reasked), 0) AS reasked,
           coalesce(sum(sign) FILTER (WHERE cache_hit), 0) AS cache_hits,
           coalesce(sum(sign) FILTER (WHERE cache_hit IS NOT NULL), 0) AS cache_known,
           coalesce(sum(sign) FILTER (WHERE starts_conversation), 0) AS conversations,
           coalesce(sum(sign) FILTER (WHERE latency_ms IS NOT NULL), 0) AS latency_n,
           coalesce(sum(sign * latency_ms), 0) AS latency_sum
    FROM q
    GROUP BY GROUPING SETS (
      (hour, bin), (hour, topic, bin), (hour, fund, bin), (hour, platform, bin), (hour, app_version, bin),
      (day, bin), (day, topic, bin), (day, fund, bin), (day, platform, bin), (day, app_version, bin),
      (day, fund, topic, bin))
  ),
  keyed AS (
    SELECT grain, bucket, dimset, topic, fund, platform, app_version,
           sum(questions)::int AS questions, sum(answered)::int AS answered, sum(hedged)::int AS hedged,
           sum(failed)::int AS failed, sum(unfinished)::int AS unfinished, sum(partial)::int AS partial,
           sum(no_documents)::int AS no_documents, sum(slow)::int AS slow, sum(reasked)::int AS reasked,
           sum(cache_hits)::int AS cache_hits, sum(cache_known)::int AS cache_known, sum(conversations)::int AS conversations,
           sum(latency_n)::int AS latency_n, sum(latency_sum)::bigint AS latency_sum,
           coalesce(array_agg(bin::smallint ORDER BY bin) FILTER (WHERE bin IS NOT NULL AND questions <> 0), '{}') AS latency_bins,
           coalesce(array_agg(questions::int ORDER BY bin) FILTER (WHERE bin IS NOT NULL AND questions <> 0), '{}') AS latency_counts
    FROM per_bin
    GROUP BY grain, bucket, dimset, topic, fund, platform, app_version
  ),
  rollups AS (
    INSERT INTO question_rollups
    SELECT * FROM keyed
    WHERE questions <> 0 OR answered <> 0 OR hedged <> 0 OR failed <> 0 OR unfinished <> 0 OR partial <> 0
       OR no_documents <> 0 OR slow <> 0 OR reasked <> 0 OR cache_hits <> 0 OR cache_known <> 0
       OR conversations <> 0 OR latency_n <> 0 OR latency_sum <> 0 OR cardinality(latency_bins) > 0
  ),
  user_hours AS (
    INSERT INTO question_user_hours (hour, user_id, questions)
    SELECT hour, user_id, sum(sign) FROM q WHERE user_id IS NOT NULL GROUP BY 1, 2 HAVING sum(sign) <> 0
  ),
  user_days AS (
    INSERT INTO question_user_days (day, user_id, questions)
    SELECT (day AT TIME ZONE 'UTC')::date, user_id, sum(sign) FROM q WHERE user_id IS NOT NULL GROUP BY 1, 2 HAVING sum(sign) <> 0
  ),
  user_months AS (
    INSERT INTO question_user_months (month, user_id, questions)
    SELECT date_trunc('month', day AT TIME ZONE 'UTC')::date, user_id, sum(sign) FROM q WHERE user_id IS NOT NULL
    GROUP BY 1, 2 HAVING sum(sign) <> 0
  ),
  fingerprint_days AS (
    INSERT INTO question_fingerprint_days
    SELECT (asked_at AT TIME ZONE 'UTC')::date, fingerprint, topic, fund, sum(sign),
           coalesce(sum(sign) FILTER (WHERE outcome = 'hedged'), 0), min(asked_at), max(asked_at), min(question)
    FROM src GROUP BY 1, 2, 3, 4
    HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE outcome = 'hedged'), 0) <> 0
  ),
  -- A removed row not put back unchanged (same id, time, text and key) may have been its key's first, last or sample.
  rechecks AS (
    INSERT INTO fingerprint_day_rechecks (day, fingerprint, topic, fund)
    SELECT DISTINCT (o.asked_at AT TIME ZONE 'UTC')::date, o.fingerprint, o.topic, o.fund
    FROM src o
    WHERE o.sign < 0 AND NOT EXISTS (
      SELECT 1 FROM src n WHERE n.sign > 0 AND n.id = o.id AND n.asked_at = o.asked_at AND n.question = o.question
        AND n.fingerprint = o.fingerprint AND n.topic IS NOT DISTINCT FROM o.topic AND n.fund IS NOT DISTINCT FROM o.fund)
  ),
  pending AS (
    INSERT INTO rollup_pending (hour) SELECT DISTINCT hour FROM q
  )
  SELECT 1
  $q$, src);
  RETURN NULL;
END $fn$;

CREATE TRIGGER bot_questions_rollups_insert AFTER INSERT ON bot_questions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION question_rollup_deltas();
CREATE TRIGGER bot_questions_rollups_update AFTER UPDATE ON bot_questions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION question_rollup_deltas();
CREATE TRIGGER bot_questions_rollups_delete AFTER DELETE ON bot_questions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION question_rollup_deltas();

-- Merges the parts of every key of the pending hours (and their days and
-- months) into one row, and recomputes the logged fingerprint-day keys.
-- With wait = false it returns -1 at once when another merge or a rebuild
-- holds the lock (that one, or the next, does the work). Returns the number
-- of rows it replaced.
CREATE FUNCTION compact_question_rollups(wait boolean DEFAULT true) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  hrs timestamptz[];
  dys timestamptz[];
  dates date[];
  mos date[];
  written integer;
  replaced integer := 0;
  -- %1$I the table, %2$I its bucket column, $1 the buckets to merge.
  user_merge constant text := 'WITH parts AS (
      SELECT ctid AS t, count(*) OVER (PARTITION BY %2$I, user_id) AS parts FROM %1$I WHERE %2$I = ANY($1)),
    gone AS (DELETE FROM %1$I WHERE ctid = ANY(ARRAY(SELECT t FROM parts WHERE parts > 1)) RETURNING *)
    INSERT INTO %1$I SELECT %2$I, user_id, sum(questions) FROM gone GROUP BY 1, 2 HAVING sum(questions) <> 0';
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(rollup_maintenance_lock_key());
  ELSIF NOT pg_try_advisory_xact_lock(rollup_maintenance_lock_key()) THEN
    RETURN -1;
  END IF;

  -- Fingerprint-day keys a question left: recomputed whole from their rows (one snapshot for the delete and the count).
  WITH logged AS (DELETE FROM fingerprint_day_rechecks RETURNING day, fingerprint, topic, fund),
  k AS (SELECT DISTINCT day, fingerprint, topic, fund FROM logged),
  gone AS (
    DELETE FROM question_fingerprint_days fd USING k
    WHERE fd.day = k.day AND fd.fingerprint = k.fingerprint AND fd.topic IS NOT DISTINCT FROM k.topic AND fd.fund IS NOT DISTINCT FROM k.fund
  )
  INSERT INTO question_fingerprint_days
  SELECT k.day, k.fingerprint, k.topic, k.fund, count(*), count(*) FILTER (WHERE b.outcome = 'hedged'),
         min(b.asked_at), max(b.asked_at), min(b.question)
  FROM k JOIN bot_questions b
    ON b.fingerprint = k.fingerprint
   AND b.asked_at >= k.day::timestamp AT TIME ZONE 'UTC' AND b.asked_at < (k.day + 1)::timestamp AT TIME ZONE 'UTC'
   AND b.topic IS NOT DISTINCT FROM k.topic AND b.fund IS NOT DISTINCT FROM k.fund AND b.merged_into IS NULL
  GROUP BY k.day, k.fingerprint, k.topic, k.fund;
  GET DIAGNOSTICS written = ROW_COUNT;
  replaced := replaced + written;

  WITH logged AS (DELETE FROM rollup_pending RETURNING hour) SELECT array_agg(DISTINCT hour) INTO hrs FROM logged;
  IF hrs IS NULL THEN
    RETURN replaced;
  END IF;
  SELECT array_agg(DISTINCT date_trunc('day', h AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
         array_agg(DISTINCT (h AT TIME ZONE 'UTC')::date),
         array_agg(DISTINCT date_trunc('month', h AT TIME ZONE 'UTC')::date)
  INTO dys, dates, mos FROM unnest(hrs) AS h;

  WITH parts AS (
    SELECT ctid AS t, count(*) OVER (PARTITION BY grain, dimset, bucket, topic, fund, platform, app_version) AS parts
    FROM question_rollups WHERE (grain = 'hour' AND bucket = ANY(hrs)) OR (grain = 'day' AND bucket = ANY(dys))
  ),
  gone AS (DELETE FROM question_rollups WHERE ctid = ANY(ARRAY(SELECT t FROM parts WHERE parts > 1)) RETURNING *)
  INSERT INTO question_rollups
  SELECT grain, bucket, dimset, topic, fund, platform, app_version,
         sum(questions), sum(answered), sum(hedged), sum(failed), sum(unfinished), sum(partial), sum(no_documents),
         sum(slow), sum(reasked), sum(cache_hits), sum(cache_known), sum(conversations), sum(latency_n), sum(latency_sum),
         latency_hist_bins(rollup_array_cat(latency_bins), rollup_array_cat(latency_counts)),
         latency_hist_counts(rollup_array_cat(latency_bins), rollup_array_cat(latency_counts))
  FROM gone GROUP BY grain, bucket, dimset, topic, fund, platform, app_version
  HAVING sum(questions) <> 0;
  GET DIAGNOSTICS written = ROW_COUNT;
  replaced := replaced + written;

  -- Users per hour, day and month: one merge, over each table's own buckets.
  EXECUTE format(user_merge, 'question_user_hours', 'hour') USING hrs;
  GET DIAGNOSTICS written = ROW_COUNT;
  replaced := replaced + written;
  EXECUTE format(user_merge, 'question_user_days', 'day') USING dates;
  GET DIAGNOSTICS written = ROW_COUNT;
  replaced := replaced + written;
  EXECUTE format(user_merge, 'question_user_months', 'month') USING mos;
  GET DIAGNOSTICS written = ROW_COUNT;
  replaced := replaced + written;

  WITH parts AS (
    SELECT ctid AS t, count(*) OVER (PARTITION BY day, fingerprint, topic, fund) AS parts
    FROM question_fingerprint_days WHERE day = ANY(dates)
  ),
  gone AS (DELETE FROM question_fingerprint_days WHERE ctid = ANY(ARRAY(SELECT t FROM parts WHERE parts > 1)) RETURNING *)
  INSERT INTO question_fingerprint_days
  SELECT day, fingerprint, topic, fund, sum(questions), sum(hedged), min(first_asked_at), max(last_asked_at), min(sample_text)
  FROM gone GROUP BY 1, 2, 3, 4 HAVING sum(questions) <> 0;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN replaced + written;
END $$;

-- The rebuild of 0002, each table in one statement (see the top), under the maintenance lock.
CREATE OR REPLACE FUNCTION refresh_question_rollups_unguarded(from_day date, to_day date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := from_day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (to_day + 1)::timestamp AT TIME ZONE 'UTC';
  mlo date := date_trunc('month', from_day)::date;
  mhi date := (date_trunc('month', to_day) + interval '1 month')::date;
BEGIN
  PERFORM pg_advisory_xact_lock(rollup_maintenance_lock_key());

  WITH gone AS (DELETE FROM question_rollups WHERE bucket >= lo AND bucket < hi),
  q AS (
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
  INSERT INTO question_rollups
  SELECT grain, bucket, dimset, topic, fund, platform, app_version,
         sum(questions), sum(answered), sum(hedged), sum(failed), sum(unfinished), sum(partial),
         sum(no_documents), sum(slow), sum(reasked), sum(cache_hits), sum(cache_known), sum(conversations),
         sum(latency_n), sum(latency_sum),
         coalesce(array_agg(bin::smallint ORDER BY bin) FILTER (WHERE bin IS NOT NULL), '{}'),
         coalesce(array_agg(questions ORDER BY bin) FILTER (WHERE bin IS NOT NULL), '{}')
  FROM per_bin
  GROUP BY grain, bucket, dimset, topic, fund, platform, app_version;

  WITH gone AS (DELETE FROM question_user_days WHERE day BETWEEN from_day AND to_day)
  INSERT INTO question_user_days (day, user_id, questions)
  SELECT (asked_at AT TIME ZONE 'UTC')::date, user_id, count(*)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND user_id IS NOT NULL AND merged_into IS NULL
  GROUP BY 1, 2;

  WITH gone AS (DELETE FROM question_user_hours WHERE hour >= lo AND hour < hi)
  INSERT INTO question_user_hours (hour, user_id, questions)
  SELECT date_trunc('hour', asked_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', user_id, count(*)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND user_id IS NOT NULL AND merged_into IS NULL
  GROUP BY 1, 2;

  -- Months from their days (every day of a touched month, so the month is whole again; parts of a day add up).
  WITH gone AS (DELETE FROM question_user_months WHERE month >= mlo AND month < mhi)
  INSERT INTO question_user_months (month, user_id, questions)
  SELECT date_trunc('month', day)::date, user_id, sum(questions)
  FROM question_user_days
  WHERE day >= mlo AND day < mhi
  GROUP BY 1, 2
  HAVING sum(questions) <> 0;

  WITH gone AS (DELETE FROM question_fingerprint_days WHERE day BETWEEN from_day AND to_day)
  INSERT INTO question_fingerprint_days
  SELECT (asked_at AT TIME ZONE 'UTC')::date, fingerprint, topic, fund, count(*),
         count(*) FILTER (WHERE outcome = 'hedged'), min(asked_at), max(asked_at), min(question)
  FROM bot_questions
  WHERE asked_at >= lo AND asked_at < hi AND merged_into IS NULL
  GROUP BY 1, 2, 3, 4;
END $$;
