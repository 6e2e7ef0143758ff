"""The hour statement (urenverklaring) as a PDF: a participant's approved hours in a period, per
month and per hour type, signed off by the supervisor, for the municipality.

`statement_data()` reads what the document shows into a frozen `StatementData` of plain values
(scoped queries, the session's tenant set); `statement_pdf()` lays it out with ReportLab in the
house style of the kernel's PDF kit (tenants.pdf) and touches no database. The
document is Dutch whatever the reader's interface language: it goes to a Dutch municipality.
Only approved hours count; an approved correction counts in the month of the hours it corrects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from flask_babel import force_locale
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from blueprints.hours.formats import HOUR_TYPES, format_minutes, trajectory_end, type_label
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory
from blueprints.trajectories.services import KIND_LABELS
from tenants.models import Tenant, User
from tenants.pdf import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    FOOTER_SIZE,
    INK,
    MARGIN,
    MUTED,
    PANEL,
    RULE,
    STYLES,
    document,
    format_day,
    format_hours,
    table_style,
)
from tenants.pdf import p as _p
from tenants.pdf import text as _e

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


@dataclass(frozen=True)
class StatementData:
    """Everything the statement shows, as plain values (no ORM objects, no lazy strings)."""

    tenant_name: str
    tenant_kvk: str | None
    tenant_municipality: str | None
    participant_name: str
    participant_birth: date | None
    start: date
    end: date
    #: (kind label, start, end or None, agreed hours a week)
    trajectories: tuple[tuple[str, date, date | None, Decimal], ...]
    #: hour-type labels, in the order of the columns
    type_labels: tuple[str, ...]
    #: (first day of the month, minutes per type in column order)
    months: tuple[tuple[date, tuple[int, ...]], ...]
    supervisor_name: str | None
    generated_on: date

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(m[1][i] for m in self.months) for i in range(len(self.type_labels)))

    @property
    def total(self) -> int:
        return sum(self.totals)


def _months(start: date, end: date) -> list[date]:
    months, day = [], date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def statement_data(session: Session, participant: Participant, start: date, end: date,
                   signer_name: str | None = None, today: date | None = None) -> StatementData:
    """Read the statement of `participant` for `start`..`end` (four queries). The supervisor
    who signs is the participant's begeleider, or else `signer_name` (who made it)."""
    tenant = session.scalar(select(Tenant).where(Tenant.id == participant.tenant_id))
    minutes: dict[tuple[date, int], int] = {}
    columns = {t: i for i, t in enumerate(HOUR_TYPES)}
    for day, hour_type, total in session.execute(
            select(TimeEntry.work_date, TimeEntry.hour_type, func.sum(TimeEntry.minutes))
            .where(TimeEntry.participant_id == participant.id,
                   TimeEntry.status == EntryStatus.APPROVED,
                   TimeEntry.work_date >= start, TimeEntry.work_date <= end)
            .group_by(TimeEntry.work_date, TimeEntry.hour_type)):
        key = (date(day.year, day.month, 1), columns[hour_type])
        minutes[key] = minutes.get(key, 0) + int(total or 0)
    trajectories = session.scalars(
        select(Trajectory).where(
            Trajectory.participant_id == participant.id, Trajectory.starts_on <= end,
            or_(Trajectory.outcome_on.is_(None), Trajectory.outcome_on >= start))
        .order_by(Trajectory.starts_on, Trajectory.id)).all()
    supervisor = session.scalar(select(User.name).where(User.id == participant.supervisor_id)) \
        if participant.supervisor_id else None
    with force_locale("nl"):
        type_labels = tuple(type_label(t, end) for t in HOUR_TYPES)
        kinds = {t.id: str(KIND_LABELS[t.kind]) for t in trajectories}
    return StatementData(
        tenant_name=tenant.name, tenant_kvk=tenant.kvk_number or None,
        tenant_municipality=tenant.municipality.name if tenant.municipality else None,
        participant_name=participant.full_name, participant_birth=participant.date_of_birth,
        start=start, end=end,
        trajectories=tuple((kinds[t.id], t.starts_on, trajectory_end(t),
                            Decimal(t.hours_per_week)) for t in trajectories),
        type_labels=type_labels,
        months=tuple((month, tuple(minutes.get((month, i), 0) for i in range(len(HOUR_TYPES))))
                     for month in _months(start, end)),
        supervisor_name=supervisor or signer_name,
        generated_on=today or date.today(),
    )


# --- layout ---------------------------------------------------------------------------------

def _hours(minutes: int) -> str:
    return format_minutes(minutes) if minutes else "–"


