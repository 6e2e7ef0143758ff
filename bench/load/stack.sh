#!/usr/bin/env bash
# A private stack for the load test and the fault drills: its own PostgreSQL cluster, Redis,
# SMTP sink (aiosmtpd, a Maildir), gunicorn (deploy/gunicorn.conf.py) and job worker, on
# 127.0.0.1 only, in $STACK (default /tmp/wijkwerk-stack). It never touches a shared server:
# the drills stop and start these, not the machine's PostgreSQL or Redis.
#
#   bash bench/load/stack.sh start      # initdb, roles.sql, db upgrade, seed-demo (~2 min), serve
#   bash bench/load/stack.sh env        # the exports the app, the worker and the drills use
#   bash bench/load/stack.sh stop       # everything, data kept (start again skips the seed)
#   bash bench/load/stack.sh pg-stop|pg-start|redis-stop|redis-start|smtp-stop|smtp-start
#   bash bench/load/stack.sh web-restart|worker-restart
#
# Ports: PostgreSQL 55432, Redis 56379, SMTP 58025, gunicorn 58000 (override with the
# variables below). initdb refuses root: run as root, the cluster belongs to `postgres`.
#
# The app runs with WIJKWERK_ENV=development plus production's parts that matter for load:
# JSON logs, jobs on Redis with a separate worker (JOBS_IN_PROCESS=0), SMTP. Production's
# Secure/__Host- cookies and HTTPS-only CSRF cannot travel over plain HTTP to 127.0.0.1.
# All virtual users share one IP, so the per-IP limits on login and public forms are raised.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STACK=${STACK:-/tmp/wijkwerk-stack}
PG_PORT=${PG_PORT:-55432}; REDIS_PORT=${REDIS_PORT:-56379}
SMTP_PORT=${SMTP_PORT:-58025}; WEB_PORT=${WEB_PORT:-58000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
VENV=$ROOT/.venv/bin

env_exports() {
  cat <<EOF
export DATABASE_URL=postgresql://ww_app:pw@127.0.0.1:$PG_PORT/wijkwerk
export MIGRATIONS_DATABASE_URL=postgresql://ww_owner:pw@127.0.0.1:$PG_PORT/wijkwerk
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export WIJKWERK_ENV=development LOG_FORMAT=json JOBS_IN_PROCESS=0
export LIMIT_FORMS_PER_IP="100000 per minute" LIMIT_LOGIN_PER_IP="100000 per minute"
export MAIL_SERVER=127.0.0.1 MAIL_PORT=$SMTP_PORT MAIL_RETRY_DELAY=\${MAIL_RETRY_DELAY:-5} MAIL_TIMEOUT=10
export PORT=$WEB_PORT STACK=$STACK PG_PORT=$PG_PORT
EOF
}
eval "$(env_exports)"

as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

pg_start() {
  as_pg "$PGBIN/pg_ctl -D $STACK/pg/data -w -o '-p $PG_PORT -k $STACK/pg -c listen_addresses=127.0.0.1' -l $STACK/pg/pg.log start" >/dev/null 2>&1 </dev/null
}
pg_stop() { as_pg "$PGBIN/pg_ctl -D $STACK/pg/data -m fast -w stop" >/dev/null; }
redis_start() {
  mkdir -p "$STACK/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --daemonize yes \
    --pidfile "$STACK/redis/redis.pid" --logfile "$STACK/redis/redis.log" --dir "$STACK/redis" \
    >/dev/null 2>&1 </dev/null
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
}
redis_stop() { redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }
spawn() {  # name, command...: a background process (own session) with its pid in $STACK/name.pid
  local name=$1; shift
  cd "$ROOT"
  setsid "$@" >"$STACK/$name.log" 2>&1 </dev/null &
  echo $! >"$STACK/$name.pid"
  cd - >/dev/null
}
kill_pidfile() {
  local f="$STACK/$1.pid"
  if [ -f "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; fi
}
smtp_start() {
  mkdir -p "$STACK/mail"
  spawn smtp "$VENV/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$STACK/mail/box"
  sleep 1
}
smtp_stop() { kill_pidfile smtp; sleep 0.5; }
web_start() {
  spawn web "$VENV/gunicorn" -c deploy/gunicorn.conf.py -b "127.0.0.1:$WEB_PORT" app:app
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$WEB_PORT/healthz" >/dev/null && return; sleep 0.5; done
  echo "gunicorn did not answer" >&2; return 1
}
web_stop() { kill_pidfile web; sleep 2; }
worker_start() { spawn worker "$VENV/huey_consumer" deploy.worker.huey -w 2 -k thread -g TERM -t 25; }
worker_stop() { kill_pidfile worker; sleep 1; }

case "${1:-}" in
  env) env_exports ;;
  start)
    mkdir -p "$STACK/pg"; chmod 755 "$STACK"
    [ "$(id -u)" = 0 ] && chown postgres "$STACK/pg"
    if [ ! -f "$STACK/pg/data/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb -D $STACK/pg/data -U postgres --auth=trust -E UTF8" >/dev/null
      fresh=1
    fi
    pg_start
    if [ -n "${fresh:-}" ]; then
      psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v owner=ww_owner -v app=ww_app \
        -v dbname=wijkwerk -v owner_password=pw -v app_password=pw -f "$ROOT/deploy/postgres/roles.sql"
      (cd "$ROOT" && "$VENV/flask" --app app db upgrade && "$VENV/flask" --app app seed-demo)
    fi
    redis_start; smtp_start; worker_start; web_start
    echo "stack up: http://127.0.0.1:$WEB_PORT (PostgreSQL $PG_PORT, Redis $REDIS_PORT, SMTP $SMTP_PORT)" ;;
  stop) web_stop; worker_stop; smtp_stop; redis_stop; pg_stop ;;
  pg-stop) pg_stop ;;  pg-start) pg_start ;;
  redis-stop) redis_stop ;;  redis-start) redis_start ;;
  smtp-stop) smtp_stop ;;  smtp-start) smtp_start ;;
  web-restart) web_stop; web_start ;;
  worker-restart) worker_stop; worker_start ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
