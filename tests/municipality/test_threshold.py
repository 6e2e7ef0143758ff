"""The operator raises a municipality's suppression threshold (5 to 10) on /beheer/gemeenten:
bad values are refused in Dutch and change nothing; the change is in the security log; the
portal, its privacy page and the municipal API use it at once (7 hides a cell of 6 people)."""
from __future__ import annotations

from sqlalchemy import select

from blueprints.municipality import tokens
from tenants.actor import Actor
from tenants.models import Municipality, MunicipalityMembership, SecurityEvent
from tests.api.conftest import bearer
from tests.helpers import csrf_token, login
from tests.municipality.share_world import share

PAGE = "/beheer/gemeenten"
MARCH = {"periode": "maand", "jaar": "2026", "maand": "3"}


def _set(client, municipality, value, with_csrf=True):
    data = {"threshold": value}
    if with_csrf:
        data["csrf_token"] = csrf_token(client, PAGE)
    return client.post(f"{PAGE}/{municipality.id}/drempel", data=data)


def _stored(session, municipality) -> int | None:
    session.expire_all()
    return session.scalar(select(Municipality.suppression_threshold).where(
        Municipality.id == municipality.id))


def test_bad_thresholds_are_refused_in_dutch_and_change_nothing(world, session, client, make):
    operator = make.user(operator=True, totp=True)
    login(client, operator)
    assert f"drempel-{world.m1.id}" in client.get(PAGE).get_data(as_text=True)
    for value in ("4", "11", "0", "-7", "7.5", "²", "९", "zeven", "9" * 40, ""):
        refused = _set(client, world.m1, value)
        assert refused.status_code == 400, value
        html = refused.get_data(as_text=True)
        assert ("van 5 tot en met 10 personen" in html or "Vul een drempel in" in html), value
        assert _stored(session, world.m1) is None, value
    # without a CSRF token: refused, nothing changed
    assert _set(client, world.m1, "7", with_csrf=False).status_code == 400
    assert _stored(session, world.m1) is None
    # a municipality that does not exist
    gone = client.post(f"{PAGE}/{2**62}/drempel",
                       data={"threshold": "7", "csrf_token": csrf_token(client, PAGE)})
    assert gone.status_code == 404


def test_only_the_operator_sets_a_threshold(world, session, client):
    login(client, world.officer1)
    response = client.post(f"{PAGE}/{world.m1.id}/drempel",
                           data={"threshold": "10", "csrf_token": csrf_token(
                               client, f"/gemeente/{world.m1.cbs_code}/collegas")})
    assert response.status_code == 404
    assert _stored(session, world.m1) is None


def test_a_threshold_of_7_hides_a_cell_of_6_people_in_the_portal_and_the_api(
        world, session, client, make):
    # B's volunteer hours in March: 6 people. At 5 they are shown.
    share(session, world.b, world.admin_b, "uren")
    membership = session.scalar(select(MunicipalityMembership).where(
        MunicipalityMembership.municipality_id == world.m1.id,
        MunicipalityMembership.user_id == world.officer1.id))
    municipality = session.get(Municipality, world.m1.id)
    _t, value = tokens.create_token(session, Actor(world.officer1.id, world.officer1.email),
                                    municipality, membership, "Dashboard", None)
    session.commit()
    api_url = f"/api/v1/gemeente/{world.m1.cbs_code}/reports"
    query = {"period": "maand", "year": "2026", "month": "3"}

    def volunteer_cell(api_client):
        data = api_client.get(api_url, headers=bearer(value), query_string=query).json
        hours = next(t for t in data["tables"] if t["template"] == "uren")
        row = next(r for r in hours["period"]["rows"] if r["key"] == "vrijwilligerswerk")
        return data["threshold"], row["cells"][0]

    api_client = client.application.test_client()
    assert volunteer_cell(api_client) == (5, {"value": 720, "suppressed": None})
    officer = client.application.test_client()
    login(officer, world.officer1)
    portal = f"/gemeente/{world.m1.cbs_code}/"
    html = officer.get(portal, query_string=MARCH).get_data(as_text=True)
    assert "12 uur" in html and "&lt; 7" not in html  # 6 people x 2 hours

    operator = make.user(operator=True, totp=True)
    login(client, operator)
    done = _set(client, world.m1, "7")
    assert done.status_code == 302
    assert _stored(session, world.m1) == 7
    assert "drempel 7" in client.get(PAGE).get_data(as_text=True)
    logged = session.scalars(select(SecurityEvent).where(
        SecurityEvent.action == "municipality.threshold_set",
        SecurityEvent.user_id == operator.id)).all()
    assert [(e.details["municipality"], e.details["before"], e.details["after"])
            for e in logged] == [(world.m1.cbs_code, 5, 7)]

    assert volunteer_cell(api_client) == (7, {"value": None, "suppressed": "klein"})
    html = officer.get(portal, query_string=MARCH).get_data(as_text=True)
    assert "&lt; 7" in html and "12 uur" not in html
    privacy = officer.get(f"/gemeente/{world.m1.cbs_code}/privacy").get_data(as_text=True)
    assert "minder dan 7 personen" in privacy

    # back to the platform's: stored as none
    assert _set(client, world.m1, "5").status_code == 302
    assert _stored(session, world.m1) is None
