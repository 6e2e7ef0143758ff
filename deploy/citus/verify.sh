#!/usr/bin/env bash
# Verify Wijkwerk on Citus: a coordinator and two workers on this machine, the schema migrated
# and distributed by tenant, the isolation tests against the coordinator (app role, SET LOCAL),
# the demo loaded and its pages requested. Run by hand from the repository root, not in CI:
#
#   deploy/citus/verify.sh            # keeps the cluster running at the end (prints how to stop)
#   KEEP=0 deploy/citus/verify.sh     # stops it and removes its directory
#   PLAIN_DATABASE_URL=postgresql://app:pw@127.0.0.1:5432/db deploy/citus/verify.sh
#                                     # also runs the load check against plain PostgreSQL
#                                     # holding the demo (seed-demo there first), to compare
#
# Needs: PostgreSQL 15 server binaries (PGBIN, default /usr/lib/postgresql/15/bin), Citus
# installed for that PostgreSQL (citus.so in `pg_config --pkglibdir`), the project's .venv.
# Ports 55432 (coordinator), 55433, 55434 (workers; CITUS_PORT=N moves them to N..N+2) on 127.0.0.1, trust authentication: a
# scratch cluster for verification only, never for data.
#
# Citus is not in Debian's package archive. To build 13.2.x from its source release against
# Debian's PostgreSQL 15 (seen with 15.20 and Citus 13.2.2):
#
#   apt-get install postgresql-server-dev-15 libkrb5-dev libzstd-dev liblz4-dev libcurl4-openssl-dev
#   curl -LO https://github.com/citusdata/citus/archive/refs/tags/v13.2.2.tar.gz   # or git archive v13.2.2
#   tar xf v13.2.2.tar.gz && cd citus-13.2.2
#   # PostgreSQL 15.20's headers declare have_createdb_privilege() (commands/dbcommands.h),
#   # which Citus 13.2.2 defines again as a static inline for PostgreSQL < 16 ("static
#   # declaration of 'have_createdb_privilege' follows non-static declaration"). Apply this
#   # three-line guard with `patch -p1` (the exact patch used on 3 December 2026):
#   #
#   #   --- a/src/include/pg_version_compat.h
#   #   +++ b/src/include/pg_version_compat.h
#   #   @@ -600,6 +600,9 @@
#   #    }
#   #    
#   #    
#   #   +#if PG_VERSION_NUM >= 150020
#   #   +#include "commands/dbcommands.h"
#   #   +#else
#   #    static inline bool
#   #    have_createdb_privilege(void)
#   #    {
#   #   @@ -620,6 +623,7 @@
#   #    	}
#   #    	return result;
#   #    }
#   #   +#endif
#   #    
#   #    
#   #    typedef bool TU_UpdateIndexes;
#   #
#   #   (cut it out with: sed -n 's/^#   #   //p' deploy/citus/verify.sh | sed -n '/^--- a/,/TU_UpdateIndexes/p')
#   ./configure --without-libcurl && make -j2 && make install    # about 5-9 minutes on 2 cores
#
# Without libzstd-dev/liblz4-dev the columnar build stops at zstd.h even with --without-zstd
# (PostgreSQL's own headers turn it on); without libkrb5-dev at gssapi/gssapi.h.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PY="${PY:-$ROOT/.venv/bin/python}"
FLASK="${FLASK:-$ROOT/.venv/bin/flask}"
PORT="${CITUS_PORT:-55432}"   # coordinator; the workers on the next two ports
PORTS=("$PORT" "$((PORT + 1))" "$((PORT + 2))")
C="${PORTS[0]}" W1="${PORTS[1]}" W2="${PORTS[2]}"
DIR="${CITUS_DIR:-$(mktemp -d /tmp/wijkwerk-citus.XXXXXX)}"
DB=wijkwerk OWNER=wijkwerk_owner APP=wijkwerk_app PW=verify
KEEP="${KEEP:-1}"
log() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

if [ ! -f "$("$PGBIN/pg_config" --pkglibdir 2>/dev/null || pg_config --pkglibdir)/citus.so" ]; then
  echo "verify.sh: citus.so not installed for $("$PGBIN/postgres" --version); see the build steps at the top" >&2
  exit 2
fi

for port in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    [ -z "${CITUS_DIR:-}" ] && rmdir "$DIR" 2>/dev/null
    echo "verify.sh: port $port is taken; choose others with CITUS_PORT=N (uses N..N+2)" >&2
    exit 2
  fi
