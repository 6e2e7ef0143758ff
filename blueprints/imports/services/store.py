"""Where an import waits between requests: one file per import in the tenant's folder."""
from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from blueprints.imports.services.columns import KEEP_SECONDS, ImportBusy

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


class ImportStore:
    """Prepared imports of one tenant: a JSON file each under `<folder>/<tenant id>/`.

    A token only opens a file in the tenant's own folder whose content names that tenant.
    Files hold personal data: readable by the app only, removed after KEEP_SECONDS.
    """

    def __init__(self, folder: str | Path, tenant_id: int):
        self.root = Path(folder)
        self.tenant_id = int(tenant_id)
        self.folder = self.root / str(self.tenant_id)

    def _path(self, token: str, suffix: str = ".json") -> Path | None:
        if not TOKEN.match(token or ""):
            return None
        return self.folder / f"{token}{suffix}"

    def create(self, state: dict) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.purge()
        token = secrets.token_urlsafe(16)
        self.save(token, state)
        return token

    def load(self, token: str) -> dict | None:
        path = self._path(token)
        if path is None or not path.is_file():
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if state.get("tenant_id") == self.tenant_id else None

    def save(self, token: str, state: dict) -> None:
        path = self._path(token)
        if path is None:
            raise ValueError("bad import token")
        temporary = path.with_name(f"{token}.{secrets.token_hex(4)}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(state, tenant_id=self.tenant_id), out, ensure_ascii=False)
        os.replace(temporary, path)

    def delete(self, token: str) -> None:
        for suffix in (".json", ".lock"):
            path = self._path(token, suffix)
            if path is not None:
                path.unlink(missing_ok=True)

    @contextmanager
    def lock(self, token: str) -> Iterator[None]:
        """Only one request works on an import at a time; a second raises ImportBusy."""
        path = self._path(token, ".lock")
        if path is None:
            raise ValueError("bad import token")
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ImportBusy() from None
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def purge(self, max_age: int = KEEP_SECONDS) -> None:
        cutoff = time.time() - max_age
        for path in self.root.glob("*/*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass
