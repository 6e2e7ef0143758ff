"""Who may do what in the question box and the knowledge base, the labels, and the text rules."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.knowledge.models import (
    Author,
    QuestionStatus,
    Theme,
)
from tenants import inputs
from tenants.actor import Actor
from tenants.errors import DomainError, PermissionDenied
from tenants.network import is_network_admin

#: votes a member may have on open questions at once; they return when a question is answered
VOTE_BUDGET = 5
#: open reports by different members that hide a message until a network admin reviews it
REPORT_THRESHOLD = 3
SIMILAR_LIMIT = 5

THEME_LABELS = {
    Theme.BEGELEIDING: _l("Begeleiding"),
    Theme.AANSPRAKELIJKHEID: _l("Aansprakelijkheid"),
    Theme.UITKERING: _l("Uitkering en regels"),
    Theme.ONTHEFFING: _l("Ontheffing"),
    Theme.ONDERNEMEN: _l("Ondernemen vanuit een uitkering"),
    Theme.FINANCIERING: _l("Financiering"),
    Theme.ANDERS: _l("Anders"),
}
STATUS_LABELS = {
    QuestionStatus.OPEN: _l("Open"),
    QuestionStatus.IN_BEHANDELING: _l("In behandeling"),
    QuestionStatus.BEANTWOORD: _l("Beantwoord"),
    QuestionStatus.BUITEN_SCOPE: _l("Buiten scope"),
}
VOTE_HOLDING = [s for s in QuestionStatus if s.holds_votes]

# --- who may do what ---------------------------------------------------------------------


def require_admin(session: Session, actor: Actor) -> None:
    if not is_network_admin(session, actor.user_id):
        raise PermissionDenied()


def can_write_articles(session: Session, user_id: int | None) -> bool:
    if is_network_admin(session, user_id):
        return True
    return user_id is not None and session.scalar(
        select(Author.id).where(Author.user_id == user_id)) is not None


def author_label(author_name: str, anonymous: bool, *, is_author: bool, viewer_is_admin: bool
                 ) -> str:
    """The name shown beside a question or comment. Anonymous posts are anonymous towards
    other members; the network admin and the author themselves see the name."""
    if not anonymous:
        return author_name
    if viewer_is_admin:
        return _("%(name)s (anoniem voor leden)", name=author_name)
    if is_author:
        return _("u (anoniem voor andere leden)")
    return _("Anoniem lid")


# --- text ----------------------------------------------------------------------------------


def _text(value: str | None, label: str, maximum: int, *, required: bool = True) -> str:
    value = inputs.normalise(value or "").strip()
    if inputs.has_control_characters(value):  # a NUL never reaches PostgreSQL
        raise DomainError(inputs.CONTROL_MESSAGE)
    if required and not value:
        raise DomainError(_("Vul %(label)s in.", label=label))
    if len(value) > maximum:
        raise DomainError(_("%(label)s is hoogstens %(n)s tekens.", label=label, n=maximum))
    return value


STOPWORDS = frozenset("""de het een en van in op te voor met aan als bij door dat die dit er
hoe is je kan kun kunnen mag moet naar niet of om ook over tot uit wat we wel wij wie zijn
zit zich hebben heeft wordt worden waarom wanneer welke onze ons ik u mijn""".split())


def _words(text: str) -> set[str]:
    """Content words, cut to six letters so that 'vrijwilligers' meets 'vrijwilliger'."""
    return {w[:6] for w in re.findall(r"\w+", text.lower()) if len(w) > 2 and w not in STOPWORDS}
