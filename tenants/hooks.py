"""Questions a lower feature asks that a higher feature answers (hooks).

Events (tenants/events.py) tell the features above that something happened; a hook lets a
feature below *ask* them something it needs for its own page or rule, without importing them:
help-request planning asks how many minutes participants already have in a week (hours answers),
the participant list asks how to filter by trajectory kind (trajectories answers), the customer
list asks each customer's prepaid hours (punch cards answer), archiving a customer asks whether
anything still holds it (punch cards answer).

- A hook has at most one answer (`provide`); asking a hook nobody answers gives its `default`,
  so a lower feature works, with less, when the one above is not installed.
- Answers are connected at start-up, like event subscribers: a feature's `subscribers.py`
  `connect()` (app.py `register_subscribers`). Providing the same function again changes
  nothing (one app per test); a different one replaces it.
- An answer runs in the asker's session, transaction and tenant; it reads, never commits, and
  may raise a DomainError to refuse (in Dutch) what the asker is doing.

ARCHITECTURE.md lists the hooks with who asks and who answers (keep them in step).
"""
from __future__ import annotations

from typing import Any, Callable


class Hook:
    """One question: asked by a lower feature, answered by (at most) one higher feature."""

    def __init__(self, name: str, doc: str, default: Callable[..., Any] = lambda *a, **k: None):
        self.name = name
        self.__doc__ = doc
        self._default = default
        self._answer: Callable[..., Any] | None = None

    def provide(self, answer: Callable[..., Any]) -> Callable[..., Any]:
        """Answer this hook with `answer` (usable as a decorator)."""
        self._answer = answer
        return answer

    @property
    def answered(self) -> bool:
        return self._answer is not None

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        """The answer, or the default when no feature answers."""
        answer = self._answer or self._default
        return answer(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


week_minutes = Hook("week-minutes", """
Minutes each participant already has in one ISO week (every entry that is not returned).
Asked: week_minutes.ask(session, participant_ids, week_start) -> {participant_id: minutes}.
Asked by helprequests (planning suggestions weigh the hours left this week).
Answered by hours. Default: {} (nobody has worked yet).""", default=lambda *a, **k: {})

participant_kind_filter = Hook("participant-kind-filter", """
The participant list's filter "soort traject": the kinds to choose from and the condition.
Asked: participant_kind_filter.ask() -> KindFilter | None (choices: [(value, label)];
condition(value): a SQL condition on Participant, correlated, e.g. an EXISTS).
Asked by participants (the list and its filter form).
Answered by trajectories. Default: None (no filter by kind).""")

customer_prepaid_minutes = Hook("customer-prepaid-minutes", """
Prepaid minutes left per customer (punch cards): None for a customer who never bought any.
Asked: customer_prepaid_minutes.ask(session, customer_ids) -> {customer_id: minutes}.
Asked by customers (the list's column "Strippenkaart (uren over)"), in one query for a page.
Answered by punchcards. Default: {} (no customer has prepaid hours).""",
                                default=lambda *a, **k: {})

customer_archivable = Hook("customer-archivable", """
Whether a customer may be archived: raises a DomainError (in Dutch) when something still holds
it. Asked: customer_archivable.ask(session, customer) -> None.
Asked by customers (archive_customer), before anything changes.
Answered by punchcards (refused while prepaid hours are left). Default: nothing holds it.""")

cooperative_phone = Hook("cooperative-phone", """
The cooperative's phone number for residents, as its finance settings hold it (or None).
Asked: cooperative_phone.ask(session) -> str | None.
Asked by helprequests (the confirmation mail to a resident who used the public form).
Answered by digests (from invoicing's settings). Default: None (the mail names no number).""")

payer_choices = Hook("payer-choices", """
The customers a trajectory or host organisation may be funded by (its "Uren betaald door"):
who pays for their hours (blueprints.hours.services.payer).
Asked: payer_choices.ask(session, keep=None) -> [(customer_id, name)]: the customers that are
not archived, by name, plus `keep` (the current funder) even when archived. One query.
Asked by participants (host organisations) and trajectories: the form's choices, the display
of the current funder, and the check that a chosen funder exists.
Answered by customers. Default: [] (nobody to choose: no funder can be set).""",
                     default=lambda *a, **k: [])

participant_sharing_export = Hook("participant-sharing-export", """
What a participant's right-of-access export (AVG art. 15) holds about sharing their progress
with a municipality: each recorded ground (municipality, ground, dates, scope, end) and each
time the municipality viewed the progress (when, which municipality, the officer's role; no
officer's name or address, as on "Mijn pagina").
Asked: participant_sharing_export.ask(session, participant) -> {"grondslagen": [...],
"bekeken": [...]} (JSON values, empty lists when nothing was shared), in the participant's
tenant.
Asked by privacy (export_participant, gegevens.json "gedeeld_met_gemeente").
Answered by municipality. Default: None (the export has no such section).""")

ALL = (week_minutes, participant_kind_filter, customer_prepaid_minutes, customer_archivable,
       cooperative_phone, payer_choices, participant_sharing_export)
