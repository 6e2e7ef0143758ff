"""The demo's invoices: the history's two earlier years, all paid, and the last year, paid,
partly paid, overdue, credited; numbered in date order by the real services."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from blueprints.budgets import services as budgets
from blueprints.customers.models import Customer
from blueprints.demo.history import YEARS as HISTORY_YEARS
from blueprints.demo.history import has_history
from blueprints.demo.money.figures import (
    DOUBLE_BILLED_MONTH,
    FEE_PER_MONTH_CENTS,
    OVERDUE_MONTHS,
    PARTLY_PAID_MONTH,
    PUNCH_CARD_MONTH,
    PUNCH_CARD_USES,
    REMINDER_MONTH,
    RESIDENT_HELP,
    SCHOOL_MONTHS,
    Book,
    Month,
)
from blueprints.helprequests.models import HelpRequest, PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import LineUnit, PaymentMethod
from blueprints.invoicing.money import VatRate
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.punchcards import services as punchcards
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus
from blueprints.trajectories.services import add_months


def _working_day(day: date) -> date:
    """`day`, or the first working day after it (weekends and New Year's Day are not)."""
    while day.weekday() >= 5 or (day.month, day.day) == (1, 1):
        day += timedelta(days=1)
    return day


def _months(today: date, indexes) -> list[Month]:
    """The months at `indexes` (0 = twelve months ago, 11 = last month, negative: earlier),
    each issued on the first working day of the next month (never after today)."""
    this_month = today.replace(day=1)
    months = []
    for index in indexes:
        start = add_months(this_month, index - 12)
        end = add_months(start, 1) - timedelta(days=1)
        months.append(Month(index, start, end, min(_working_day(end + timedelta(days=1)),
                                                   today)))
    return months


def months_to_invoice(today: date) -> list[Month]:
    """The last twelve full months, each issued on the first working day of the next month
    (never after today)."""
    return _months(today, range(12))


def history_quarters(today: date) -> list[Month]:
    """The periods before those, back to where the demo's history begins (blueprints.demo
    .history, three years): calendar quarters, the first and last cut to that range, each
    issued on the first working day after it (in those years the cooperative invoiced per
    quarter). Oldest first, numbered -1, -2, … from the oldest."""
    first = add_months(today.replace(day=1), -12 * HISTORY_YEARS)
    stop = add_months(today.replace(day=1), -12)  # where the last twelve months begin
    quarters, start = [], first
    while start < stop:
        quarter_end = add_months(start.replace(month=(start.month - 1) // 3 * 3 + 1), 3)
        end = min(quarter_end, stop)
        months = (end.year - start.year) * 12 + end.month - start.month
        last = end - timedelta(days=1)
        quarters.append(Month(-1 - len(quarters), start, last,
                              min(_working_day(end), today), months))
        start = end
    return quarters


def _crew(session, rng, demo_person: Participant | None) -> list[Participant]:
    """The participants whose unlinked work hours go to the housing corporation: the demo
    participant and two others with a running work trajectory."""
    rows = session.execute(
        select(Participant).join(Trajectory, (Trajectory.tenant_id == Participant.tenant_id)
                                 & (Trajectory.participant_id == Participant.id))
        .where(Trajectory.status == TrajectoryStatus.ACTIVE,
               Trajectory.kind.not_in([TrajectoryKind.VOLUNTEER,
                                       TrajectoryKind.COUNTER_PERFORMANCE]))
        .order_by(Participant.last_name, Participant.first_name)).scalars().all()
    others = [p for p in dict.fromkeys(rows) if demo_person is None or p.id != demo_person.id]
    crew = rng.sample(others, min(2, len(others)))
    return ([demo_person] if demo_person is not None else []) + crew


def fund_crew(session, crew: list[Participant], corporation: Customer) -> None:
    """The housing corporation funds the crew's running work trajectories: it is the payer of
    their hours that are not for another customer's job (blueprints.hours.services.payer), so
    a draft for it offers exactly those, and a draft for anyone else never does."""
    for trajectory in session.scalars(select(Trajectory).where(
            Trajectory.participant_id.in_([p.id for p in crew]),
            Trajectory.status == TrajectoryStatus.ACTIVE,
            Trajectory.kind.not_in([TrajectoryKind.VOLUNTEER,
                                    TrajectoryKind.COUNTER_PERFORMANCE]))):
        trajectory.payer_customer_id = corporation.id
    session.flush()


class _Run:
    """The state of one tenant's year: who acts, what is issued, the random source."""

    def __init__(self, session, admin, rng, today):
        self.session, self.admin, self.rng, self.today = session, admin, rng, today
        self.count = 0

    def draft(self, customer, month: Month, note=None):
        return invoicing.create_draft(self.session, self.admin, customer, month.start, month.end,
                                      note=note)

    def send(self, invoice, on: date):
        self.count += 1
        return invoicing.finalise(self.session, self.admin, invoice, issue_date=on,
                                  today=self.today)

    def pay(self, invoice, low: int, high: int, amount: int | None = None,
            method=PaymentMethod.BANK_TRANSFER, reference=None):
        """Pay `low`–`high` days after issue; a payment that would lie in the future is left
        out, unless the invoice would be overdue by then (it is paid today)."""
        paid_on = invoice.issue_date + timedelta(days=self.rng.randint(low, high))
        if paid_on > self.today:
            if invoice.due_date >= self.today:
                return None
            paid_on = self.today
        return invoicing.register_payment(
            self.session, self.admin, invoice, amount or invoicing.open_cents(invoice), paid_on,
            method, reference or f"Betaling {invoice.number_text}",
            idempotency_key=f"demo:{invoice.number_text}", today=self.today)


#: the kinds of trajectory whose work a customer buys (the history's, see fund_history)
SOLD_WORK = (TrajectoryKind.LEARNING_WORK, TrajectoryKind.SOCIAL_JOB, TrajectoryKind.BASIC_JOB)


def fund_history(session, corporation: Customer) -> list[Trajectory]:
    """The history's jobs (blueprints.demo.history: ended, a participant who has left) paid
    from the cooperative's own means sold their work to the housing corporation: it is the
    payer of their hours, so its invoices of those years bill them and they earned those
    participants' budgets. Returns them."""
    ended = session.scalars(
        select(Trajectory).join(Participant, (Participant.tenant_id == Trajectory.tenant_id)
                                & (Participant.id == Trajectory.participant_id))
        .where(Trajectory.status == TrajectoryStatus.ENDED,
               Participant.status == ParticipantStatus.ENDED,
               Trajectory.funding == Funding.OWN,
               Trajectory.kind.in_(SOLD_WORK))
        .order_by(Trajectory.starts_on, Trajectory.id)).all()
    for trajectory in ended:
        trajectory.payer_customer_id = corporation.id
    session.flush()
    return ended


def _year(session, admin, rng, spec, book: Book, today: date) -> int:
    """The history's earlier months first, then the last twelve: numbers follow the dates
    across the whole history (gapless per series and year)."""
    run = _Run(session, admin, rng, today)
    # the demo's own recorded hours (blueprints.demo.work), not the history's people who left
    first_hours = session.scalar(
        select(func.min(TimeEntry.work_date))
        .join(Participant, (Participant.tenant_id == TimeEntry.tenant_id)
              & (Participant.id == TimeEntry.participant_id))
        .where(TimeEntry.status == EntryStatus.APPROVED,
               Participant.status != ParticipantStatus.ENDED))
    fee_trajectories = session.scalars(
        select(Trajectory).where(Trajectory.status != TrajectoryStatus.INTAKE,
                                 Trajectory.funding == Funding.MUNICIPAL_CONTRACT)
        .order_by(Trajectory.starts_on, Trajectory.id)).all()
    history = has_history(session)  # the benchmark's tenants have none
    funded = fund_history(session, book.corporation) if history else []
    for quarter in history_quarters(today) if history else []:  # the same customers, paid
        _ended(run, funded, quarter)
        _municipality(run, book, quarter, fee_trajectories)
        _history_corporation(run, book, quarter)
        _client(run, spec, book, quarter)
    for month in months_to_invoice(today):
        _ended(run, funded, month)
        _municipality(run, book, month, fee_trajectories)
        correction = _corporation(run, book, month, first_hours)
        if month.index in SCHOOL_MONTHS:
            _client(run, spec, book, month)
        _residents(run, book, month)
        if correction is not None:
            correction()
    this_month = today.replace(day=1)
    _ended(run, funded, Month(12, this_month, today, today))  # ended this month
    return run.count


def _ended(run: _Run, funded: list[Trajectory], month: Month) -> None:
    """The history's trajectories that ended in `month`, before its invoices are made: what
    their participants had not spent goes where the tenant's rule says, as the trajectory's
    end does (blueprints.budgets: "naar de pot"); what their last hours earn later stays
    theirs, as it would."""
    for trajectory in funded:
        if month.start <= trajectory.outcome_on <= month.end:
            budgets.handle_trajectory_end(run.session, run.admin, trajectory)


def _months_running(trajectory: Trajectory, period: Month) -> int:
    """The months of `period` (a month or a quarter) in which the trajectory ran."""
    running, start = 0, period.start
    while start <= period.end:
        end = add_months(start, 1) - timedelta(days=1)
        if trajectory.starts_on <= end and (trajectory.outcome_on is None
                                            or trajectory.outcome_on >= start):
            running += 1
        start = end + timedelta(days=1)
    return running


def _municipality(run: _Run, book: Book, month: Month, trajectories) -> None:
    """The fees per participant per month of the period, for the months each ran."""
    by_months: dict[int, list[int]] = {}
    for trajectory in trajectories:
        months = _months_running(trajectory, month)
        if months:
            by_months.setdefault(months, []).append(trajectory.id)
    if not by_months:
        return
    invoice = run.draft(book.municipality, month)
    for months in sorted(by_months, reverse=True):
        invoicing.add_trajectory_fees(run.session, run.admin, invoice, "per_maand",
                                      by_months[months], FEE_PER_MONTH_CENTS, months=months,
                                      vat_rate=VatRate.HIGH.value)
    run.send(invoice, month.issue)
    run.pay(invoice, 14, 30)


def _garden_line(run: _Run, book: Book, invoice, month: Month, hours: Decimal) -> None:
    price, vat = invoicing.rate_for(run.session, book.corporation, "tuin")
    invoicing.add_fixed_line(run.session, run.admin, invoice,
                             f"Groenonderhoud portiekflats — {month.label}", hours,
                             LineUnit.HOUR, price, vat, supply_date=month.end)


def _corporation(run: _Run, book: Book, month: Month, first_hours: date | None):
    """The month's invoice to the corporation; returns the correction to make after the
    month's other invoices, if this is the invoice billed twice."""
    session = run.session
    invoice = run.draft(book.corporation, month)
    hours_from = first_hours or month.end + timedelta(days=1)
    garden = None
    if month.start < hours_from:
        # Before the demo's recorded hours: the monthly round at the garden rate (for the
        # month where the hours begin, only the days before).
        days = min(month.end, hours_from - timedelta(days=1)).day
        base = Decimal(run.rng.randint(56, 80)) / 2  # 28 – 40 hours a month
        garden = (base * days / month.end.day * 2).quantize(Decimal(1)) / 2
        if garden > 0:
            _garden_line(run, book, invoice, month, garden)
            if month.index == DOUBLE_BILLED_MONTH:  # the mistake the credit note corrects
                _garden_line(run, book, invoice, month, garden)
    # Every hour the corporation pays (its hourly jobs, and the crew's trajectories it funds:
    # see fund_crew), so that no hour of it is left behind in a month already invoiced.
    ids = [entry.id
           for job in invoicing.uninvoiced_hours(session, book.corporation, month.start,
                                                 month.end).payer
           for group in job.people for entry in group.entries]
    if ids:
        invoicing.add_hours(session, run.admin, invoice, ids)
    if not invoice.total_incl_cents:
        invoicing.delete_draft(session, run.admin, invoice)
        return None
    run.send(invoice, month.issue)
    if month.index == DOUBLE_BILLED_MONTH and garden:
        return lambda: _correct(run, book, month, invoice, garden)
    run.pay(invoice, 10, 28)
    return None


def _history_corporation(run: _Run, book: Book, quarter: Month) -> None:
    """A quarter of the history to the corporation: the garden round of each month, and the
    hours of the history's people whose work it paid for (see fund_history)."""
    invoice = run.draft(book.corporation, quarter)
    garden = Decimal(sum(run.rng.randint(56, 80) for _ in range(quarter.months))) / 2
    _garden_line(run, book, invoice, quarter, garden)
    ids = [entry.id
           for job in invoicing.uninvoiced_hours(run.session, book.corporation, quarter.start,
                                                 quarter.end).payer
           for group in job.people for entry in group.entries]
    if ids:
        invoicing.add_hours(run.session, run.admin, invoice, ids)
    run.send(invoice, quarter.issue)
    run.pay(invoice, 10, 28)


def _correct(run: _Run, book: Book, month: Month, invoice, garden: Decimal) -> None:
    """The corporation's invoice with its garden line twice: credited in full a few days
    later (after the month's other invoices: numbers follow the dates) and invoiced again,
    the garden line once and the hours it had (the full credit note released them)."""
    on = _working_day(month.issue + timedelta(days=3))
    if on > run.today:
        run.pay(invoice, 10, 28)
        return
    invoicing.create_credit_note(run.session, run.admin, invoice, full=True,
                                 reason="Dubbel gefactureerd", issue_date=on, today=run.today)
    corrected = run.draft(book.corporation, month,
                          note=f"Vervangt factuur {invoice.number_text}: daarop stond het "
                               "groenonderhoud twee keer.")
    _garden_line(run, book, corrected, month, garden)
    ids = [entry.id
           for job in invoicing.uninvoiced_hours(run.session, book.corporation, month.start,
                                                 month.end).payer
           for group in job.people for entry in group.entries]
    if ids:
        invoicing.add_hours(run.session, run.admin, corrected, ids)
    run.send(corrected, on)
    run.pay(corrected, 10, 28)


def _client(run: _Run, spec, book: Book, month: Month) -> None:
    what = spec["client"][4]
    quarter = (month.start.month - 1) // 3 + 1
    invoice = run.draft(book.client, month)
    price, vat = invoicing.rate_for(run.session, book.client, None)
    invoicing.add_fixed_line(run.session, run.admin, invoice,
                             f"{what} — {quarter}e kwartaal {month.start.year}",
                             Decimal(run.rng.randint(12, 24)), LineUnit.HOUR, price, vat,
                             supply_date=month.end)
    run.send(invoice, month.issue)
    if month.index == PARTLY_PAID_MONTH:
        half = invoice.total_incl_cents // 200 * 100  # whole euros
        run.pay(invoice, 20, 25, amount=half, reference="Eerste termijn")
    else:
        run.pay(invoice, 15, 30)


def _resident_items(session, resident: Customer, month: Month):
    fixed = session.scalars(select(HelpRequest).where(
        HelpRequest.customer_id == resident.id, HelpRequest.status == RequestStatus.DONE,
        HelpRequest.price_agreement == PriceAgreement.FIXED,
        HelpRequest.done_on >= month.start, HelpRequest.done_on <= month.end)
        .order_by(HelpRequest.reference)).all()
    hours = [e.id for job in invoicing.uninvoiced_hours(session, resident, month.start,
                                                         month.end).payer
             for group in job.people for e in group.entries]
    return fixed, hours


def _residents(run: _Run, book: Book, month: Month) -> None:
    session = run.session
    helped = book.residents[month.index % len(book.residents)]
    # who had a job done in the month (a resident pays only for the jobs they asked for):
    # the others have nothing to bill, and their offer need not be read
    asked = set(session.scalars(select(HelpRequest.customer_id).where(
        HelpRequest.customer_id.in_([r.id for r in book.residents]),
        HelpRequest.done_on >= month.start, HelpRequest.done_on <= month.end)))
    asked |= set(session.scalars(
        select(HelpRequest.customer_id).join(
            TimeEntry, (TimeEntry.tenant_id == HelpRequest.tenant_id)
            & (TimeEntry.help_request_id == HelpRequest.id))
        .where(HelpRequest.customer_id.in_([r.id for r in book.residents]),
               TimeEntry.work_date >= month.start, TimeEntry.work_date <= month.end)))
    for resident in book.residents:
        fixed, hours = _resident_items(session, resident, month) if resident.id in asked \
            else ([], [])
        if resident is not helped and not fixed and not hours:
            continue
        invoice = run.draft(resident, month)
        punch_card = resident is helped and month.index == PUNCH_CARD_MONTH
        if punch_card:
            price, vat = invoicing.rate_for(session, resident, None)
            invoicing.add_fixed_line(session, run.admin, invoice, "Strippenkaart 10 uur hulp",
                                     1, LineUnit.PUNCH_CARD, price * 10, vat)
        elif resident is helped:
            price, vat = invoicing.rate_for(session, resident, "tuin")
            invoicing.add_fixed_line(session, run.admin, invoice,
                                     f"{run.rng.choice(RESIDENT_HELP)} — {month.label}",
                                     Decimal(run.rng.randint(3, 8)) / 2, LineUnit.HOUR, price,
                                     vat, supply_date=month.end)
        for request in fixed:
            invoicing.add_help_request(session, run.admin, invoice, request)
        if hours:
            invoicing.add_hours(session, run.admin, invoice, hours)
        run.send(invoice, month.issue)
        if punch_card:
            _punch_card(run, resident, invoice)
        if resident is helped and month.index in OVERDUE_MONTHS:
            if month.index == REMINDER_MONTH:
                invoicing.record_posted_reminder(session, run.admin, invoice, today=run.today)
            continue
        run.pay(invoice, 10, 14, method=run.rng.choice(
            [PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD,
             PaymentMethod.CASH]))


def _punch_card(run: _Run, resident: Customer, invoice) -> None:
    price, _vat = invoicing.rate_for(run.session, resident, None)
    punchcards.sell_punch_card(run.session, run.admin, resident, 10, price * 10,
                               invoice.issue_date, "Gekocht met factuur " + invoice.number_text,
                               invoice_id=invoice.id)
    for days, minutes, note in PUNCH_CARD_USES:
        on = invoice.issue_date + timedelta(days=days)
        if on <= run.today:
            punchcards.use_punch_card(run.session, run.admin, resident, minutes, on, note=note)
