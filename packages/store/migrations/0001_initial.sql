-- 0001: the foundation schema: the file ledger, raw log entries, rebuilt bot
-- questions, conversations and rejected records.
--
-- Hot tables (log_entries, bot_questions) carry no foreign keys: a key check
-- per COPYed row would halve ingest speed, and the ingest transaction is what
-- keeps them consistent with ingest_files (one file = one transaction).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per object seen in a source (bucket or folder). The ledger is what
-- makes ingestion exactly-once and resumable: a worker claims a row with
-- FOR UPDATE SKIP LOCKED inside the very transaction that stores the file's
-- rows and marks it done, so a claim lives exactly as long as its worker's
-- connection: a killed worker's claim is released with its connection and
-- its half-written rows are rolled back with it.
CREATE TABLE ingest_files (
  id               bigserial PRIMARY KEY,
  source           text        NOT NULL,            -- 's3://bucket' or 'file:///abs/folder'
  key              text        NOT NULL,            -- object key (or path relative to the folder)
  etag             text,                            -- S3 ETag or a folder file's size+mtime
  size_bytes       bigint,
  key_time         timestamptz,                     -- time in the key's basename, when it has one
  status           text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'done', 'failed', 'skipped')),  -- in flight: an open ingest_attempts row
  attempts         integer     NOT NULL DEFAULT 0,
  error            text,
  entries_read     integer,
  entries_stored   integer,
  entries_rejected integer,
  questions        integer,
  first_entry_at   timestamptz,
  last_entry_at    timestamptz,
  discovered_at    timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  duration_ms      integer,
  dropped_at       timestamptz,                     -- retention dropped its rows; never re-ingest
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, key)
);
-- Claims read the queue in key-time order; the partial index holds only the queue.
CREATE INDEX ingest_files_pending_idx ON ingest_files (source, key_time, key) WHERE status = 'pending';
CREATE INDEX ingest_files_status_idx ON ingest_files (source, status);
CREATE INDEX ingest_files_key_time_idx ON ingest_files (key_time);
CREATE INDEX ingest_files_finished_idx ON ingest_files (finished_at);

-- Every attempt at a file, written outside the file's transaction (so it
-- survives a crash): an attempt that never finished is a worker that died on
-- the file, and a file that kills its workers too often is given up on.
CREATE TABLE ingest_attempts (
  id          bigserial   PRIMARY KEY,
  file_id     bigint      NOT NULL REFERENCES ingest_files (id) ON DELETE CASCADE,
  worker      text        NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome     text        CHECK (outcome IN ('done', 'failed')),
  error       text
);
CREATE INDEX ingest_attempts_file_idx ON ingest_attempts (file_id, started_at);
CREATE INDEX ingest_attempts_open_idx ON ingest_attempts (file_id) WHERE finished_at IS NULL;

-- Every log entry, hot fields as columns, the rest as JSONB with secrets
-- removed. Partitioned by day (UTC) so retention drops partitions.
CREATE TABLE log_entries (
  ts          timestamptz NOT NULL,
  ts_source   text        NOT NULL CHECK (ts_source IN ('timestamp', 'time', 'key')),
  file_id     bigint      NOT NULL,
  idx         integer     NOT NULL,                 -- index of the entry in its file
  level       smallint    NOT NULL,
  context     text,
  message     text,
  user_id     bigint,
  deal_id     text,
  request_id  text,
  hostname    text,
  pid         integer,
  method      text,
  url         text,
  platform    text,
  app_version text,
  latency_ms  integer,                              -- processingTimeMs (bot AND API entries)
  data        jsonb       NOT NULL DEFAULT '{}'::jsonb
) PARTITION BY RANGE (ts);
-- (file_id, idx) identifies an entry; ts is in the key only because a unique
-- index on a partitioned table must contain the partition key. It also serves
-- "delete this file's rows" on re-ingest.
CREATE UNIQUE INDEX log_entries_source_uidx ON log_entries (file_id, idx, ts);
CREATE INDEX log_entries_ts_idx ON log_entries (ts);

