"""Per-tenant file storage: uploaded documents (signed agreements, later receipts) on disk.

A file lives at `<root>/<tenant_id>/<category>/<random hex>.<ext>`, where `root` is
`<instance_path>/uploads` (`uploads_root()`). The database keeps only the relative *key*
`"<tenant_id>/<category>/<hex>.<ext>"`. A name chosen by a user never reaches a path: the key
is made here from the tenant id, a fixed category and 128 random bits.

Every read and delete names the tenant it acts for, and a key that is not that tenant's (or is
not a key this module could have made, such as one with `..`) answers `NotFound`: the same 404
as another tenant's row, so a leaked key is useless in another cooperative.

Files follow the database transaction (`replace_on_commit`): an old file is removed only once
the row that stopped pointing at it is committed, and a new file is removed again when its
transaction rolls back, so a failed request never leaves a row pointing at a missing file.

`check_pdf()` is the upload gate for documents that must be PDF: size, emptiness and the PDF
signature, with messages a coordinator can act on.

Files hold personal data, so they are readable by the app's user only: folders 0700, files
0600, whatever the process umask is (a umask only takes permissions away, and every folder and
file is created here with an explicit mode). `purge_category()` removes what waits for a
confirmation that never came (uploaded bank statements after a day).
"""
from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from tenants.errors import DomainError, NotFound

log = logging.getLogger(__name__)

UPLOADS_DIR = "uploads"
_CATEGORY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")
_KEY = re.compile(
    r"^(?P<tenant>[1-9][0-9]{0,19})/(?P<category>[a-z][a-z0-9_-]{0,39})/"
    r"(?P<name>[0-9a-f]{32}\.[a-z0-9]{1,8})$"
)
#: A PDF ends with %%EOF; readers accept it within the last 1024 bytes (trailing whitespace).
_EOF_WINDOW = 1024
_PENDING = "storage_pending"
DIR_MODE = 0o700
FILE_MODE = 0o600


class InvalidUpload(DomainError):
    """An uploaded file was refused (too large, empty, not the expected type)."""

    default_message = _l("Dit bestand kan niet worden opgeslagen.")


class StorageFull(DomainError):
    """The disk (or the quota) of the upload folder is full: nothing was stored."""

    default_message = _l("De opslag voor bestanden is vol: het bestand is niet opgeslagen en er "
                         "is niets gewijzigd. Probeer het later opnieuw; blijft dit gebeuren, "
                         "meld het dan aan de beheerder.")


#: Write errors that are the disk's state, not a bug: the user gets StorageFull's message.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def uploads_root(instance_path: str | os.PathLike) -> Path:
    """The root of all tenants' files: `<instance_path>/uploads`."""
    return Path(instance_path) / UPLOADS_DIR


# --- checking an upload -------------------------------------------------------------------------

