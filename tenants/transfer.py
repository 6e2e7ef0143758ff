"""A tenant leaves or moves: all of its rows and files in one archive, and back.

`export_tenant` writes a zip archive:
- `manifest.json`: format, the migration head it was made on, the tenant's id and slug, when;
- `tables/<table>.json`: the rows of every tenant table — every table of the ORM metadata with
  a `tenant_id` column, so a table added later is included without a change here — read with
  the tenant set (the ORM filter and row-level security apply as in a request);
- the platform rows those rows point at through their foreign keys, followed until nothing new
  comes: the tenant itself, its users (members, supervisors, authors), its municipality;
- `files/<key>`: the tenant's stored files (`<uploads>/<tenant_id>/…`, tenants/storage.py).

`import_tenant` loads such an archive into another instance on the same migration head, with
ids and keys as they were (ids are made by the app, never by a sequence): platform rows first
(a row whose id already exists there is kept as it is; one that exists under another id with
the same unique key — a municipality by its CBS code, a user by e-mail address — is used
instead, and the references to it follow), then
the tenant's tables in foreign-key order, with the tenant set. It refuses an archive for a
tenant id or slug that exists, or made on another schema version.

The archive holds personal data and password hashes: treat it as a backup (encrypted, in the
EU, deleted after the move).
"""
from __future__ import annotations

import base64
import enum
import json
import zipfile
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Enum, Table, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tenants.db import Base
from tenants.models import Tenant
from tenants.storage import uploads_root
from tenants.tenancy import tenant_context

FORMAT = "wijkwerk-tenant-export/1"


class TransferError(Exception):
    """The archive cannot be made or loaded; the message says why (for the command line)."""


# --- values ---------------------------------------------------------------------------------

def _encode(column, value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        # what the database stores: the name, or the value with values_callable
        coltype = column.type
        if isinstance(coltype, Enum) and coltype.values_callable is not None:
            return coltype.values_callable(type(value))[list(type(value)).index(value)]
        return value.name
    if isinstance(value, datetime):
        return {"$datetime": value.astimezone(timezone.utc).isoformat()
                if value.tzinfo else value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (dict, list)):
        return {"$json": value}
    raise TransferError(f"{column.table.name}.{column.name}: cannot export a "
                        f"{type(value).__name__}")


def _decode(value):
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    return {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat,
            "$time": time.fromisoformat, "$decimal": Decimal,
            "$bytes": lambda v: base64.b64decode(v), "$json": lambda v: v}[tag](raw)


# --- which tables ---------------------------------------------------------------------------

def tenant_tables() -> list[Table]:
    """Every table with a tenant_id, in foreign-key order (parents first)."""
    return [t for t in Base.metadata.sorted_tables if "tenant_id" in t.c]


def _platform_order() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if "tenant_id" not in t.c]


def _head(session: Session) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(session.connection()).get_current_revision()


# --- export ---------------------------------------------------------------------------------

