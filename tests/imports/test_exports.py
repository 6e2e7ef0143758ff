"""Exports of the participant and host lists as CSV (Dutch Excel) and XLSX.

Same columns as the import, so that an export can be imported again; the participant list's
filters apply; one query whatever the number of rows; every export is in the audit log.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from blueprints.participants.models import Neighbourhood, Participant, ParticipantStatus
from blueprints.participants.services import (
    HostData,
    ParticipantData,
    create_host,
    create_participant,
)
from tenants.actor import Actor
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login

ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture
def coach(make, client):
    tenant = make.tenant(name="Wijkcoöperatie Het Hart")
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    return tenant, user


def add(session, tenant, *people: ParticipantData, status=None):
    with tenant_context(session, tenant.id):
        created = [create_participant(session, ACTOR, p) for p in people]
        for participant in created:
            if status:
                participant.status = status
    session.commit()
    return created


def rows_of_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Dutch Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_participants_export_as_csv_for_dutch_excel(client, coach, session, make):
    tenant, user = coach
    add(session, tenant,
        ParticipantData(first_name="Fatima", last_name="El Amrani", email="f@example.org",
                        neighbourhood="Noord", date_of_birth=date(1985, 3, 24),
                        paying_municipality_code="0758", skills=["tuin", "schilderen"],
                        vog_present=True, vog_date=date(2024, 2, 1), available_hours=12,
                        street="=HYPERLINK(\"http://evil\")", phone="+31 6 12345678"),
        ParticipantData(first_name="Piet", last_name="Jansen"))
    other = make.tenant()
    add(session, other, ParticipantData(first_name="Geheim", last_name="Anders"))

    response = client.get(f"/{tenant.slug}/import/export/deelnemers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    table = rows_of_csv(response)
    header = table[0]
    assert header[:3] == ["voornaam", "achternaam", "e-mail"] and len(table) == 3
    row = dict(zip(header, table[1]))
    assert row["voornaam"] == "Fatima" and row["wijk"] == "Noord" and row["gemeente"] == "0758"
    assert row["geboortedatum"] == "24-03-1985" and row["vog_datum"] == "01-02-2024"
    assert row["vog"] == "ja" and row["statushouder"] == "nee" and row["uren_per_week"] == "12"
    assert row["vaardigheden"] == "schilderen, tuin" and row["uitkering"] == "bijstand"
    assert row["straat"] == "'=HYPERLINK(\"http://evil\")"  # never a formula in Excel
    assert row["telefoon"] == "+31 6 12345678"
    assert "Geheim" not in response.get_data(as_text=True)

    with tenant_context(session, tenant.id):
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "participants.exported"))
    assert event.actor_user_id == user.id
    assert event.details["count"] == 2 and event.details["format"] == "csv"


def test_participants_export_as_xlsx(client, coach, session):
    tenant, _user = coach
    add(session, tenant, ParticipantData(first_name="Yusuf", last_name="Demir",
                                         date_of_birth=date(1990, 7, 14),
                                         paying_municipality_code="0995",
                                         street="=1+1"))
    response = client.get(f"/{tenant.slug}/import/export/deelnemers.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    header, row = [c.value for c in sheet[1]], [c for c in sheet[2]]
    values = dict(zip(header, row))
    assert values["achternaam"].value == "Demir"
    assert values["geboortedatum"].value == datetime(1990, 7, 14)
    assert values["geboortedatum"].number_format == "DD-MM-YYYY"
    assert values["gemeente"].value == "0995"  # text: the leading zero stays
    assert values["straat"].data_type == "s" and values["straat"].value == "=1+1"
    assert sheet.max_row == 2


def test_an_export_can_be_imported_again(app, client, coach, session, make):
    tenant, _user = coach
    add(session, tenant,
        ParticipantData(first_name="Anna", last_name="de Boer", neighbourhood="Zuid",
                        date_of_birth=date(1970, 1, 2), paying_municipality_code="0882",
                        languages=["Nederlands", "Pools"], is_refugee_permit_holder=True,
                        emergency_name="Bram", emergency_phone="06 11111111"))
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/{tenant.slug}/import/export/deelnemers.{fmt}").get_data()
        other = make.tenant()
        elsewhere = app.test_client()
        login(elsewhere, make.member(other, Role.SUPERVISOR))
        upload = elsewhere.post(f"/{other.slug}/import/", data={
            "csrf_token": csrf_token(elsewhere, f"/{other.slug}/import/"), "kind": "deelnemers",
            "file": (io.BytesIO(exported), f"export.{fmt}")}, content_type="multipart/form-data")
        path = upload.headers["Location"]
        assert "Importeer 1 geldige rij" in elsewhere.get(path).get_data(as_text=True)
        elsewhere.post(f"{path}/bevestigen", data={"csrf_token": csrf_token(elsewhere, path),
                                                   "vanaf": "0"})
        with tenant_context(session, other.id):
            copy = session.scalar(select(Participant))
        assert (copy.last_name, copy.date_of_birth, copy.languages) == (
            "de Boer", date(1970, 1, 2), ["Nederlands", "Pools"])
        assert copy.is_refugee_permit_holder and copy.emergency_phone == "06 11111111"


def test_the_list_filters_apply_to_the_export(client, coach, session):
    tenant, user = coach
    add(session, tenant,
        ParticipantData(first_name="Jong", last_name="Een", neighbourhood="Noord",
                        date_of_birth=date(date.today().year - 20, 1, 1)),
        ParticipantData(first_name="Oud", last_name="Twee", neighbourhood="Zuid",
                        date_of_birth=date(1950, 1, 1), has_work_limitation=True),
        ParticipantData(first_name="Begeleid", last_name="Drie", supervisor_id=user.id))
    add(session, tenant, ParticipantData(first_name="Actief", last_name="Vier"),
        status=ParticipantStatus.ACTIVE)
    with tenant_context(session, tenant.id):
        zuid = session.scalar(select(Neighbourhood.id).where(Neighbourhood.name == "Zuid"))

    def names(query: str) -> list[str]:
        response = client.get(f"/{tenant.slug}/import/export/deelnemers.csv?{query}")
        assert response.status_code == 200
        return sorted(row[0] for row in rows_of_csv(response)[1:])

    assert names("") == ["Actief", "Begeleid", "Jong", "Oud"]
    assert names("q=een") == ["Jong"]
    assert names("status=actief") == ["Actief"]
    assert names(f"wijk={zuid}") == ["Oud"]
    assert names(f"begeleider={user.id}") == ["Begeleid"]
    assert names("doelgroep=jongere") == ["Jong"]
    assert names("doelgroep=arbeidsbeperking") == ["Oud"]
    assert names("soort=basisbaan") == []
    # Nonsense in the query string is ignored, never a server error.
    assert names("status=bestaat-niet&wijk=abc&doelgroep=x&soort=y") == [
        "Actief", "Begeleid", "Jong", "Oud"]
    with tenant_context(session, tenant.id):
        details = session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "participants.exported")).all()
    assert {"filter": {}, "text_search": True} in [
        {k: d[k] for k in ("filter", "text_search")} for d in details]
    assert "een" not in str(details).lower()  # a search text may be a name: not logged
    assert any(d["filter"] == {"target_group": "jongere"} and d["count"] == 1 for d in details)
    assert client.get(f"/{tenant.slug}/import/export/deelnemers.pdf").status_code == 404


def test_the_export_page_offers_the_filters(client, coach, session):
    tenant, _user = coach
    add(session, tenant, ParticipantData(first_name="A", last_name="B", neighbourhood="Oost"))
    page = client.get(f"/{tenant.slug}/import/").get_data(as_text=True)
    assert 'action="/%s/import/export/deelnemers.csv"' % tenant.slug in page
    assert 'formaction="/%s/import/export/deelnemers.xlsx"' % tenant.slug in page
    assert ">Oost</option>" in page and 'name="doelgroep"' in page


def test_hosts_export(client, coach, session):
    tenant, _user = coach
    with tenant_context(session, tenant.id):
        create_host(session, ACTOR, HostData(name="Speeltuin De Bolder", kind="speeltuin",
                                             vog_required=True, postcode="4811AA"))
    session.commit()
    table = rows_of_csv(client.get(f"/{tenant.slug}/import/export/inzetorganisaties.csv"))
    assert table[0][:2] == ["naam", "soort"]
    row = dict(zip(table[0], table[1]))
    assert row["naam"] == "Speeltuin De Bolder" and row["postcode"] == "4811 AA"
    assert row["vog_verplicht"] == "ja" and row["verzekerd"] == "ja"
    xlsx = client.get(f"/{tenant.slug}/import/export/inzetorganisaties.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).worksheets[0]
    assert sheet["A2"].value == "Speeltuin De Bolder"
    with tenant_context(session, tenant.id):
        assert session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "hosts.exported"))["count"] == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_takes_as_many_queries_for_30_as_for_3(client, coach, session, make,
                                                          count_queries, fmt):
    tenant, _user = coach
    other = make.tenant()
    other_user = make.member(other, Role.SUPERVISOR, user=_user)
    assert other_user.id == _user.id

    def fill(target, n):
        add(session, target, *[ParticipantData(
            first_name=f"Persoon{i}", last_name="Test", neighbourhood=f"Wijk {i % 3}",
            paying_municipality_code="0758", skills=["tuin"]) for i in range(n)])

    fill(tenant, 3)
    fill(other, 30)
    counted = {}
    for target, n in ((tenant, 3), (other, 30)):
        client.get(f"/{target.slug}/import/export/deelnemers.{fmt}")  # warm up
        with count_queries() as queries:
            response = client.get(f"/{target.slug}/import/export/deelnemers.{fmt}")
        assert response.status_code == 200
        counted[n] = queries()
    assert 0 < counted[3] == counted[30]
