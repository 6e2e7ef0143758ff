"""The participant's right-of-access export (AVG art. 15, blueprints/privacy) holds what their
progress is shared with the municipality on, and each time a consulent looked: asked through
the hook `participant_sharing_export`, answered by the municipality feature."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from blueprints.municipality import sharing
from blueprints.participants.models import Participant
from blueprints.privacy.services import export_participant
from tenants import hooks
from tenants.actor import Actor
from tenants.tenancy import tenant_context
from tests.helpers import login
from tests.municipality.world import TODAY, World, world  # noqa: F401  (world is a fixture)


def _export(session, w: World, participant_id: int, tmp_path) -> tuple[dict, str]:
    actor = Actor(user_id=w.admin.id, email=w.admin.email)
    with tenant_context(session, w.tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == participant_id))
        content = export_participant(session, actor, person, tmp_path)
        session.commit()
    archive = zipfile.ZipFile(io.BytesIO(content))
    return (json.loads(archive.read("gegevens.json").decode("utf-8")),
            archive.read("LEESMIJ.txt").decode("utf-8"))


def test_the_export_holds_the_grounds_and_each_view_by_the_municipality(app, client, world,
                                                                       session, tmp_path):
    w = world
    login(client, w.consulent)
    assert client.get(f"/gemeente/0758/clienten/{w.tenant.slug}/{w.shared}").status_code == 200
    assert client.get(f"/gemeente/0758/clienten/{w.tenant.slug}/{w.shared}").status_code == 200
    with tenant_context(session, w.tenant.id):  # the participant withdraws their consent
        person = session.scalar(select(Participant).where(Participant.id == w.shared))
        [share] = sharing.shares_of(session, person, TODAY)
        sharing.withdraw_consent(session, Actor(user_id=w.participant_user.id,
                                                email=w.participant_user.email),
                                 person, share.share.id, TODAY)
        session.commit()

    data, readme = _export(session, w, w.shared, tmp_path)
    shared = data["gedeeld_met_gemeente"]
    [ground] = shared["grondslagen"]
    assert ground["gemeente"] == {"cbs_code": "0758", "naam": "Breda"}
    assert ground["grondslag"] == "toestemming"
    assert ground["grondslag_omschrijving"] == "Schriftelijke toestemming van de deelnemer"
    assert ground["ingangsdatum"] == (TODAY - timedelta(days=5)).isoformat()
    assert ground["einddatum"] == (TODAY + timedelta(days=200)).isoformat()
    assert [p["sleutel"] for p in ground["onderdelen"]] == list(sharing.PARTS)
    assert ground["beeindigd_op"] == TODAY.isoformat()
    assert ground["beeindigd_door"] == "deelnemer"
    assert ground["vastgelegd_op"]
    views = shared["bekeken"]
    assert len(views) == 2
    assert {(v["gemeente"], v["cbs_code"], v["rol"]) for v in views} == {
        ("Breda", "0758", "consulent")}
    assert views[0]["tijdstip"] <= views[1]["tijdstip"]  # oldest first, like the log
    # nothing about the officer beyond what "Mijn pagina" shows
    text = json.dumps(shared)
    assert w.consulent.email not in text and w.consulent.name not in text
    assert "gedeeld_met_gemeente" in readme


def test_a_participant_whose_progress_was_never_shared_has_an_empty_section(session, world,
                                                                           tmp_path):
    data, _readme = _export(session, world, world.unshared, tmp_path)
    assert data["gedeeld_met_gemeente"] == {"grondslagen": [], "bekeken": []}


def test_without_the_municipality_feature_the_export_has_no_such_section(session, world,
                                                                        tmp_path):
    answer = hooks.participant_sharing_export._answer
    hooks.participant_sharing_export._answer = None
    try:
        data, _readme = _export(session, world, world.shared, tmp_path)
    finally:
        hooks.participant_sharing_export._answer = answer
    assert "gedeeld_met_gemeente" not in data
    assert data["deelnemer"]["first_name"] == "Fatma"
