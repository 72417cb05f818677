-- 0003: data retention. Old raw log entries (daily partitions) and old
-- question rows (monthly partitions) are dropped a whole partition at a time
-- (packages/store/src/retention); the rollups built from them are kept.
--
-- Once a range is dropped nothing may quietly bring it back or rebuild from
-- it: a re-ingested old file would re-create rows nobody wants kept, and,
-- worse, rebuilding a day's rollups from its (now absent) question rows would
-- wipe the rollups that are all we keep of that day. So each table has a
-- horizon: everything before it was dropped, and
--   - ensure_time_partitions never creates a partition before it,
--   - refresh_question_rollups never rebuilds a day before the questions' horizon,
--   - the ingest skips files whose key time is before it (and rows before it).

-- Every partition retention dropped: what, when, and how much.
CREATE TABLE retention_drops (
  id             bigserial   PRIMARY KEY,
  table_name     text        NOT NULL CHECK (table_name IN ('log_entries', 'bot_questions')),
  partition_name text        NOT NULL,
  range_from     timestamptz NOT NULL,
  range_to       timestamptz NOT NULL,
  rows           bigint      NOT NULL,               -- planner estimate, or counted when never analyzed
  bytes          bigint      NOT NULL,               -- pg_total_relation_size just before the drop
  dropped_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_drops_table_idx ON retention_drops (table_name, range_from);

-- Per table, the time before which every row was dropped: a partition
-- boundary (UTC day for log_entries, UTC month for bot_questions). It only
-- moves forward.
CREATE TABLE retention_horizons (
  table_name text        PRIMARY KEY CHECK (table_name IN ('log_entries', 'bot_questions')),
  horizon    timestamptz NOT NULL,
  keep       text        NOT NULL,                   -- the policy that set it, e.g. '90d'
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The horizon of a table, or '-infinity' when nothing was ever dropped.
CREATE FUNCTION retention_horizon(parent text)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT horizon FROM retention_horizons WHERE table_name = parent), '-infinity'::timestamptz)
$$;

-- As in 0001, plus: no partition that ends at or before the table's horizon.
-- The horizon is read after the advisory lock, which retention takes too.
CREATE OR REPLACE FUNCTION ensure_time_partitions(parent text, unit text, from_ts timestamptz, to_ts timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  step interval := CASE unit WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month' END;
  fmt text := CASE unit WHEN 'day' THEN 'YYYYMMDD' WHEN 'month' THEN 'YYYYMM' END;
  lo timestamp := date_trunc(unit, from_ts AT TIME ZONE 'UTC');
  hi timestamp := date_trunc(unit, to_ts AT TIME ZONE 'UTC');
  horizon timestamptz;
  name text;
  created integer := 0;
BEGIN
  IF step IS NULL THEN
    RAISE EXCEPTION 'ensure_time_partitions: unit must be day or month, got %', unit;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('partitions:' || parent));
  horizon := retention_horizon(parent);
  WHILE lo <= hi LOOP
    name := parent || '_p' || to_char(lo, fmt);
    IF ((lo + step) AT TIME ZONE 'UTC') > horizon AND to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     name, parent, (lo AT TIME ZONE 'UTC'), ((lo + step) AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    lo := lo + step;
  END LOOP;
  RETURN created;
END $$;

-- The rebuild of 0002 keeps its body under another name; the name every
-- caller uses (the ingest, reassign-topics) now clamps the days to the
-- questions' horizon first: a day whose question rows were dropped keeps
-- the rollups it had. A later migration replacing refresh_question_rollups
-- must keep this guard.
ALTER FUNCTION refresh_question_rollups(date, date) RENAME TO refresh_question_rollups_unguarded;

CREATE FUNCTION refresh_question_rollups(from_day date, to_day date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  -- The horizon is a month boundary: the first day still held as rows.
  first_kept date := (retention_horizon('bot_questions') AT TIME ZONE 'UTC')::date;
BEGIN
  IF first_kept IS NOT NULL AND first_kept <> '-infinity'::date THEN
    IF to_day < first_kept THEN
      RETURN;
    END IF;
    from_day := greatest(from_day, first_kept);
  END IF;
  PERFORM refresh_question_rollups_unguarded(from_day, to_day);
END $$;
