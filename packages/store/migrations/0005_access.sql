-- 0005: access control (packages/auth): who may sign in, with which role,
-- their sessions and API tokens, sign-in throttling, one-time sign-in links,
-- single sign-on flows in progress, the audit log and the list of erased
-- investors.
--
-- Why this shape:
-- - Nothing secret is stored as itself: session ids, API tokens and sign-in
--   links are random 256-bit values of which only the SHA-256 is kept (a
--   dump of this database signs nobody in); passwords are argon2id hashes.
-- - auth_users holds the product's own staff (viewers, support, admins), not
--   investors. An investor is only ever a number (user_id) in the log tables.
-- - Sessions are server-side rows, so signing out, removing a user or
--   changing a role ends them at once; each has an idle and an absolute
--   expiry, checked on every request.
-- - sign_in_failures counts failed sign-ins per account and per address in a
--   sliding window; an address is stored as a keyed hash (auth_settings), never
--   as itself.
-- - audit_log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
--   The one exception is erasure (npm run erase-user), which must remove an
--   investor's id from the filters of past rows: it sets
--   log_insights.audit_erasure for its own transaction, and the trigger lets
--   only that UPDATE through.
-- - erased_users keeps a keyed hash of each erased investor's id, so a later
--   ingest of old files (a replay, --reprocess) never brings them back, while
--   the id itself is not kept.
-- The roles' names are the contract in packages/auth/src/roles.ts (a test
-- compares the CHECK below with it).

CREATE TABLE auth_settings (
  name       text        PRIMARY KEY,
  value      text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth_users (
  id              bigserial   PRIMARY KEY,
  email           text        NOT NULL,                 -- lower case; the sign-in name
  role            text        NOT NULL CHECK (role IN ('viewer', 'support', 'admin')),
  display_name    text,
  password_hash   text,                                 -- argon2id (PHC string); null: SSO or sign-in link only
  oidc_issuer     text,
  oidc_subject    text,                                 -- the provider's stable id of the person
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text,                                 -- who added them: "cli", "start", "sso", or an admin's email
  last_sign_in_at timestamptz,
  CONSTRAINT auth_users_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX auth_users_email ON auth_users (email);
CREATE UNIQUE INDEX auth_users_oidc ON auth_users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE auth_sessions (
  id_hash      text        PRIMARY KEY,                 -- sha256 of the cookie's value, hex
  user_id      bigint      NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
  method       text        NOT NULL CHECK (method IN ('password', 'sso', 'link')),
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,                    -- idle expiry counts from here (written at most once a minute)
  expires_at   timestamptz NOT NULL,                    -- absolute expiry
  revoked_at   timestamptz
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE api_tokens (
  id           bigserial   PRIMARY KEY,
  name         text        NOT NULL,
  role         text        NOT NULL CHECK (role IN ('viewer', 'support', 'admin')),
  token_hash   text        NOT NULL UNIQUE,             -- sha256 of the token, hex
  prefix       text        NOT NULL,                    -- the first characters, shown to tell tokens apart
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,                             -- null: never
  last_used_at timestamptz,                             -- written at most once a minute
  revoked_at   timestamptz
);
-- A name identifies a token for `tokens revoke NAME`: unique among the live ones.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE sign_in_links (
  id_hash    text        PRIMARY KEY,
  user_id    bigint      NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id);

CREATE TABLE sign_in_failures (
  key          text        PRIMARY KEY,                 -- 'account:<email>' or 'address:<keyed hash>'
  failures     integer     NOT NULL,
  window_start timestamptz NOT NULL,
  locked_until timestamptz
);

-- Single sign-on flows between the redirect to the provider and its callback.
CREATE TABLE oidc_flows (
  id_hash       text        PRIMARY KEY,                -- sha256 of the browser's flow cookie
  state         text        NOT NULL,
  nonce         text        NOT NULL,
  code_verifier text        NOT NULL,                   -- PKCE
  return_to     text        NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);

CREATE TABLE audit_log (
  id          bigserial   PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),  -- ms, as the page cursors
  actor_kind  text        NOT NULL CHECK (actor_kind IN ('user', 'token', 'anonymous', 'system')),
  actor_id    text,                                     -- auth_users.id or api_tokens.id
  actor_label text,                                     -- the user's email, the token's name, "cli"...
  role        text,
  action      text        NOT NULL,                     -- see AUDIT_ACTIONS in packages/auth/src/audit.ts
  outcome     text        NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'denied', 'failed')),
  target      text,                                     -- what was looked at or changed (a conversation id, a token name...)
  filters     jsonb                                     -- the range and filters of a read, the arguments of a change
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_at ON audit_log (action, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('log_insights.audit_erasure', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE erased_users (
  user_hash text        PRIMARY KEY,                    -- keyed hash of the investor's id (auth_settings 'erasure-key')
  erased_at timestamptz NOT NULL DEFAULT now()
);

-- A read-only database role for the API, when the deployment made one (the
-- Docker setup does: LOG_INSIGHTS_API_ROLE in docker/postgres-init): it may
-- read everything, and write only what serving the dashboard writes
-- (sessions, sign-in throttling, sign-in links, SSO flows, users and tokens
-- managed by admins, the audit log).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'log_insights_api') THEN
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO log_insights_api;
    GRANT SELECT, INSERT, UPDATE, DELETE ON auth_users, auth_sessions, api_tokens, sign_in_links, sign_in_failures, oidc_flows TO log_insights_api;
    GRANT INSERT ON audit_log, auth_settings TO log_insights_api;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO log_insights_api;
    -- Tables later migrations create (as the role running them) are readable too.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO log_insights_api;
  END IF;
END $$;
