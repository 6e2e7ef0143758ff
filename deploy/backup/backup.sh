#!/usr/bin/env bash
# Nightly logical backup: deploy/backup/backup.sh
#
#   BACKUP_DATABASE_URL  the backup role (deploy/backup/backup-role.sql: BYPASSRLS, reads only),
#                        e.g. postgresql://wijkwerk_backup:...@db:5432/wijkwerk
#   BACKUP_DIR           where dumps go (default ./backups); encrypted storage in the EU
#   BACKUP_STATUS_FILE   the status file the operator's health page reads (optional)
#   BACKUP_KEEP_DAYS     delete local dumps older than this (default 14; the off-site copy and
#                        pgBackRest keep the 7 years invoices need)
#
# Writes wijkwerk-<UTC time>.dump (pg_dump custom format), checks that pg_restore can read
# its table of contents and that it holds tenant rows (a dump by a role that RLS restricts
# holds none), then records the outcome. Exits non-zero on any failure (alert on it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${BACKUP_DATABASE_URL:?set BACKUP_DATABASE_URL (the backup role)}"
dir=${BACKUP_DIR:-./backups}
status=${BACKUP_STATUS_FILE:-}
mkdir -p "$dir"
umask 077
file="$dir/wijkwerk-$(date -u +%Y%m%dT%H%M%SZ).dump"
started=$(date +%s)

record() {  # outcome, pairs...
  if [ -n "$status" ]; then python3 "$here/status.py" "$status" backup "$@"; fi
}
fail() { echo "backup: $*" >&2; record failed "reason=$1"; rm -f "$file"; exit 1; }

pg_dump --format=custom --compress=6 --file="$file" "$BACKUP_DATABASE_URL" \
  || fail dump_failed
pg_restore --list "$file" >/dev/null || fail unreadable
# A dump without RLS bypass "succeeds" with empty tenant tables: refuse it.
rows=$(psql "$BACKUP_DATABASE_URL" -tAc "SELECT count(*) FROM memberships") || fail count_failed
if [ "$rows" -eq 0 ]; then fail no_tenant_rows; fi
bytes=$(stat -c %s "$file")
record ok "file=$(basename "$file")" "bytes=$bytes" "memberships=$rows" \
  "seconds=$(( $(date +%s) - started ))"
find "$dir" -name 'wijkwerk-*.dump' -mtime +"${BACKUP_KEEP_DAYS:-14}" -delete
echo "backup: $file ($bytes bytes, $rows memberships)"
