"""The kernel's hooks (tenants/hooks.py) and page sections (tenants/sections.py): how a lower
feature asks a higher one and shows its part of a page, without importing it."""
from __future__ import annotations

from markupsafe import Markup

from tenants import hooks, sections
from tenants.hooks import Hook
from tenants.sections import Slot


def test_a_hook_without_an_answer_gives_its_default_and_an_answer_replaces_it():
    hook = Hook("probe", "A question for this test.", default=lambda ids: {})
    assert not hook.answered
    assert hook.ask([1, 2]) == {}
    hook.provide(lambda ids: {i: i * 60 for i in ids})
    assert hook.answered
    assert hook.ask([1, 2]) == {1: 60, 2: 120}


def test_sections_render_in_order_and_leave_out_empty_ones():
    slot = Slot("probe", "A page for this test.")
    slot.add("late", lambda **c: f"<p>late {c['n']}</p>", order=20)
    slot.add("early", lambda **c: "<p>early</p>", order=10)
    slot.add("nothing", lambda **c: "", order=15)
    slot.add("early", lambda **c: "<p>early again</p>", order=10)  # the same key replaces
    html = slot.render(n=3)
    assert html == ["<p>early again</p>", "<p>late 3</p>"]
    assert all(isinstance(part, Markup) for part in html)


def test_create_app_connects_every_hook_and_section(app):
    """What the features above contribute is connected at start-up (app.py
    register_subscribers), whichever way the app was built."""
    assert [h.name for h in hooks.ALL if not h.answered] == []
    assert sections.participant_page.keys() == ["trajectories", "municipality"]
    assert sections.customer_page.keys() == ["punchcards", "helprequests"]
    assert sections.help_request_page.keys() == ["punchcards"]
