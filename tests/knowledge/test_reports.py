"""Reporting: three reports by different members hide a message until the admin reviews it."""
from __future__ import annotations

import pytest

from blueprints.knowledge import services
from blueprints.knowledge.models import Comment, Question, Visibility
from tenants.errors import DomainError
from tenants.extensions import db
from tests.helpers import login, post, unique
from tests.knowledge.builders import actor, ask


def _report(app, user, question_id, comment_id=None):
    with app.test_request_context():
        hid = services.report(db.session, actor(user), question_id, comment_id, "Beledigend")
        db.session.commit()
        db.session.remove()
    return hid


def test_three_reports_hide_a_question_until_reviewed(app, client, network):
    admin, members = network
    title = unique("Gemelde vraag")
    question_id = ask(app, members[3], title)
    assert _report(app, members[0], question_id) is False
    with app.test_request_context():
        with pytest.raises(DomainError, match="al gemeld"):
            services.report(db.session, actor(members[0]), question_id)
        db.session.remove()
    assert _report(app, members[1], question_id) is False
    login(client, members[2])
    response = post(client, f"/netwerk/vragen/{question_id}/melden", {"reason": "Spam"},
                    token_from="/netwerk/vragen/")
    assert response.status_code == 302
    assert title not in client.get("/netwerk/vragen/").get_data(as_text=True)
    assert client.get(f"/netwerk/vragen/{question_id}").status_code == 404
    admin_client = app.test_client()
    login(admin_client, admin)
    queue = admin_client.get("/netwerk/vragen/gemeld").get_data(as_text=True)
    assert title in queue and "Spam" in queue
    post(admin_client, f"/netwerk/vragen/{question_id}/beoordelen", {"besluit": "tonen"},
         token_from="/netwerk/vragen/")
    assert client.get(f"/netwerk/vragen/{question_id}").status_code == 200
    # the earlier reports no longer count: one new report does not hide it again
    assert _report(app, members[3], question_id) is False
    with app.app_context():
        assert db.session.get(Question, question_id).visibility == Visibility.VISIBLE


def test_a_removed_comment_stays_away(app, client, network):
    admin, members = network
    question_id = ask(app, members[3])
    with app.test_request_context():
        comment = services.add_comment(db.session, actor(members[3]), question_id,
                                       "Onaardige reactie", False)
        db.session.commit()
        comment_id = comment.id
        db.session.remove()
    for m in members[:3]:
        _report(app, m, question_id, comment_id)
    with app.app_context():
        assert db.session.get(Comment, comment_id).visibility == Visibility.HIDDEN
    login(client, members[0])
    assert "Onaardige reactie" not in client.get(
        f"/netwerk/vragen/{question_id}").get_data(as_text=True)
    admin_client = app.test_client()
    login(admin_client, admin)
    post(admin_client, f"/netwerk/vragen/{question_id}/reacties/{comment_id}/beoordelen",
         {"besluit": "verwijderen"}, token_from="/netwerk/vragen/")
    with app.app_context():
        assert db.session.get(Comment, comment_id).visibility == Visibility.REMOVED
    assert "Onaardige reactie" not in client.get(
        f"/netwerk/vragen/{question_id}").get_data(as_text=True)


def test_members_cannot_review(app, client, network):
    _admin, members = network
    question_id = ask(app, members[3])
    login(client, members[0])
    assert client.get("/netwerk/vragen/gemeld").status_code == 404
    assert post(client, f"/netwerk/vragen/{question_id}/beoordelen", {"besluit": "verwijderen"},
                token_from="/netwerk/vragen/").status_code == 404
