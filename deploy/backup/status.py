"""Record the outcome of a backup or a restore drill in the status file the operator's health
page reads (BACKUP_STATUS_FILE; tenants/health.py). Used by backup.sh and restore-drill.sh:

    python3 deploy/backup/status.py FILE backup ok file=... bytes=... seconds=...

One JSON object, one entry per kind ("backup", "drill"), each with its time (UTC), outcome and
the figures given. Written to a temporary file and renamed: a reader never sees half of it.
"""
import json
import os
import sys
from datetime import datetime, timezone


def main(argv):
    path, kind, outcome, *pairs = argv
    try:
        with open(path, encoding="utf-8") as f:
            status = json.load(f)
    except (OSError, ValueError):
        status = {}
    entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "outcome": outcome}
    for pair in pairs:
        key, _, value = pair.partition("=")
        entry[key] = int(value) if value.isdigit() else value
    status[kind] = entry
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(status, f, indent=1)
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1:])
