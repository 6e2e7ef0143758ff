"""Page sections: a part of a lower feature's page that a higher feature contributes.

The participant page shows the participant's trajectories, the customer page its punch cards
and recent help requests, a help request's page its punch-card settlement: each belongs to the
feature above, which the page's own feature may not import. So the page renders whatever
sections are added to its slot, in their order, and the feature above adds its section at
start-up (its `subscribers.py` `connect()`, app.py `register_subscribers`).

A section is a function `render(**context) -> str | None` (HTML, usually `render_template` of
the contributing feature's own partial), given what the page passes (the object, `today`,
`is_admin`, ...); None or "" adds nothing. It runs inside the request of the page: it may read
the database (one or two queries, the same whatever the size), never change it.

In a template: `{% for html in sections %}{{ html }}{% endfor %}` where the view passed
`sections=participant_page.render(participant=p, ...)`.
"""
from __future__ import annotations

from typing import Any, Callable

from markupsafe import Markup


class Slot:
    """Where a page takes sections from other features, in order (lowest first)."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._sections: dict[str, tuple[int, Callable[..., Any]]] = {}

    def add(self, key: str, render: Callable[..., Any], order: int = 100) -> None:
        """Add (or replace, under the same key) a section. `key` names it, e.g.
        "trajectories"; adding again at start-up of another app changes nothing."""
        self._sections[key] = (order, render)

    def keys(self) -> list[str]:
        return [k for k, _ in sorted(self._sections.items(), key=lambda kv: (kv[1][0], kv[0]))]

    def render(self, **context: Any) -> list[Markup]:
        """The HTML of every section, in order, leaving out the empty ones."""
        parts = []
        for key in self.keys():
            html = self._sections[key][1](**context)
            if html:
                parts.append(Markup(html))
        return parts

    def __repr__(self) -> str:
        return f"<Slot {self.name}>"


participant_page = Slot("participant-page", """
The participant's page (participants.show), after the details.
Context: participant, today, is_admin, municipality_name (the paying municipality's, or None).
Sections: trajectories (the participant's trajectories); municipality (the ground for sharing
progress with the paying municipality, and each time it was viewed).""")

customer_page = Slot("customer-page", """
The customer's page (customers.show), after the rates.
Context: customer, today.
Sections: punchcards (cards, sell, write off, correct), helprequests (recent help requests).""")

help_request_page = Slot("help-request-page", """
A help request's page (helprequests.show), after the planning.
Context: help_request, customer (or None), is_admin.
Sections: punchcards (the punch-card balance and settling a done job from it).""")

my_page = Slot("my-page", """
The participant's own page "Mijn pagina" (trajectories.my_page), after the plan.
Context: participant (their record; the page renders no sections without one), today.
Sections: municipality (with whom progress is shared, on what ground, each view; withdraw).""")

ALL = (participant_page, customer_page, help_request_page, my_page)