def _megabytes(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    return str(int(mb)) if mb == int(mb) else f"{mb:.1f}".replace(".", ",")


def check_pdf(data: bytes, max_bytes: int) -> None:
    """Refuse what is not a plausible PDF of at most `max_bytes`. Raises `InvalidUpload`.

    A PDF starts with `%PDF-` and ends with `%%EOF`; anything else (a photo, a Word file, a
    PNG renamed to .pdf, a transfer cut short) is refused before anything is stored.
    """
    if data is None or len(data) == 0:
        raise InvalidUpload(_l("Het bestand is leeg. Kies de gescande overeenkomst opnieuw."))
    if len(data) > max_bytes:
        raise InvalidUpload(_l("Het bestand is groter dan %(mb)s MB.", mb=_megabytes(max_bytes)))
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise InvalidUpload(
            _l("Dit bestand is geen PDF. Upload een gescande overeenkomst als PDF."))


# --- keys and paths ---------------------------------------------------------------------------

def _tenant_part(tenant_id: int) -> str:
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id <= 0:
        raise ValueError(f"not a tenant id: {tenant_id!r}")
    return str(tenant_id)


def _path_of(root: Path, tenant_id: int, key: str) -> Path:
    """The file behind `key`, if `key` is one of this tenant's; NotFound otherwise."""
    tenant = _tenant_part(tenant_id)
    match = _KEY.match(key) if isinstance(key, str) and ".." not in key else None
    if match is None or match["tenant"] != tenant:
        log.warning("Refused storage key %r for tenant %s", key, tenant)
        raise NotFound()
    tenant_dir = (Path(root) / tenant).resolve()
    path = (Path(root) / key).resolve()
    if not path.is_relative_to(tenant_dir):  # a symlink pointing elsewhere
        log.warning("Refused storage key %r for tenant %s: outside its folder", key, tenant)
        raise NotFound()
    return path


def _private_folder(root: Path, tenant: str, category: str) -> Path:
    """`<root>/<tenant>/<category>`, each level made with mode 0700; the tenant's and the
    category's folders are set to 0700 even when an older version made them wider."""
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    folder = root
    for part in (tenant, category):
        folder = folder / part
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        if folder.stat().st_mode & 0o077:
            os.chmod(folder, DIR_MODE)
    return folder


def save_file(root: Path, tenant_id: int, category: str, data: bytes, ext: str) -> str:
    """Store `data` as a new file of `tenant_id`; return its key "<tenant>/<category>/<hex>.<ext>".

    The file is written under a temporary name and renamed, so a reader never sees half a file.
    A full disk (ENOSPC, or the quota: EDQUOT) raises `StorageFull`, with the temporary file
    removed: the caller's transaction rolls back and the user reads why.
    """
    tenant = _tenant_part(tenant_id)
    ext = (ext or "").lower().lstrip(".")
    if not _CATEGORY.match(category or "") or not _EXT.match(ext):
        raise ValueError(f"bad category or extension: {category!r}, {ext!r}")
    name = f"{secrets.token_hex(16)}.{ext}"
    try:
        folder = _private_folder(Path(root), tenant, category)
        final = folder / name
        temporary = folder / f".{name}.part"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        if exc.errno not in _FULL:
            raise
        log.error("Upload storage full (%s): %s bytes of %s not stored", exc.strerror,
                  len(data), category)
        raise StorageFull() from None
    return f"{tenant}/{category}/{name}"


def open_file(root: Path, tenant_id: int, key: str) -> bytes:
    """The bytes of `key` for `tenant_id`. Raises NotFound for another tenant's key or none."""
    path = _path_of(root, tenant_id, key)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound() from None


def file_exists(root: Path, tenant_id: int, key: str) -> bool:
    try:
        return _path_of(root, tenant_id, key).is_file()
    except NotFound:
        return False


def delete_file(root: Path, tenant_id: int, key: str) -> None:
    """Remove `key` of `tenant_id` now (a missing file is fine). NotFound for a foreign key."""
    _path_of(root, tenant_id, key).unlink(missing_ok=True)


def older_than(root: Path, tenant_id: int, key: str, max_age: float) -> bool:
    """Whether the file behind `key` was written more than `max_age` seconds ago (False when
    it is missing). NotFound for a foreign key."""
    try:
        return _path_of(root, tenant_id, key).stat().st_mtime < time.time() - max_age
    except FileNotFoundError:
        return False


def purge_category(root: Path, category: str, max_age: float) -> int:
    """Remove the files of `category`, of every tenant, written more than `max_age` seconds
    ago (as the import store does with its own files). Returns how many went."""
    if not _CATEGORY.match(category or ""):
        raise ValueError(f"bad category: {category!r}")
    cutoff = time.time() - max_age
    removed = 0
    for path in Path(root).glob(f"*/{category}/*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # another worker removed it first: fine
            continue
    return removed


# --- files follow the transaction ---------------------------------------------------------------

@dataclass
class _Pending:
    root: Path
    tenant_id: int
    new_key: str | None
    old_key: str | None
    transaction: SessionTransaction


def _real(session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def _quietly_delete(root: Path, tenant_id: int, key: str | None) -> None:
    if not key:
        return
    try:
        delete_file(root, tenant_id, key)
    except (OSError, NotFound):  # an orphan file is harmless; a failed request must not fail
        log.exception("Could not remove stored file %s", key)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _after_commit(session: Session) -> None:
    for item in session.info.pop(_PENDING, []):
        _quietly_delete(item.root, item.tenant_id, item.old_key)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """A rolled-back transaction (or savepoint) takes its new files with it; old files stay."""
    pending = session.info.get(_PENDING, [])
    keep = []
    for item in pending:
        if _within(item.transaction, previous):
            _quietly_delete(item.root, item.tenant_id, item.new_key)
        else:
            keep.append(item)
    session.info[_PENDING] = keep


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (closed): as a rollback."""
    if transaction.parent is None and session.info.get(_PENDING):
        _after_soft_rollback(session, transaction)


def replace_on_commit(session, root: Path, tenant_id: int, new_key: str | None,
                      old_key: str | None) -> None:
    """Tie two files to the session's transaction: on commit `old_key` is deleted; on rollback
    (or a close without commit) `new_key` is deleted. Either may be None.
    """
    session = _real(session)
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_soft_rollback)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:  # no transaction yet: nothing can roll back, so keep it simple
        transaction = session.begin()
    session.info.setdefault(_PENDING, []).append(
        _Pending(Path(root), tenant_id, new_key, old_key, transaction))
