#!/usr/bin/env bash
# Creates the Wijkwerk owner role, app role and database by running roles.sql as a superuser.
#
# In deploy/compose.yaml the postgres image runs this once, from /docker-entrypoint-initdb.d,
# when its data volume is empty (connected over the local socket as POSTGRES_USER). It also
# works by hand against any cluster: set PGHOST/PGPORT/PGUSER (a superuser) and the variables
# below, then run it. Re-running is safe (see roles.sql).
#
#   WIJKWERK_DB              database name            (default wijkwerk)
#   WIJKWERK_OWNER_ROLE      migrations/owner role    (default wijkwerk_owner)
#   WIJKWERK_APP_ROLE        role the app connects as (default wijkwerk_app)
#   WIJKWERK_OWNER_PASSWORD  required
#   WIJKWERK_APP_PASSWORD    required
#   WIJKWERK_ROLES_SQL       path of roles.sql        (default: next to this script, or the
#                                                      compose mount /opt/wijkwerk/postgres)
set -eo pipefail  # no -u: the postgres image may source this file instead of executing it

: "${WIJKWERK_OWNER_PASSWORD:?set WIJKWERK_OWNER_PASSWORD}"
: "${WIJKWERK_APP_PASSWORD:?set WIJKWERK_APP_PASSWORD}"

roles_sql="${WIJKWERK_ROLES_SQL:-}"
if [ -z "$roles_sql" ]; then
  for candidate in "$(dirname "${BASH_SOURCE[0]}")/roles.sql" /opt/wijkwerk/postgres/roles.sql; do
    if [ -f "$candidate" ]; then roles_sql="$candidate"; break; fi
  done
fi
if [ ! -f "$roles_sql" ]; then
  echo "init-roles.sh: roles.sql not found (set WIJKWERK_ROLES_SQL)" >&2
  exit 1
fi

psql -X -v ON_ERROR_STOP=1 \
  --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname postgres \
  -v owner="${WIJKWERK_OWNER_ROLE:-wijkwerk_owner}" \
  -v app="${WIJKWERK_APP_ROLE:-wijkwerk_app}" \
  -v dbname="${WIJKWERK_DB:-wijkwerk}" \
  -v owner_password="$WIJKWERK_OWNER_PASSWORD" \
  -v app_password="$WIJKWERK_APP_PASSWORD" \
  -f "$roles_sql"
