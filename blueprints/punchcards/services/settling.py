"""Settling a done help request with the customer's punch card."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.customers.services import get_customer
from blueprints.helprequests import services as helprequests
from blueprints.helprequests.models import HelpRequest, PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.punchcards.models import PunchCardUse
from blueprints.punchcards.services.cards import use_punch_card
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound


def approved_minutes_of(session: Session, help_request: HelpRequest) -> tuple[int, int]:
    """(minutes of approved hours, number of entries still waiting for approval) of a job, in
    one query. Corrections are entries too, so the sum is what was finally approved."""
    approved, waiting = 0, 0
    for status, minutes, count in session.execute(
            select(TimeEntry.status, func.sum(TimeEntry.minutes), func.count())
            .where(TimeEntry.help_request_id == help_request.id,
                   TimeEntry.status.in_([EntryStatus.APPROVED, EntryStatus.SUBMITTED]))
            .group_by(TimeEntry.status)):
        if status == EntryStatus.APPROVED:
            approved = int(minutes or 0)
        else:
            waiting = int(count)
    return approved, waiting


def settle_help_request_with_card(session: Session, actor: Actor,
                                  help_request: HelpRequest) -> list[PunchCardUse]:
    """Pay a done punch-card job from its customer's cards: the minutes of its approved hours
    are taken (oldest card first) and the job becomes "gefactureerd".

    Refused, nothing changed, when the job is not done, not on a punch card, has no customer,
    no approved hours, hours still waiting for approval (they would never be paid), or when
    the cards hold too little."""
    locked = session.scalar(select(HelpRequest).where(HelpRequest.id == help_request.id)
                            .with_for_update().execution_options(populate_existing=True))
    if locked is None:
        raise NotFound(_l("Deze hulpvraag bestaat niet."))
    help_request = locked
    if help_request.price_agreement != PriceAgreement.PUNCH_CARD:
        raise DomainError(_l("Deze klus is niet afgesproken op strippenkaart."))
    if help_request.status != RequestStatus.DONE:
        raise DomainError(_l("Alleen een uitgevoerde klus kan van de strippenkaart worden "
                             "afgeschreven; deze is ‘%(status)s’.",
                             status=helprequests.STATUS_LABELS[help_request.status]))
    if help_request.customer_id is None:
        raise DomainError(_l("Kies eerst de klant bij deze hulpvraag (Gegevens bewerken)."))
    customer = get_customer(session, help_request.customer_id)
    minutes, waiting = approved_minutes_of(session, help_request)
    if waiting:
        raise DomainError(_l("Er wachten nog uren van deze klus op goedkeuring. Keur ze eerst "
                             "goed of stuur ze terug."))
    if minutes <= 0:
        raise DomainError(_l("Deze klus heeft nog geen goedgekeurde uren om af te schrijven."))
    uses = use_punch_card(session, actor, customer, minutes,
                          min(help_request.done_on or date.today(), date.today()),
                          help_request=help_request,
                          note=str(_l("Klus %(ref)s", ref=help_request.reference)))
    helprequests.mark_invoiced(session, actor, help_request)
    return uses
