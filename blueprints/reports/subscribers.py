"""How the report summaries follow what other features do (tenants/events.py). Each receiver
runs inside the sender's transaction and tenant: the summary changes exactly when the change
it counts commits, and rolls back with it."""
from __future__ import annotations

from blueprints.invoicing.models import InvoiceKind
from blueprints.reports.models import HoursDaily, HoursMonthly, MoneyDaily, OutflowDaily
from blueprints.reports.summaries import add
from tenants import events


def on_hours_approved(_sender, *, session, entries, **_extra) -> None:
    for entry in entries:
        add(session, HoursDaily, {"day": entry.work_date, "hour_type": entry.hour_type.value},
            minutes=entry.minutes)
        add(session, HoursMonthly, {"month": entry.work_date.replace(day=1),
                                    "hour_type": entry.hour_type.value,
                                    "participant_id": entry.participant_id},
            minutes=entry.minutes)


def on_trajectory_ended(trajectory, *, session, **_extra) -> None:
    add(session, OutflowDaily, {"day": trajectory.outcome_on, "kind": trajectory.kind.value,
                                "outcome": trajectory.outcome.value}, trajectories=1)


def on_invoice_sent(invoice, *, session, **_extra) -> None:
    column = "invoiced_cents" if invoice.kind == InvoiceKind.INVOICE else "credited_cents"
    add(session, MoneyDaily, {"day": invoice.issue_date}, **{column: invoice.total_excl_cents})


def on_payment_registered(payment, *, session, **_extra) -> None:
    add(session, MoneyDaily, {"day": payment.paid_on}, paid_cents=payment.amount_cents)


def connect() -> None:
    events.hours_approved.connect(on_hours_approved, weak=False)
    events.trajectory_ended.connect(on_trajectory_ended, weak=False)
    events.invoice_sent.connect(on_invoice_sent, weak=False)
    events.payment_registered.connect(on_payment_registered, weak=False)
