#!/usr/bin/env bash
# Restore drill: deploy/backup/restore-drill.sh DUMP
#
# Restores a dump into a fresh database on a scratch server (never production's), as it would
# be restored for real, and checks it; prints and records how long it took (the RTO figure).
#
#   DRILL_ADMIN_URL    a superuser on the scratch server, database postgres (creates the database)
#   DRILL_DBNAME       the fresh database (default wijkwerk_drill; dropped first if it exists)
#   DRILL_OWNER, DRILL_APP   the owner and app role names (default wijkwerk_owner, wijkwerk_app)
#   DRILL_KEEP=1       keep the database afterwards (to point an app at it)
#   BACKUP_STATUS_FILE the status file the operator's health page reads (optional)
#
# Steps: roles.sql creates the roles and the empty database exactly as in production;
# pg_restore loads it as the owner (data before RLS and triggers, so nothing is refused);
# then the checks: every tenant table has RLS enabled, FORCE'd and a policy; the app role sees
# no tenant row without a tenant; the row counts equal the dump's; the migration head is there.
# tests/kernel/test_backup.py runs this script and then serves a tenant page from the result.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dump=${1:?usage: restore-drill.sh DUMP}
: "${DRILL_ADMIN_URL:?set DRILL_ADMIN_URL (a superuser on the scratch server)}"
db=${DRILL_DBNAME:-wijkwerk_drill}
owner=${DRILL_OWNER:-wijkwerk_owner}
app=${DRILL_APP:-wijkwerk_app}
status=${BACKUP_STATUS_FILE:-}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
started=$(date +%s)
record() { if [ -n "$status" ]; then python3 "$here/status.py" "$status" drill "$@"; fi; }
fail() { echo "restore-drill: $*" >&2; record failed "reason=$1"; exit 1; }
on_db() { psql "$(url_for "$db")" -q -v ON_ERROR_STOP=1 -tA "$@"; }
url_for() {  # the admin URL with another database name
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DRILL_ADMIN_URL" "$1"
}

psql "$DRILL_ADMIN_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
  >/dev/null || fail drop_failed
psql "$DRILL_ADMIN_URL" -q -v ON_ERROR_STOP=1 -v owner="$owner" -v app="$app" -v dbname="$db" \
  -f "$here/../postgres/roles.sql" >/dev/null || fail roles_failed
# As the owner (SET ROLE from the superuser: no owner password needed on the scratch server).
pg_restore --exit-on-error --no-owner --role="$owner" -d "$(url_for "$db")" "$dump" \
  || fail restore_failed

unprotected=$(on_db -c "
  SELECT count(*) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
   WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
     AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity
          OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))")
[ "$unprotected" -eq 0 ] || fail rls_missing
seen=$(on_db -c "SET ROLE \"$app\"; SELECT count(*) FROM memberships")
[ "$seen" -eq 0 ] || fail rls_not_enforced
rows=$(on_db -c "SELECT count(*) FROM memberships")
[ "$rows" -gt 0 ] || fail no_tenant_rows
head=$(on_db -c "SELECT version_num FROM alembic_version")
seconds=$(( $(date +%s) - started ))
record ok "dump=$(basename "$dump")" "memberships=$rows" "head=$head" "seconds=$seconds"
if [ "${DRILL_KEEP:-0}" != 1 ]; then
  psql "$DRILL_ADMIN_URL" -q -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null
fi
echo "restore-drill: $db restored and checked in ${seconds}s ($rows memberships, head $head)"