def _header(d: StatementData) -> Table:
    facts = [f"KvK {_e(d.tenant_kvk)}"] if d.tenant_kvk else []
    if d.tenant_municipality:
        facts.append(f"gemeente {_e(d.tenant_municipality)}")
    left = [_p(_e(d.tenant_name), "org")] + ([_p(" · ".join(facts), "small")] if facts else [])
    table = Table([[left, _p(f"Opgesteld op {format_day(d.generated_on)}", "org_right")]],
                  colWidths=[120 * mm, CONTENT_WIDTH - 120 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
    ]))
    return table


def _facts(d: StatementData) -> Table:
    rows = [("Deelnemer", _e(d.participant_name))]
    if d.participant_birth:
        rows.append(("Geboortedatum", format_day(d.participant_birth)))
    rows.append(("Periode", f"{format_day(d.start)} tot en met {format_day(d.end)}"))
    if d.trajectories:
        rows.append(("Traject" if len(d.trajectories) == 1 else "Trajecten", "<br/>".join(
            f"{_e(kind)}: {format_day(start)} – {format_day(end) if end else 'loopt nog'}, "
            f"{format_hours(hours)} uur per week afgesproken"
            for kind, start, end, hours in d.trajectories)))
    table = Table([[_p(k, "key"), _p(v, "cell")] for k, v in rows],
                  colWidths=[40 * mm, CONTENT_WIDTH - 40 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


HEAD = STYLES["head"]


def _hours_table(d: StatementData) -> Table:
    head = [Paragraph("Maand", HEAD)] + [Paragraph(_e(label), HEAD) for label in d.type_labels] \
        + [Paragraph("Totaal", HEAD)]
    body = [[_p(f"{MONTHS[month.month - 1]} {month.year}", "cell")]
            + [_p(_hours(m), "cell") for m in per_type] + [_p(_hours(sum(per_type)), "cell")]
            for month, per_type in d.months]
    foot = [_p("<b>Totaal</b>", "cell")] + [_p(f"<b>{_hours(m)}</b>", "cell") for m in d.totals] \
        + [_p(f"<b>{_hours(d.total)}</b>", "cell")]
    month_width, total_width = 28 * mm, 18 * mm
    type_width = (CONTENT_WIDTH - month_width - total_width) / len(d.type_labels)
    table = Table([head, *body, foot], repeatRows=1,
                  colWidths=[month_width] + [type_width] * len(d.type_labels) + [total_width])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), PANEL), ("LINEABOVE", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _signature(d: StatementData) -> Table:
    """Name, on behalf of and date on the left; room to sign on the right."""
    left = [
        _p("BEGELEIDER / JOBCOACH", "label"), Spacer(0, 3),
        _p(f"Naam: {_e(d.supervisor_name)}" if d.supervisor_name else "Naam:", "cell"),
        _p(f"Namens: {_e(d.tenant_name)}", "cell"), Spacer(0, 6),
        _p("Datum: ____________________", "cell"),
    ]
    right = [_p("HANDTEKENING", "label"), Spacer(0, 18 * mm)]
    table = Table([[left, "", right]], colWidths=[85 * mm, 8 * mm, 65 * mm], hAlign="LEFT")
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
    ]))
    return table


def statement_pdf(data: StatementData, compress: bool = True) -> bytes:
    """The statement as PDF bytes. `compress=False` gives a deterministic, uncompressed file
    whose text can be searched as bytes (tests)."""
    d = data
    buffer = BytesIO()
    doc = document(buffer, title=f"Urenverklaring {d.participant_name}", author=d.tenant_name,
                   subject="Goedgekeurde uren per maand en soort", compress=compress)
    period = f"{format_day(d.start)} tot en met {format_day(d.end)}"
    story = [
        _header(d),
        _p("Urenverklaring", "title"),
        _p(f"{_e(d.participant_name)} · {period}", "subtitle"),
        _facts(d),
        _p("Goedgekeurde uren per maand", "h2"),
        _hours_table(d),
        Spacer(0, 4),
        _p("Uren in uren en honderdsten (2,5 is 2 uur en 30 minuten). Alleen goedgekeurde uren "
           "tellen mee; een correctie telt in de maand van de uren die zij corrigeert. "
           "Tegenprestatie is geen vrijwilligerswerk: daar hoort geen vrijwilligersvergoeding "
           "bij.", "small"),
        KeepTogether([
            _p("Verklaring", "h2"),
            _p(f"Ondergetekende verklaart namens {_e(d.tenant_name)} dat "
               f"{_e(d.participant_name)} in de periode {period} de hierboven genoemde uren heeft "
               f"gewerkt, zoals door de coöperatie goedgekeurd: in totaal "
               f"<b>{_hours(d.total) if d.total else '0'} uur</b>."),
            Spacer(0, 10),
            _signature(d),
        ]),
    ]
    footer = f"{d.tenant_name} · Urenverklaring {d.participant_name}"

    def draw_footer(canvas, document):
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"pagina {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
