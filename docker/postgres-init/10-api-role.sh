#!/bin/sh
# The read-only database role of the web service (dashboard + API):
# log_insights_api, password API_DB_PASSWORD.
#
# When it runs: the postgres image runs /docker-entrypoint-initdb.d/* once,
# when it initialises an empty data volume, as POSTGRES_USER (log_insights,
# the schema's owner) over the local socket, before the server accepts TCP
# connections, so before any migration (docker-compose.yml's healthcheck
# asks over TCP, and the migrate service waits for it). Migration 0005 then
# grants the role what it may do, because the role exists:
#   - SELECT on every table (the log data, rollups, alerts, schema_migrations);
#   - SELECT, INSERT, UPDATE, DELETE on auth_users, auth_sessions, api_tokens,
#     sign_in_links, sign_in_failures, oidc_flows (serving the dashboard
#     writes these: sign-in, sessions, throttling, SSO, admins' changes);
#   - INSERT only on audit_log (append-only) and auth_settings;
#   - USAGE on the sequences (ids of new rows);
#   - and, as default privileges of the role running the migrations, SELECT
#     on tables created later (new migrations, new daily/monthly partitions).
# It owns nothing and may create nothing (PostgreSQL 15+ gives PUBLIC no
# CREATE on schema public), so it cannot change the schema: the web service
# does not migrate (LOG_INSIGHTS_MIGRATE_ON_START=false).
#
# An existing volume (made before this script, or the role dropped): run it
# by hand, then restart the web service:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-api-role.sh
# Safe to run again: it creates the role if missing, sets its password to
# API_DB_PASSWORD (a rotation), and when migration 0005 ran already (the
# role did not exist then), gives the grants 0005 gives.
#
# Sourced (not executed) when the file lost its execute bit: no `set`, no
# variables left behind that matter, `exit` only on failure.

if [ -z "${API_DB_PASSWORD:-}" ]; then
  echo "10-api-role.sh: API_DB_PASSWORD is not set: the password of the read-only role log_insights_api (see .env.example)" >&2
  exit 1
fi

# The password reaches psql through its environment (\getenv), never its
# command line; :'api_password' quotes it as an SQL literal.
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" <<'SQL' || exit 1
\getenv api_password API_DB_PASSWORD
SELECT 'CREATE ROLE log_insights_api' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'log_insights_api')
\gexec
ALTER ROLE log_insights_api WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'api_password';
SELECT format('GRANT CONNECT ON DATABASE %I TO log_insights_api', current_database())
\gexec
GRANT USAGE ON SCHEMA public TO log_insights_api;

-- The role made after migration 0005 ran (an existing volume): the grants of
-- 0005's last block, word for word (tools/test/docker-compose.test.ts keeps
-- the two in step). A new database gets them from 0005 itself.
DO $$
BEGIN
  IF to_regclass('public.auth_users') IS NOT NULL THEN
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO log_insights_api;
    GRANT SELECT, INSERT, UPDATE, DELETE ON auth_users, auth_sessions, api_tokens, sign_in_links, sign_in_failures, oidc_flows TO log_insights_api;
    GRANT INSERT ON audit_log, auth_settings TO log_insights_api;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO log_insights_api;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO log_insights_api;
  END IF;
END $$;
SQL
echo "10-api-role.sh: role log_insights_api ready"
