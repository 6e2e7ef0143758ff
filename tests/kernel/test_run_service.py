"""run_service: what a form view shows when a service works, refuses, or finds nothing, and
the options the views with other needs use (a refusal beside a field, 403 for a role, a result
that says "keep nothing")."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as HttpNotFound

from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.web import run_service


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/", method="POST"):
        yield


def _raise(exc):
    def action():
        raise exc
    return action


def test_success_and_refusal_are_flashed(request_ctx):
    assert run_service(lambda: 7, lambda n: f"{n} opgeslagen") == (7, True)
    assert run_service(_raise(DomainError("Dat mag niet.")), "nooit") == (None, False)
    assert get_flashed_messages(with_categories=True) == [
        ("success", "7 opgeslagen"), ("error", "Dat mag niet.")]


def test_nothing_found_answers_404(request_ctx):
    with pytest.raises(HttpNotFound):
        run_service(_raise(NotFound()), "nooit")
    assert get_flashed_messages() == []


def test_no_success_message_when_the_view_says_it_itself(request_ctx):
    assert run_service(lambda: "klaar", None) == ("klaar", True)
    assert get_flashed_messages() == []


def test_a_refusal_can_go_beside_a_field(request_ctx):
    errors = []
    assert run_service(_raise(DomainError("Kies 1 tot 30 jaar.")), "nooit",
                       refused=errors.append) == (None, False)
    assert errors == ["Kies 1 tot 30 jaar."]
    assert get_flashed_messages() == []


def test_a_refusal_for_the_role_answers_403_only_when_asked(request_ctx):
    with pytest.raises(Forbidden):
        run_service(_raise(PermissionDenied("Alleen een begeleider.")), "nooit",
                    statuses={PermissionDenied: 403})
    # without the option it is a refusal like any other, as before
    run_service(_raise(PermissionDenied("Alleen een begeleider.")), "nooit")
    assert get_flashed_messages(with_categories=True) == [("error", "Alleen een begeleider.")]


def test_a_result_that_says_keep_nothing_is_not_kept_or_flashed(request_ctx):
    class Grid:
        ok = False

    grid = Grid()
    assert run_service(lambda: grid, "opgeslagen", keep=lambda g: g.ok) == (grid, False)
    grid.ok = True
    assert run_service(lambda: grid, "opgeslagen", keep=lambda g: g.ok) == (grid, True)
    assert get_flashed_messages() == ["opgeslagen"]  # the second time only


def test_the_success_message_is_made_before_the_commit(request_ctx, monkeypatch):
    # After the commit every loaded object is expired: a message read then would ask a
    # database that may be gone although the change is stored.
    from tenants.extensions import db

    order = []
    monkeypatch.setattr(db.session, "commit", lambda: order.append("commit"))
    run_service(lambda: 1, lambda n: order.append("message") or "opgeslagen")
    assert order == ["message", "commit"]
    assert get_flashed_messages() == ["opgeslagen"]