done

# initdb and pg_ctl refuse to run as root: run the servers as the postgres system user.
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); chown postgres "$DIR"; fi

stop() {
  for i in 0 1 2; do
    [ -f "$DIR/n$i/postmaster.pid" ] && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/n$i" -m fast stop >/dev/null || true
  done
  rm -rf "$DIR"
}
if [ "$KEEP" = 0 ]; then trap stop EXIT; fi

log "three nodes under $DIR"
for i in 0 1 2; do
  "${RUN[@]}" "$PGBIN/initdb" -D "$DIR/n$i" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DIR/n$i/postgresql.conf" <<EOF
port = ${PORTS[$i]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
shared_preload_libraries = 'citus'
max_connections = 200
fsync = off
EOF
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/n$i" -l "$DIR/n$i.log" -w start >/dev/null
done
psql_on() { local port=$1; shift; psql -X -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }

log "roles and database on every node (roles.sql; databases do not propagate)"
for port in "${PORTS[@]}"; do
  psql_on "$port" -d postgres -v owner=$OWNER -v app=$APP -v dbname=$DB \
    -v owner_password=$PW -v app_password=$PW -f deploy/postgres/roles.sql
  psql_on "$port" -d $DB -c "CREATE EXTENSION IF NOT EXISTS citus"
done
psql_on $C -d $DB -c "SELECT citus_set_coordinator_host('127.0.0.1', $C)" \
  -c "SELECT citus_add_node('127.0.0.1', $W1)" -c "SELECT citus_add_node('127.0.0.1', $W2)" >/dev/null
psql_on $C -d $DB -Atc "SELECT 'app role settings: ' || array_to_string(rolconfig, ', ') FROM pg_roles WHERE rolname = '$APP'"

export WIJKWERK_ENV=testing
export DATABASE_URL="postgresql://$APP:$PW@127.0.0.1:$C/$DB"
export MIGRATIONS_DATABASE_URL="postgresql://$OWNER:$PW@127.0.0.1:$C/$DB"
export DATABASE_TENANT_SETTING=set_local
export TEST_DATABASE_URL="$DATABASE_URL" TEST_MIGRATIONS_DATABASE_URL="$MIGRATIONS_DATABASE_URL"
export TEST_DATABASE_TENANT_SETTING=set_local
export TEST_SUPERUSER_URL="postgresql+psycopg://postgres@127.0.0.1:$C/postgres"

log "migrate (as the owner, on the coordinator)"
start=$(date +%s)
DATABASE_URL="$MIGRATIONS_DATABASE_URL" "$FLASK" --app app db upgrade 2>&1 | tail -1
echo "migrated in $(( $(date +%s) - start )) s"

log "distribute (flask citus distribute-sql, one transaction)"
start=$(date +%s)
"$FLASK" --app app citus distribute-sql > "$DIR/distribute.sql"
PGOPTIONS='-c client_min_messages=warning' psql_on $C -d $DB -f "$DIR/distribute.sql" >/dev/null
echo "distributed in $(( $(date +%s) - start )) s"
psql_on $C -d $DB -Atc "SELECT citus_table_type, count(*) FROM citus_tables GROUP BY citus_table_type ORDER BY citus_table_type"
psql_on $C -d $DB -Atc "SELECT 'colocation groups of distributed tables: ' || count(DISTINCT colocation_id) FROM citus_tables WHERE citus_table_type = 'distributed'"
psql_on $C -d $DB -Atc "SELECT 'foreign keys: ' || count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"

log "row-level security on the workers' shards (expect 0 unprotected)"
for port in "$W1" "$W2"; do
  # Citus hides shards from catalog queries of other applications: show them for this one.
  PGOPTIONS='-c citus.show_shards_for_app_name_prefixes=*' psql_on "$port" -d $DB -Atc "
    SELECT 'worker $port: ' || count(*) || ' tables and shards with tenant_id, unprotected: '
           || count(*) FILTER (WHERE NOT c.relrowsecurity OR NOT c.relforcerowsecurity
                OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
     WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace"
done

log "isolation tests against the coordinator (app role, SET LOCAL)"
set +e
"$PY" -m pytest -q -p no:cacheprovider \
  tests/kernel/test_rls.py tests/kernel/test_tenancy.py tests/kernel/test_tenant_setting.py \
  tests/kernel/test_request_overhead.py tests/kernel/test_citus.py \
  tests/kernel/test_session_touch.py tests/municipality/test_postgres_path.py 2>&1 | tail -15
tests_rc=${PIPESTATUS[0]}
set -e

log "the session touch: SKIP LOCKED on user_sessions (a reference table) while another transaction holds a session row"
# A holds row a for 12 s (an uncommitted write: a login, a logout, another request's touch);
# B runs the touch's statement with a 3 s statement_timeout: on plain PostgreSQL B answers at
# once for row a (skipped) and row b; on Citus FOR UPDATE on a reference table takes an
# ExclusiveLock on its shard, so B waits in both cases unless lock_timeout stops it (the app's
# set_local form sends SET LOCAL lock_timeout = '100ms' first: tenants/sessions.py).
touch_probe() {
  local row=$1 pre=$2 start out
  start=$(date +%s%N)
  out=$(PGPASSWORD=$PW psql -X -q -h 127.0.0.1 -p "$C" -U $APP -d $DB 2>&1 <<SQL
SET statement_timeout = '3s';
BEGIN; $pre
UPDATE user_sessions SET last_seen_at = last_seen_at
 WHERE id = (SELECT id FROM user_sessions WHERE id = $row FOR UPDATE SKIP LOCKED);
ROLLBACK;
SQL
  ) || true
  printf '%6d ms  %s\n' "$(( ($(date +%s%N) - start) / 1000000 ))" "$(echo "${out:-answered}" | head -1)"
}
rows=$(psql_on "$C" -d $DB -Atc "SELECT id FROM user_sessions ORDER BY id LIMIT 2")
row_a=$(echo "$rows" | sed -n 1p) row_b=$(echo "$rows" | sed -n 2p)
if [ -n "$row_b" ]; then
  psql_on "$C" -d $DB -c "BEGIN" -c "UPDATE user_sessions SET user_agent = user_agent WHERE id = $row_a" \
    -c "SELECT pg_sleep(12)" -c "ROLLBACK" >/dev/null &
  holder=$!
  sleep 1
  printf 'same row, SKIP LOCKED:                 '; touch_probe "$row_a" ""
  printf 'another row, SKIP LOCKED:              '; touch_probe "$row_b" ""
  printf 'another row, SKIP LOCKED + lock_timeout: '; touch_probe "$row_b" "SET LOCAL lock_timeout = '100ms';"
  wait "$holder"
else
  echo "(no two sessions yet: the isolation tests make them)"
fi

log "demo: seed-demo, then every page the demo accounts reach"
start=$(date +%s)
"$FLASK" --app app seed-demo 2>&1 | tail -2
echo "seeded in $(( $(date +%s) - start )) s"
set +e
"$PY" deploy/citus/crawl_demo.py "${CRAWL_LIMIT:-80}" 2>"$DIR/crawl.log"   # request logs: crawl.log
crawl_rc=$?
grep -c '"status": 5' "$DIR/crawl.log" | sed 's/^/5xx lines in the request log: /'
set -e

log "load: demo accounts request their first pages in a loop (in-process, ${LOAD_SECONDS:-30} s, ${LOAD_THREADS:-2} threads)"
set +e
"$PY" deploy/citus/load_demo.py "${LOAD_SECONDS:-30}" "${LOAD_THREADS:-2}" 2>"$DIR/load.log"
load_rc=$?
if [ -n "${PLAIN_DATABASE_URL:-}" ]; then
  echo "-- the same against plain PostgreSQL (PLAIN_DATABASE_URL, set_config, demo seeded there):"
  DATABASE_URL="$PLAIN_DATABASE_URL" DATABASE_TENANT_SETTING=set_config \
    "$PY" deploy/citus/load_demo.py "${LOAD_SECONDS:-30}" "${LOAD_THREADS:-2}" 2>>"$DIR/load.log"
fi
set -e

log "result"
echo "tests: exit $tests_rc; demo pages: exit $crawl_rc; load: exit $load_rc"
if [ "$KEEP" != 0 ]; then
  echo "cluster still running: psql -h 127.0.0.1 -p $C -U postgres $DB"
  echo "stop it: for n in $DIR/n*; do ${RUN[*]} $PGBIN/pg_ctl -D \$n stop; done; rm -rf $DIR"
fi
[ "$tests_rc" = 0 ] && [ "$crawl_rc" = 0 ] && [ "$load_rc" = 0 ]
