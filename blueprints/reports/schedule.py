"""The scheduled report: an admin chooses monthly or quarterly, the report template (sjabloon,
blueprints.reports.report_templates) and the addresses; the job (blueprints.reports.jobs) mails
the PDF of the last complete period with that template's rows to them, once per period.

"Once" is kept in the database: the schedule's row is locked, the period compared with the last
one sent, the mails queued with `after_commit` and the period recorded in the same transaction.
A second run (the scheduler twice, a retry, tomorrow's run) finds the period recorded and sends
nothing; a rollback drops both the record and the mails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.reports import report_templates
from blueprints.reports.models import ReportSchedule
from blueprints.reports.periods import Period, compared, choose
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.emails import is_email
from tenants.errors import DomainError
from tenants.mail import send_mail

FREQUENCIES = {"maand": _l("Elke maand (de vorige maand)"),
               "kwartaal": _l("Elk kwartaal (het vorige kwartaal)")}
#: how often, inside a sentence ("die elke maand wordt verstuurd")
FREQUENCY_WORDS = {"maand": _l("elke maand"), "kwartaal": _l("elk kwartaal")}
MAX_RECIPIENTS = 10


@dataclass(frozen=True)
class ScheduleData:
    frequency: str
    recipients: str  #: addresses as typed: one a line, or separated by commas or semicolons
    template: str = report_templates.DEFAULT  #: a key of report_templates.TEMPLATES


def clean_recipients(text: str | None) -> list[str]:
    """The addresses in `text`, lower-cased, without doubles. Raises DomainError naming the
    first address that is not one, or when there are none or too many."""
    found: list[str] = []
    for part in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        address = part.strip().lower()
        if not address:
            continue
        if not is_email(address):
            raise DomainError(_l("‘%(address)s’ is geen geldig e-mailadres.", address=address))
        if address not in found:
            found.append(address)
    if not found:
        raise DomainError(_l("Vul minstens één e-mailadres in."))
    if len(found) > MAX_RECIPIENTS:
        raise DomainError(_l("Hoogstens %(n)s e-mailadressen.", n=MAX_RECIPIENTS))
    return found


def find_schedule(session: Session, *, lock: bool = False) -> ReportSchedule | None:
    query = select(ReportSchedule)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def save_schedule(session: Session, actor: Actor, data: ScheduleData) -> ReportSchedule:
    """Create or change the tenant's schedule. Raises DomainError for a bad choice or address.
    The last period sent is kept: changing the addresses does not send a period again."""
    if data.frequency not in FREQUENCIES:
        raise DomainError(_l("Kies elke maand of elk kwartaal."))
    if data.template not in report_templates.TEMPLATES:
        raise DomainError(_l("Kies een van de sjablonen in de lijst."))
    addresses = clean_recipients(data.recipients)
    schedule = find_schedule(session)
    if schedule is None:
        schedule = ReportSchedule(frequency=data.frequency, recipients="")
        session.add(schedule)
    schedule.frequency = data.frequency
    schedule.template = data.template
    schedule.recipients = "\n".join(addresses)
    session.flush()
    audit.record(session, actor, "report_schedule.saved", schedule,
                 frequency=data.frequency, template=data.template, recipients=len(addresses))
    return schedule


def remove_schedule(session: Session, actor: Actor) -> None:
    schedule = find_schedule(session)
    if schedule is not None:
        audit.record(session, actor, "report_schedule.removed", schedule)
        session.delete(schedule)
        session.flush()


def template_of(schedule: ReportSchedule) -> report_templates.Template:
    """The schedule's report template; the standard one for a key no longer known."""
    return (report_templates.TEMPLATES.get(schedule.template)
            or report_templates.TEMPLATES[report_templates.DEFAULT])


def last_complete(frequency: str, today: date) -> Period:
    """The last month or quarter that ended before `today`."""
    previous_day = today - timedelta(days=1)
    current = choose({"periode": frequency, "jaar": str(previous_day.year),
                      "maand": str(previous_day.month),
                      "kwartaal": str((previous_day.month - 1) // 3 + 1)}, previous_day)
    return current if current.end < today else compared(current, "vorige")


def due_period(schedule: ReportSchedule, today: date) -> Period | None:
    """The period to send now, or None when it was sent already (or a later one was)."""
    period = last_complete(schedule.frequency, today)
    if schedule.last_end is not None and period.end <= schedule.last_end:
        return None
    return period


def send_due(session: Session, tenant_name: str, today: date, *,
             storage_root: Path | None = None) -> Period | None:
    """Mail the PDF of the due period, with the rows of the schedule's report template, to
    every recipient and record it; the period sent, or None (no schedule, or nothing due). The
    mails leave when the caller commits."""
    from blueprints.reports.pdf import file_name, render_report_pdf

    schedule = find_schedule(session, lock=True)
    if schedule is None:
        return None
    period = due_period(schedule, today)
    if period is None:
        return None
    compare = compared(period, "vorige")
    template = template_of(schedule)
    pdf = render_report_pdf(session, tenant_name, period, compare, storage_root=storage_root,
                            template=template)
    subject = _l("Rapportage %(period)s – %(name)s", period=period.label, name=tenant_name)
    for address in schedule.addresses:
        send_mail(address, str(subject), "scheduled_report",
                  attachments=[(file_name(period), pdf, "application/pdf")],
                  from_name=tenant_name, after_commit=session, tenant_name=tenant_name,
                  period=period, compare=compare, template_label=str(template.label),
                  frequency=str(FREQUENCY_WORDS[schedule.frequency]))
    schedule.last_start, schedule.last_end = period.start, period.end
    schedule.last_sent_at = utcnow()
    session.flush()
    return period
