-- The backup role: the one role that reads every row past row-level security, for pg_dump.
--
--   psql -h HOST -U postgres -d postgres -v backup=wijkwerk_backup -v dbname=wijkwerk \
--        -v backup_password='...' -f deploy/backup/backup-role.sql
--
-- Why not the owner or the app role (tried on PostgreSQL 15, tests/kernel/test_backup.py):
-- - the app role sees no tenant's rows without a tenant set: its pg_dump stops at the first
--   FORCE'd table ("query would be affected by row-level security policy");
-- - the owner role is subject to RLS too, because every tenant table is FORCE ROW LEVEL
--   SECURITY: its pg_dump stops the same way, and with --enable-row-security it "succeeds"
--   and silently leaves out every tenant row;
-- - so: a role with BYPASSRLS that may read everything and write nothing, used by nothing else.
-- Never give this role to the app; keep its password with the backup job only.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?backup}
\else
  DO $$ BEGIN RAISE EXCEPTION 'backup-role.sql: -v backup=<role name> is required'; END $$;
\endif

SELECT format('CREATE ROLE %I', :'backup')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'backup') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION',
              :'backup') \gexec
-- Read every table, view and sequence (PostgreSQL 14+); no write of any kind.
SELECT format('GRANT pg_read_all_data TO %I', :'backup') \gexec
-- The dump runs read-only even if someone grants more later.
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'backup') \gexec
\if :{?backup_password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'backup', :'backup_password') \gexec
\endif
\echo backup-role.sql: role :backup may read every row for pg_dump
