"""schemathesis against /api/v1/openapi.json, through the WSGI app, as an admin of a cooperative
with participants, a trajectory, customers and invoices (sent, paid, credited, a draft); the
municipal API's operations with a token of the cooperative's municipality, which it shares with.

Every operation in the document gets generated calls, valid ones and invalid ones (Unicode
digits, huge numbers, empty values, strings where numbers belong...), with the tenant's own slug
and, for ids, now a real object and now a generated number. Each answer must not be a server
error, must have a documented status and media type, must match its documented schema, and an
invalid call must be refused (an empty `kind=` that the document forbids is not served).
Bounded and derandomised, so that it runs the same in seconds; on SQLite and on PostgreSQL (no
marker: it runs on whichever database the suite runs on).
"""
from __future__ import annotations

from collections import Counter
from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from blueprints.municipality import tokens as municipal_tokens
from blueprints.participants.models import Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.models import MunicipalityMembership, Tenant
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer
from tests.municipalities import municipality_row
from tests.municipality.share_world import share

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
MAX_EXAMPLES = 25


def _participant_with_a_trajectory(session, person, tenant, coach) -> int:
    pid = person(tenant, coach, first_name="Şükrü", last_name="Yılmaz-Łęcka",
                 neighbourhood="Noord", paying_municipality_code="0758",
                 date_of_birth=date(1970, 5, 1), skills=["tuin"], available_days=["ma"])
    with tenant_context(session, tenant.id):
        p = session.scalar(select(Participant).where(Participant.id == pid))
        trajectories.create_trajectory(session, Actor(coach.id, coach.email), p,
                                       trajectories.TrajectoryData(
            kind=TrajectoryKind.BASIC_JOB, starts_on=date(2026, 1, 5), hours_per_week="32",
            funding=Funding.OWN, job_coach_id=coach.id))
        session.commit()
    return pid


def _municipal_token(session, make, tenant, admin) -> tuple[str, str]:
    """The cooperative's municipality, sharing its hours with it, and a token of its officer:
    (CBS code, token) for the municipal API's operations."""
    municipality = municipality_row("Gemeente Schemathesis")
    session.add(municipality)
    session.commit()
    session.get(Tenant, tenant.id).municipality_id = municipality.id
    officer = make.user(totp=True)
    membership = MunicipalityMembership(user_id=officer.id, municipality_id=municipality.id)
    session.add(membership)
    session.commit()
    share(session, tenant, admin, "uren")
    _token, value = municipal_tokens.create_token(
        session, Actor(officer.id, officer.email), municipality, membership, "schemathesis",
        None)
    session.commit()
    return municipality.cbs_code, value


def test_the_api_answers_as_its_document_says(app, coop, issue, books, person, session, make,
                                              monkeypatch, capsys):
    tenant, admin, coach = coop
    pid = _participant_with_a_trajectory(session, person, tenant, coach)
    person(tenant, coach, first_name="Kees", last_name="de Vries")
    cooperative_headers = bearer(issue(admin, tenant, name="schemathesis"))
    cbs_code, municipal_token = _municipal_token(session, make, tenant, admin)
    monkeypatch.setitem(app.config, "LIMIT_API", "100000 per minute")
    real_ids = {"participant_id": [pid],
                "invoice_id": [books[k] for k in ("garden", "porch", "fees", "credit", "draft")],
                "cbs_code": [cbs_code, cbs_code]}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: Counter = Counter()
    operations: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.add(operation.label)
        # the municipal API's operations with the municipality's token (the body of `call`
        # stays as it is: hypothesis derives its derandomised examples from that source)
        headers = bearer(municipal_token) if operation.path.startswith("/api/v1/gemeente/") \
            else cooperative_headers
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None,
                      database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def call(case, data):
                parameters = case.path_parameters or {}
                # leave the invalid part of a negative call as it is (a path, the header)
                negated = {location for location, info in case.meta.components.items()
                           if info.mode.is_negative}
                if "path" in negated:
                    parameters = {}
                if "tenant_slug" in parameters:
                    parameters["tenant_slug"] = data.draw(st.sampled_from(
                        [tenant.slug, tenant.slug, parameters["tenant_slug"]]))
                for name, ids in real_ids.items():
                    if name in parameters:
                        parameters[name] = data.draw(st.sampled_from([*ids, parameters[name]]))
                response = case.call(headers={} if "header" in negated else headers)
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)

            call()

    requests = sum(statuses.values())
    with capsys.disabled():
        print(f"\nschemathesis: {requests} requests over {len(operations)} operations, by "
              f"status: {dict(sorted(statuses.items()))}")
    # every operation of the document but the document itself (schemathesis leaves it out)
    documented = {f"GET {path}" for path in schema.raw_schema["paths"]}
    assert operations == documented - {"GET /api/v1/openapi.json"}
    assert not any(status >= 500 for status in statuses)
    # the calls reached real data, and bad values were refused, not only 404s
    assert statuses[200] >= 100 and statuses[400] >= 10
