"""Drill (d): the upload disk full (a clear message, nothing half-written).

    .venv/bin/python bench/faults/disk_full.py          # as root: mounts a tmpfs

Mounts a 1 MB tmpfs over the app's upload folder (<worktree>/instance/uploads: the files
already there are hidden for the drill's length, not touched), fills it to the last byte, and
has the admin of ons-breda upload a new invoice logo (a 300x300 PNG) while residents keep
sending the public form. Expected: the page answers with a Dutch message (no 500), the logo
setting is unchanged, no file or temporary part is left in the upload folder; after space is
freed the same upload works. Without permission to mount, it says so: the suite's
tests/kernel/test_storage_full.py makes the write raise ENOSPC instead.
"""
from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
from pathlib import Path

from common import BASE, ROOT, TENANT, Writers, loadavg, login, psql

UPLOADS = ROOT / "instance" / "uploads"
FLASH = re.compile(r'class="[^"]*(?:flash|alert|notification)[^"]*"[^>]*>(.*?)</', re.S)


def png() -> bytes:
    from PIL import Image

    rnd = random.Random(7)
    image = Image.frombytes("RGB", (300, 300), bytes(rnd.getrandbits(8) for _ in range(270000)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def logo_key() -> str:
    return (psql("SELECT coalesce(f.logo_file, '-') FROM finance_settings f JOIN tenants t ON "
                 f"t.id = f.tenant_id WHERE t.slug = '{TENANT}'") or ["-"])[0]


def upload(web, data: bytes):
    page = web.get(f"{BASE}/{TENANT}/facturen/instellingen", timeout=30).text
    token = re.search(r'action="[^"]*/instellingen/logo"[^>]*>.*?name="csrf_token"[^>]*value="([^"]+)"',
                      page, re.S)
    token = token[1] if token else re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    r = web.post(f"{BASE}/{TENANT}/facturen/instellingen/logo", timeout=30,
                 data={"csrf_token": token}, files={"logo": ("logo.png", data, "image/png")})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))
    return r.status_code, text


def leftovers() -> list[str]:
    return [str(p.relative_to(UPLOADS)) for p in UPLOADS.rglob("*")
            if p.is_file() and p.name != "filler"]


def main() -> None:
    UPLOADS.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs",
                              str(UPLOADS)], capture_output=True, text=True)
    if mounted.returncode != 0:
        print("cannot mount a tmpfs here:", mounted.stderr.strip())
        print("run tests/kernel/test_storage_full.py instead (ENOSPC at the storage write)")
        sys.exit(2)
    try:
        print(f"load average at start: {loadavg()}")
        web = login(f"admin@{TENANT}.example.org")
        data = png()
        try:  # to the last byte (closing the file reports the last failed write too)
            with open(UPLOADS / "filler", "wb", buffering=0) as f:
                while True:
                    f.write(b"\0" * 4096)
        except OSError:
            pass
        before = logo_key()
        writers = Writers(threads=2).start()
        status, text = upload(web, data)
        writers.stop()
        after = logo_key()
        left = leftovers()
        message = next((m for m in ("De opslag voor bestanden is vol", "Er ging iets mis")
                        if m in text), text[:200])
        table, figures = writers.report("Residents' writes during the disk-full upload")
        (UPLOADS / "filler").unlink()
        status2, text2 = upload(web, data)
        after2 = logo_key()
        # the drill's logo lives on the tmpfs: point the setting back at the one before
        psql("UPDATE finance_settings f SET logo_file = " + ("NULL" if before == "-" else
             f"'{before}'") + f" FROM tenants t WHERE t.id = f.tenant_id AND t.slug = '{TENANT}'")
        print("### The upload disk full")
        print()
        print("| check | value |")
        print("| --- | --- |")
        print(f"| logo upload on a full disk: status | {status} |")
        print(f"| message shown | {message} |")
        print(f"| logo setting unchanged | {before == after} ({before} -> {after}) |")
        print(f"| files or .part left in the upload folder | {len(left)} {left} |")
        print(f"| same upload after space was freed: status, logo changed | {status2}, "
              f"{after2 != before} |")
        print()
        print(table)
        print(f"load average at end: {loadavg()}")
        ok = (status == 200 and "De opslag voor bestanden is vol" in text and before == after
              and not left and status2 == 200 and after2 != before
              and figures["500 answers"] == 0)
        print("RESULT:", "PASS" if ok else "FAIL")
    finally:
        subprocess.run(["umount", str(UPLOADS)], check=False)


if __name__ == "__main__":
    main()
