"""What punch cards add to the features below them: reactions (tenants/events.py), answers
(tenants/hooks.py) and page sections (tenants/sections.py). Connected by create_app()
(app.py `register_subscribers`)."""
from __future__ import annotations

from datetime import date

from flask import render_template
from sqlalchemy import update

from blueprints.helprequests.models import PriceAgreement, RequestStatus
from blueprints.punchcards import services
from blueprints.punchcards.forms import PunchCardForm, SettleForm, UseForm, correction_form
from blueprints.punchcards.models import PunchCard
from tenants import events, hooks, sections
from tenants.extensions import db


def on_draft_deleting(invoice, *, session, **_extra) -> None:
    """A punch card sold on a deleted draft stays sold; it is just no longer on an invoice."""
    session.execute(update(PunchCard).where(PunchCard.invoice_id == invoice.id)
                    .values(invoice_id=None).execution_options(synchronize_session=False))


def customer_section(*, customer, today: date, **_context) -> str:
    """The customer's cards with their uses, and the forms to sell, write off and correct
    (two queries)."""
    cards = services.cards_of(db.session, customer)
    form = correction_form(cards) if cards else None
    if form is not None:
        form.used_on.data = today
    return render_template(
        "punchcards/_customer_section.html", c=customer, cards=cards,
        balance=sum(v.balance_minutes for v in cards),
        card_form=PunchCardForm(formdata=None, prefix="kaart", bought_on=today),
        use_form=UseForm(formdata=None, prefix="afschrijven", used_on=today),
        correction_form=form)


def help_request_section(*, help_request, customer, is_admin: bool, **_context) -> str:
    """For a punch-card job not yet settled: the customer's balance, the job's approved
    minutes, how many entries still wait for approval, and (done) the button to settle."""
    if customer is None or help_request.price_agreement != PriceAgreement.PUNCH_CARD \
            or help_request.status in (RequestStatus.INVOICED, RequestStatus.DECLINED):
        return ""
    approved, waiting = services.approved_minutes_of(db.session, help_request)
    punch = {"balance": services.customer_punch_balance(db.session, customer),
             "approved": approved, "waiting": waiting}
    return render_template(
        "punchcards/_help_request_section.html", r=help_request, customer=customer,
        punch=punch, is_admin=is_admin, settle_form=SettleForm(formdata=None))


def connect() -> None:
    events.draft_deleting.connect(on_draft_deleting, weak=False)
    hooks.customer_prepaid_minutes.provide(services.prepaid_minutes)
    hooks.customer_archivable.provide(services.refuse_archiving_with_hours_left)
    sections.customer_page.add("punchcards", customer_section, order=10)
    sections.help_request_page.add("punchcards", help_request_section, order=10)
