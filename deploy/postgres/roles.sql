-- Wijkwerk database bootstrap: the owner role, the app role and the database.
--
-- Run once per cluster, as a superuser, connected to any existing database:
--
--   psql -h HOST -U postgres -d postgres \
--        -v owner=wijkwerk_owner -v app=wijkwerk_app -v dbname=wijkwerk \
--        -v owner_password='...' -v app_password='...' \
--        -f deploy/postgres/roles.sql
--
-- owner, app and dbname are required. The passwords are optional (leave them out for
-- certificate or peer authentication, or set them later with \password); when given they
-- are (re)set, so re-running the file rotates them. -v puts them on the psql command line:
-- on a shared host prefer \password.
--
-- Why two roles: PostgreSQL skips row-level security for superusers and BYPASSRLS roles
-- always, and for a table's owner unless the table has FORCE ROW LEVEL SECURITY. The owner
-- role runs migrations and owns every object; the app role can read and write rows and
-- nothing else, so RLS always applies to it.
--
-- Re-running is safe: existing roles get their attributes re-asserted, an existing database
-- keeps its data. The same file serves CI (.ci/run), deploy/compose.yaml and a manual
-- install.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

\if :{?owner}
\else
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: -v owner=<owner role name> is required'; END $$;
\endif
\if :{?app}
\else
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: -v app=<app role name> is required'; END $$;
\endif
\if :{?dbname}
\else
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: -v dbname=<database name> is required'; END $$;
\endif

-- Re-asserting NOSUPERUSER below on the role running this file would lock us out.
SELECT :'owner' = :'app' OR current_user IN (:'owner', :'app') AS bad_names \gset
\if :bad_names
  DO $$ BEGIN RAISE EXCEPTION
    'roles.sql: owner and app must be two different roles, neither of them the one running this file';
  END $$;
\endif

-- Roles ----------------------------------------------------------------------------------

SELECT format('CREATE ROLE %I', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec

-- Owner: owns the schema and every table, runs migrations. It bypasses RLS on tables that
-- lack FORCE, which is why every tenant table is FORCE'd (tenants.rls.enable_rls).
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOREPLICATION',
              :'owner') \gexec
-- App: what the web processes connect as. Never superuser, never BYPASSRLS, owns nothing.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION',
              :'app') \gexec

\if :{?owner_password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') \gexec
\endif
\if :{?app_password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password') \gexec
\endif

-- Database -------------------------------------------------------------------------------

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              :'dbname', :'owner', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'dbname', :'owner') \gexec

\connect :"dbname"
SET client_min_messages = warning;

-- Only the owner creates objects. (PostgreSQL 15 no longer grants CREATE on public to
-- PUBLIC; older versions do, and a restored dump may bring it back.)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the owner creates (i.e. every migration) is usable by the app.
-- No TRUNCATE, REFERENCES or TRIGGER: TRUNCATE ignores RLS and row triggers.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- Re-run on a migrated database: cover tables created before the defaults existed.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
-- The cross-tenant aggregate functions (tenants/aggregates.py) and the Stripe account lookup
-- (tenants/stripe_accounts.py) are SECURITY DEFINER, owned by the owner, and not executable
-- by PUBLIC; their migration grants EXECUTE to the app role, and a
-- re-run here (a new app role on a migrated database) does the same.
SELECT format('GRANT EXECUTE ON FUNCTION %s TO %I', p.oid::regprocedure, :'app')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public'
   AND (p.proname LIKE 'wijkwerk\_aggregate\_%' OR p.proname = 'wijkwerk_report_shares'
        OR p.proname = 'wijkwerk_tenant_of_stripe_account') \gexec

-- Citus (only where it is present: the extension is created in this database, or loaded):
-- the app sends its tenant and user as SET LOCAL (DATABASE_TENANT_SETTING=set_local or auto),
-- and the coordinator passes a SET LOCAL on to the workers only with this setting, so that
-- row-level security on the shards sees the tenant. Without it every tenant page is a 404.
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
    OR current_setting('shared_preload_libraries') ~ '(^|[ ,])citus([ ,]|$)' AS citus_present \gset
\if :citus_present
SELECT format('ALTER ROLE %I SET citus.propagate_set_commands = %L', :'app', 'local') \gexec
\echo roles.sql: Citus present: citus.propagate_set_commands = local for :app
\endif

-- Checks: the app role owns nothing here and cannot become a role that skips RLS.
SELECT
  (SELECT count(*) FROM pg_class     WHERE relowner = a.oid)
+ (SELECT count(*) FROM pg_namespace WHERE nspowner = a.oid)
+ (SELECT count(*) FROM pg_proc      WHERE proowner = a.oid)
+ (SELECT count(*) FROM pg_type      WHERE typowner = a.oid) > 0 AS app_owns_objects,
  EXISTS (SELECT 1 FROM pg_roles r
           WHERE r.oid <> a.oid AND pg_has_role(a.oid, r.oid, 'MEMBER')
             AND (r.rolsuper OR r.rolbypassrls OR r.rolname = :'owner')) AS app_can_escalate
FROM pg_roles a WHERE a.rolname = :'app' \gset
\if :app_owns_objects
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: the app role owns objects in this database; reassign them to the owner role'; END $$;
\endif
\if :app_can_escalate
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: the app role is a member of the owner, a superuser or a BYPASSRLS role'; END $$;
\endif

\echo roles.sql: roles :owner (owner) and :app (app) ready; database :dbname owned by :owner