-- One row per bot question, rebuilt from its log lines. Partitioned by month.
CREATE TABLE bot_questions (
  id              bigint      NOT NULL,             -- stable: derived from (source, key, start index)
  asked_at        timestamptz NOT NULL,
  answered_at     timestamptz,
  file_id         bigint      NOT NULL,
  start_idx       integer     NOT NULL,
  end_idx         integer,
  user_id         bigint,
  deal_id         text,
  request_id      text,
  conversation_id bigint,
  question        text        NOT NULL,
  fingerprint     text        NOT NULL,             -- normalized text, for grouping
  topic           text,
  fund            text,
  answer          text,
  outcome         text        NOT NULL CHECK (outcome IN ('answered', 'hedged', 'failed', 'unfinished')),
  latency_ms      integer,                          -- the bot's processingTimeMs only
  cache_hit       boolean,
  document_count  integer,
  prompt_tokens   integer,
  model           text,
  platform        text,
  app_version     text,
  error_message   text,
  orphan_outcome  boolean     NOT NULL DEFAULT false, -- an outcome logged with no start
  partial         boolean     NOT NULL DEFAULT false, -- answers part, hedges the rest
  no_documents    boolean     NOT NULL DEFAULT false,
  slow            boolean     NOT NULL DEFAULT false,
  reasked         boolean     NOT NULL DEFAULT false,
  search          tsvector GENERATED ALWAYS AS (
                    to_tsvector('english', coalesce(question, '') || ' ' || coalesce(answer, ''))
                  ) STORED,
  PRIMARY KEY (id, asked_at)
) PARTITION BY RANGE (asked_at);
CREATE INDEX bot_questions_asked_at_idx ON bot_questions (asked_at);
CREATE INDEX bot_questions_id_idx ON bot_questions (id);
CREATE INDEX bot_questions_file_idx ON bot_questions (file_id);
CREATE INDEX bot_questions_user_deal_idx ON bot_questions (user_id, deal_id, asked_at);
CREATE INDEX bot_questions_conversation_idx ON bot_questions (conversation_id, asked_at);
CREATE INDEX bot_questions_fingerprint_idx ON bot_questions (fingerprint, asked_at);
CREATE INDEX bot_questions_search_idx ON bot_questions USING gin (search);
CREATE INDEX bot_questions_question_trgm_idx ON bot_questions USING gin (question gin_trgm_ops);

-- Same user and deal, questions less than 30 minutes apart. The id derives
-- from the conversation's first question, so the result does not depend on
-- the order files arrive in.
CREATE TABLE conversations (
  id             bigint      PRIMARY KEY,
  user_id        bigint,
  deal_id        text,
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz NOT NULL,
  question_count integer     NOT NULL,
  problem_count  integer     NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_started_idx ON conversations (started_at);
CREATE INDEX conversations_user_deal_idx ON conversations (user_id, deal_id, started_at);

-- Records (or whole files, idx NULL) that could not be stored, with why.
-- raw is redacted like everything else, and capped (raw_bytes keeps the size).
CREATE TABLE rejected_records (
  id         bigserial   PRIMARY KEY,
  file_id    bigint      NOT NULL REFERENCES ingest_files (id) ON DELETE CASCADE,
  idx        integer,
  reason     text        NOT NULL,
  raw        text,
  raw_bytes  integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_records_file_idx ON rejected_records (file_id, idx);

-- Creates the UTC time partitions of a partitioned table that cover
-- [from_ts, to_ts]: 'day' for log_entries, 'month' for bot_questions.
-- Safe when several workers call it at once (an advisory lock per table).
CREATE FUNCTION ensure_time_partitions(parent text, unit text, from_ts timestamptz, to_ts timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  step interval := CASE unit WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month' END;
  fmt text := CASE unit WHEN 'day' THEN 'YYYYMMDD' WHEN 'month' THEN 'YYYYMM' END;
  lo timestamp := date_trunc(unit, from_ts AT TIME ZONE 'UTC');
  hi timestamp := date_trunc(unit, to_ts AT TIME ZONE 'UTC');
  name text;
  created integer := 0;
BEGIN
  IF step IS NULL THEN
    RAISE EXCEPTION 'ensure_time_partitions: unit must be day or month, got %', unit;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('partitions:' || parent));
  WHILE lo <= hi LOOP
    name := parent || '_p' || to_char(lo, fmt);
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     name, parent, (lo AT TIME ZONE 'UTC'), ((lo + step) AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    lo := lo + step;
  END LOOP;
  RETURN created;
END $$;
