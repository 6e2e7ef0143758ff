"""Exports of participants and host organisations as CSV or XLSX, with the import's columns."""
from __future__ import annotations

import enum
from datetime import date
from typing import Iterable, Iterator

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from blueprints.imports.services.columns import HOSTS, PARTICIPANTS, kind_for
from blueprints.participants.models import HostOrganisation, Neighbourhood, Participant
from blueprints.participants.services import ParticipantFilter, filtered
from tenants import audit
from tenants.actor import Actor
from tenants.exports import csv_file, xlsx_file
from tenants.models import Municipality


def participant_records(session: Session, f: ParticipantFilter,
                        today: date | None = None) -> Iterator[list]:
    """The filtered participants in the import's columns: one query, streamed."""
    stmt = (
        filtered(f, today or date.today())
        .add_columns(Neighbourhood.name, Municipality.cbs_code)
        .outerjoin(Neighbourhood, and_(Neighbourhood.tenant_id == Participant.tenant_id,
                                       Neighbourhood.id == Participant.neighbourhood_id))
        .outerjoin(Municipality, Municipality.id == Participant.paying_municipality_id)
        .order_by(Participant.sort_name, Participant.first_name, Participant.id)
        .execution_options(yield_per=500)
    )
    for participant, wijk, code in session.execute(stmt):
        joined = {"neighbourhood": wijk, "paying_municipality_code": code}
        yield [joined[c.field] if c.field in joined else getattr(participant, c.field)
               for c in PARTICIPANTS.columns]


def host_records(session: Session) -> Iterator[list]:
    stmt = (select(HostOrganisation).order_by(HostOrganisation.name)
            .execution_options(yield_per=500))
    for host in session.scalars(stmt):
        yield [getattr(host, c.field) for c in HOSTS.columns]


def _plain(value):
    """A value as the import reads it back: ja/nee, 24-03-1985, 'a, b', enum values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def _plain_records(records: Iterable[list]) -> Iterator[list]:
    for record in records:
        yield [_plain(v) for v in record]


def write_csv(headers: list[str], records: Iterable[list]) -> tuple[bytes, int]:
    """CSV as Dutch Excel opens it (tenants.exports), values as the import reads them back.
    Returns (bytes, rows)."""
    return csv_file(headers, _plain_records(records))


def write_xlsx(headers: list[str], records: Iterable[list],
               title: str = "Export") -> tuple[bytes, int]:
    """An .xlsx with one sheet (tenants.exports), values as the import reads them back.
    Returns (bytes, rows)."""
    return xlsx_file(headers, _plain_records(records), title)


def export_participants(session: Session, actor: Actor, f: ParticipantFilter, fmt: str,
                        today: date | None = None) -> bytes:
    """The participant list as CSV or XLSX, recorded in the audit log with filter and count."""
    records = participant_records(session, f, today)
    body, count = (write_xlsx(PARTICIPANTS.headers, records, "Deelnemers") if fmt == "xlsx"
                   else write_csv(PARTICIPANTS.headers, records))
    used = {k: v for k, v in vars(f).items() if v not in (None, "") and k != "q"}
    # A search text may be someone's name: the append-only log records only that there was one.
    audit.record(session, actor, "participants.exported", object_type="Participant",
                 format=fmt, count=count, filter=used, text_search=bool(f.q))
    return body


def export_hosts(session: Session, actor: Actor, fmt: str) -> bytes:
    records = host_records(session)
    body, count = (write_xlsx(HOSTS.headers, records, "Inzetorganisaties") if fmt == "xlsx"
                   else write_csv(HOSTS.headers, records))
    audit.record(session, actor, "hosts.exported", object_type="HostOrganisation",
                 format=fmt, count=count)
    return body


def template_csv(kind_key: str) -> bytes:
    """An empty file with the expected column names, to fill in."""
    return write_csv(kind_for(kind_key).headers, [])[0]
