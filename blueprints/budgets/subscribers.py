"""How budgets react to what other features do (tenants/events.py). Each receiver runs inside
the sender's transaction and tenant: when it raises, the whole change rolls back."""
from __future__ import annotations

from sqlalchemy import update

from blueprints.budgets import services
from blueprints.budgets.models import CourseEnrolment
from tenants import events


def on_invoice_paid(invoice, *, session, actor, **_extra) -> None:
    """A paid invoice credits the participants' training budgets, once."""
    services.allocate_invoice(session, actor, invoice)


def on_credit_note_issued(credit_note, *, session, actor, **_extra) -> None:
    """A credit note takes back what the credited lines put in budgets, once."""
    services.reverse_for_credit_note(session, actor, credit_note)


def on_payment_refunded(payment, *, session, actor, invoice, amount_cents, key,
                        **_extra) -> None:
    """A refund takes back its share of what the paid invoice put in budgets, once per key."""
    services.reverse_for_refund(session, actor, invoice, amount_cents, key)


def on_trajectory_ended(trajectory, *, session, actor, **_extra) -> None:
    """Unspent budget moves to the pool under the tenant's "naar de pot" rule."""
    services.handle_trajectory_end(session, actor, trajectory)


def on_participant_erased(participant, *, session, actor, **_extra) -> None:
    """Course proposals stay (the ledger points at them); the free text about the person goes."""
    session.execute(update(CourseEnrolment).where(
        CourseEnrolment.participant_id == participant.id)
        .values(motivation=None, decline_reason=None)
        .execution_options(synchronize_session=False))


def connect() -> None:
    events.invoice_paid.connect(on_invoice_paid, weak=False)
    events.credit_note_issued.connect(on_credit_note_issued, weak=False)
    events.payment_refunded.connect(on_payment_refunded, weak=False)
    events.trajectory_ended.connect(on_trajectory_ended, weak=False)
    events.participant_erased.connect(on_participant_erased, weak=False)