def export_tenant(session: Session, slug: str, target: str | Path, instance_path: str) -> dict:
    """Write the tenant `slug` to the zip archive `target`; returns the row count per table."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TransferError(f"No tenant with slug {slug!r}")
    tenant_id = tenant.id
    rows: dict[str, list[dict]] = {}
    wanted: dict[str, set] = {"tenants": {tenant_id}}  # platform table -> ids pointed at
    with tenant_context(session, tenant_id):
        for table in tenant_tables():
            result = session.execute(select(table).where(table.c.tenant_id == tenant_id))
            rows[table.name] = [dict(r._mapping) for r in result]
            _collect_references(table, rows[table.name], wanted)
        # platform rows, following their own foreign keys until nothing new is wanted
        done: set[tuple[str, object]] = set()
        while True:
            todo = {(name, key) for name, keys in wanted.items() for key in keys} - done
            if not todo:
                break
            for table in _platform_order():
                keys = {key for name, key in todo if name == table.name}
                if not keys:
                    continue
                (pk,) = table.primary_key.columns
                found = [dict(r._mapping) for r in session.execute(
                    select(table).where(pk.in_(keys)))]
                rows.setdefault(table.name, []).extend(found)
                _collect_references(table, found, wanted)
                done |= {(table.name, key) for key in keys}
        session.rollback()
    manifest = {"format": FORMAT, "head": _head(session), "tenant_id": tenant_id,
                "slug": slug, "exported_at": datetime.now(timezone.utc).isoformat()}
    files_root = uploads_root(instance_path) / str(tenant_id)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        for name, table_rows in rows.items():
            table = Base.metadata.tables[name]
            archive.writestr(f"tables/{name}.json", json.dumps(
                [{k: _encode(table.c[k], v) for k, v in row.items()} for row in table_rows]))
        if files_root.is_dir():
            for path in sorted(files_root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"files/{path.relative_to(uploads_root(instance_path))}")
    return {name: len(table_rows) for name, table_rows in rows.items()}


def _collect_references(table: Table, rows: list[dict], wanted: dict[str, set]) -> None:
    for fk in table.foreign_keys:
        target = fk.column.table
        if "tenant_id" in target.c:
            continue  # a tenant table: exported whole anyway
        for row in rows:
            value = row.get(fk.parent.name)
            if value is not None:
                wanted.setdefault(target.name, set()).add(value)


# --- import ---------------------------------------------------------------------------------

def import_tenant(session: Session, source: str | Path, instance_path: str) -> dict:
    """Load the archive `source`; returns the row count per table. All or nothing."""
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise TransferError("Not a Wijkwerk tenant export")
        head = _head(session)
        if manifest["head"] != head:
            raise TransferError(f"The export was made on schema {manifest['head']}, this "
                                f"instance is on {head}: migrate to the same version first")
        tenant_id = manifest["tenant_id"]
        if session.scalar(select(Tenant.id).where(
                (Tenant.id == tenant_id) | (Tenant.slug == manifest["slug"]))) is not None:
            raise TransferError(f"Tenant {manifest['slug']} (id {tenant_id}) already exists here")
        names = set(archive.namelist())
        tables = {t.name: t for t in Base.metadata.sorted_tables
                  if f"tables/{t.name}.json" in names}
        counts = {}
        # platform ids that exist here under another id with the same unique key (a
        # municipality by its CBS code, a user by e-mail address): table -> {old id: id here}
        same: dict[str, dict] = {}
        for table in _platform_order():
            if table.name not in tables:
                continue
            (pk,) = table.primary_key.columns
            rows = [_follow(table, row, same) for row in _rows(archive, table)]
            existing = set(session.scalars(select(pk).where(
                pk.in_([r[pk.name] for r in rows])))) if rows else set()
            new = []
            for row in (r for r in rows if r[pk.name] not in existing):
                here = _same_unique_key(session, table, row)
                if here is None:
                    new.append(row)
                else:
                    same.setdefault(table.name, {})[row[pk.name]] = here
            if new:
                _insert(session, table, new)
            counts[table.name] = len(new)
        with tenant_context(session, tenant_id):
            for table in tenant_tables():
                if table.name in tables:
                    rows = [_follow(table, row, same) for row in _rows(archive, table)]
                    if rows:
                        _insert(session, table, rows)
                    counts[table.name] = len(rows)
            session.flush()
            session.commit()
        root = uploads_root(instance_path)
        for name in sorted(names):
            if name.startswith("files/") and not name.endswith("/"):
                key = name.removeprefix("files/")
                if not key.startswith(f"{tenant_id}/") or ".." in key.split("/"):
                    raise TransferError(f"A file outside the tenant's folder: {name}")
                path = root / key
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                path.write_bytes(archive.read(name))
                path.chmod(0o600)
        return counts


def _insert(session: Session, table: Table, rows: list[dict]) -> None:
    try:
        with session.begin_nested():
            session.execute(insert(table), rows)
    except IntegrityError as exc:
        raise TransferError(f"{table.name}: the rows conflict with rows of this instance "
                            f"({type(exc.orig).__name__}); nothing was imported") from exc


def _unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys = [tuple(c.name for c in con.columns) for con in table.constraints
            if isinstance(con, UniqueConstraint)]
    keys += [(c.name,) for c in table.columns if c.unique]
    return [k for k in dict.fromkeys(keys) if k]


def _same_unique_key(session: Session, table: Table, row: dict):
    """The id of a row here that has `row`'s value in one of the table's unique keys."""
    (pk,) = table.primary_key.columns
    for key in _unique_keys(table):
        if any(row.get(name) is None for name in key):
            continue
        found = session.scalar(select(pk).where(*(table.c[n] == row[n] for n in key)))
        if found is not None:
            return found
    return None


def _follow(table: Table, row: dict, same: dict[str, dict]) -> dict:
    """`row` with its references to platform rows that exist here under another id moved."""
    for fk in table.foreign_keys:
        moved = same.get(fk.column.table.name)
        value = row.get(fk.parent.name)
        if moved and value in moved:
            row[fk.parent.name] = moved[value]
    return row


def _rows(archive: zipfile.ZipFile, table: Table) -> list[dict]:
    raw = json.loads(archive.read(f"tables/{table.name}.json"))
    return [{k: _decode(v) for k, v in row.items() if k in table.c} for row in raw]
