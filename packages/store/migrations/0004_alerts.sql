-- 0004: alerts (packages/alerts). The rules live in a readable file
-- (packages/alerts/rules.default.yaml or ALERT_RULES_FILE), not here; these
-- tables hold what the evaluator decided and what it must still tell people.
--
-- Why this shape:
-- - alert_state: one row per rule, the state machine's memory (ok, firing,
--   resolved), written only by the evaluator, under a transaction-level
--   advisory lock, so several workers running the schedule take turns.
-- - alert_events: the history, one row per episode (fired ... resolved), so
--   "what fired last week" and "what is firing now" are one indexed range read,
--   and each episode keeps the window and filter that link to its questions.
-- - alert_notifications: an outbox. A notification row is written in the
--   same transaction as the state change that calls for it, so a change is
--   never recorded without its notification (or the reverse); delivery reads
--   the outbox later, outside any ingest or evaluation transaction, retries
--   with backoff and records every failure (attempts, last error) instead of
--   losing it.
-- Times the evaluator writes come from its clock (injectable in tests), not now().

CREATE TABLE alert_state (
  rule_id           text        PRIMARY KEY,
  state             text        NOT NULL CHECK (state IN ('ok', 'firing', 'resolved')),
  since             timestamptz NOT NULL,                 -- when the rule entered this state
  event_id          bigint,                               -- the current (or last) episode in alert_events
  last_value        double precision,                     -- null: no data, or too few questions to judge
  last_questions    integer,                              -- questions behind last_value (question metrics)
  last_detail       text,                                 -- one sentence on the last evaluation
  last_evaluated_at timestamptz,
  last_notified_at  timestamptz,                          -- last firing/repeat/resolved notification queued
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_events (
  id              bigserial        PRIMARY KEY,
  rule_id         text             NOT NULL,
  -- The rule as it was when it fired: the file may change later, the history must not.
  rule_name       text             NOT NULL,
  description     text,
  severity        text             NOT NULL CHECK (severity IN ('warning', 'critical')),
  metric          text             NOT NULL,
  comparison      text             NOT NULL,
  threshold       double precision NOT NULL,
  window_seconds  integer,
  state           text             NOT NULL CHECK (state IN ('firing', 'resolved')),
  value           double precision,                     -- the value that fired it
  questions       integer,                              -- questions in the window that fired it
  last_value      double precision,                     -- the latest value while firing (then the one that resolved it)
  window_from     timestamptz      NOT NULL,            -- the window that fired it
  window_to       timestamptz      NOT NULL,
  last_window_to  timestamptz      NOT NULL,            -- end of the latest window still over the threshold
  started_at      timestamptz      NOT NULL,
  resolved_at     timestamptz,
  summary         text             NOT NULL             -- one sentence, as sent
);
-- alerts(from, to): newest first, by keyset (started_at, id).
CREATE INDEX alert_events_started_idx ON alert_events (started_at DESC, id DESC);
CREATE INDEX alert_events_firing_idx ON alert_events (rule_id) WHERE state = 'firing';

CREATE TABLE alert_notifications (
  id              bigserial   PRIMARY KEY,
  event_id        bigint      NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
  rule_id         text        NOT NULL,
  channel         text        NOT NULL CHECK (channel IN ('webhook', 'slack', 'alertmanager')),
  kind            text        NOT NULL CHECK (kind IN ('firing', 'repeat', 'resolved')),
  payload         jsonb       NOT NULL,                 -- the alert as it was (formatted per channel when sent)
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  locked_until    timestamptz,                          -- a sender's lease: it is being sent (not held across a crash)
  last_error      text,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The queue: only pending rows, in order (per rule and channel, delivery is first in, first out).
CREATE INDEX alert_notifications_pending_idx ON alert_notifications (rule_id, channel, id) WHERE status = 'pending';
CREATE INDEX alert_notifications_due_idx ON alert_notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX alert_notifications_event_idx ON alert_notifications (event_id, id);
