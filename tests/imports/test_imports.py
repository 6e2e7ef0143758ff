"""Importing participants and host organisations from CSV and XLSX, through the real pages.

A file is checked row by row first (a preview that keeps nothing), then the valid rows are
imported, each on its own: a bad row never stops the others and is never half-imported.
Bad files get a Dutch message and change nothing.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from blueprints.participants.models import HostOrganisation, Neighbourhood, Participant
from blueprints.participants.services import HostData, create_host
from tenants.actor import Actor
from tenants.models import AuditEvent, Municipality, Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login

HEADER = ("Voornaam;Achternaam;E-mail;Straat;Postcode;Wijk;Geboortedatum;Gemeente;"
          "Vaardigheden;VOG;VOG_datum;Uren per week")


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(folder))
    return folder


@pytest.fixture
def coach(make, client):
    tenant = make.tenant(name="Buurtcoöperatie De Blauwe Kei")
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    return tenant, user


def upload(client, tenant, content: bytes, filename="deelnemers.csv", kind="deelnemers"):
    token = csrf_token(client, f"/{tenant.slug}/import/")
    return client.post(f"/{tenant.slug}/import/", data={
        "csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return re.search(r"/import/([A-Za-z0-9_-]{22})$", response.headers["Location"]).group(1)


def confirm(client, tenant, token, start=0, **kw):
    path = f"/{tenant.slug}/import/{token}"
    return client.post(f"{path}/bevestigen", data={
        "csrf_token": csrf_token(client, path), "vanaf": str(start)}, **kw)


def participants(session, tenant):
    with tenant_context(session, tenant.id):
        return list(session.scalars(select(Participant).order_by(Participant.last_name)))


def actions(session, tenant):
    with tenant_context(session, tenant.id):
        return list(session.scalars(select(AuditEvent.action)))


def csv_bytes(*lines: str, bom=True, encoding="utf-8") -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def test_a_good_csv_is_previewed_then_imported(client, coach, session, import_folder):
    tenant, _user = coach
    content = csv_bytes(
        HEADER,
        'Fatima;El Amrani;Fatima@Example.org;Haagweg 12;4811ab;Noord;24-03-1985;0758;'
        '"tuin, schilderen";ja;01-02-2024;16',
        "Piet;Jansen;;;;Noord;1960-05-01;Breda;;nee;;",
        ";;;;;;;;;;;",  # an empty row is skipped
    )
    response = upload(client, tenant, content)
    token = token_of(response)
    assert participants(session, tenant) == []  # the preview keeps nothing

    page = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)
    assert "Importeer 2 geldige rijen" in page
    assert "El Amrani" in page and "Jansen" in page
    assert "rijen hebben een fout" not in page
    assert participants(session, tenant) == []
    # The upload waits in a file in the tenant's own folder, not in the cookie.
    assert (import_folder / str(tenant.id) / f"{token}.json").is_file()
    assert len(response.headers.get("Set-Cookie", "")) < 1000

    done = confirm(client, tenant, token, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Import klaar" in text and "2 rijen geïmporteerd" in text

    amrani, jansen = participants(session, tenant)
    assert (amrani.first_name, amrani.email, amrani.postcode) == ("Fatima", "fatima@example.org",
                                                                   "4811 AB")
    assert amrani.date_of_birth == date(1985, 3, 24)
    assert amrani.skills == ["schilderen", "tuin"] and amrani.available_hours == 16
    assert amrani.vog_present and amrani.vog_date == date(2024, 2, 1)
    assert amrani.vog_renewal_due == date(2027, 2, 1)  # the service's rule
    breda = session.scalar(select(Municipality).where(Municipality.cbs_code == "0758"))
    assert amrani.paying_municipality_id == breda.id == jansen.paying_municipality_id
    assert amrani.neighbourhood_id == jansen.neighbourhood_id is not None
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Neighbourhood)) == 1

    events = actions(session, tenant)
    assert events.count("participant.created") == 2
    assert "import.completed" in events

    # Pressing the button again (a second tab, the back button) imports nothing twice.
    again = confirm(client, tenant, token)
    assert again.status_code == 302
    assert len(participants(session, tenant)) == 2


def test_an_xlsx_made_in_excel_is_imported(client, coach, session):
    tenant, _user = coach
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["voornaam", "ACHTERNAAM", " geboortedatum ", "gemeente", "huishouden",
                  "uitkering", "statushouder", "talen"])
    sheet.append(["Yusuf", "Demir", datetime(1990, 7, 14), 758, "alleenstaande ouder", "WW",
                  "ja", "Turks, Nederlands"])
    sheet.append([None] * 8)
    sheet.append(["Anna", "de Boer", date(1970, 1, 2), "Lelystad", None, None, "nee", None])
    out = io.BytesIO()
    workbook.save(out)

    token = token_of(upload(client, tenant, out.getvalue(), "deelnemers.xlsx"))
    page = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)
    assert "Importeer 2 geldige rijen" in page and "14-07-1990" in page
    confirm(client, tenant, token)

    people = {p.last_name: p for p in participants(session, tenant)}
    boer, demir = people["de Boer"], people["Demir"]
    assert demir.date_of_birth == date(1990, 7, 14)
    assert demir.household_type.value == "alleenstaande_ouder" and demir.benefit.value == "ww"
    assert demir.is_refugee_permit_holder and demir.languages == ["Nederlands", "Turks"]
    lelystad = session.scalar(select(Municipality).where(Municipality.cbs_code == "0995"))
    assert boer.paying_municipality_id == lelystad.id
    assert boer.benefit.value == "bijstand"  # the service's default


def test_bad_rows_are_listed_and_only_good_rows_are_imported(client, coach, session):
    tenant, _user = coach
    future = (date.today() + timedelta(days=30)).strftime("%d-%m-%Y")
    content = csv_bytes(
        HEADER,
        "Goed;Eerste;;;;;01-01-1980;0758;;;;",
        "Onbekend;Gemeente;;;;;01-01-1980;Atlantis;;;;",
        f"Nog;Niet Geboren;;;;;{future};;;;;",
        "Met;Bsn;;Dorpsstraat 111222333;;;;;;;;",
        "Omgedraaid;Datum;;;;;1985-24-03;;;;;",
        "Twee;Fouten;geen-adres;;;;31-02-1990;;;misschien;;",
        "Goed;Tweede;;;;;;9999;;;;",
        "Goed;Derde;;;;;;;;;;",
    )
    token = token_of(upload(client, tenant, content))
    page = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)

    assert 'role="alert"' in page
    assert "6 rijen hebben een fout" in page and "Importeer 2 geldige rijen" in page
    rows = dict(re.findall(
        r'data-label="Rij">(\d+)</td>.*?data-label="Fout"><strong>(.*?)</strong>', page, re.S))
    assert rows["3"].startswith("Onbekende gemeente &#39;Atlantis&#39;")
    assert "geboortedatum moet in het verleden" in rows["4"]
    assert "burgerservicenummer" in rows["5"]
    assert "&#39;1985-24-03&#39; is geen geldige datum" in rows["6"]
    assert "e-mail:" in rows["7"] and "&#39;31-02-1990&#39; is geen geldige datum" in rows["7"] \
        and "vog: vul &#39;ja&#39; of &#39;nee&#39; in" in rows["7"]
    assert "Onbekende gemeente (CBS-code 9999)" in rows["8"]

    confirm(client, tenant, token)
    assert [p.last_name for p in participants(session, tenant)] == ["Derde", "Eerste"]
    assert actions(session, tenant).count("participant.created") == 2

    download = client.get(f"/{tenant.slug}/import/{token}/fouten.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    body = download.get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert table[0] == HEADER.split(";") + ["rij", "fout"]
    assert [r[-2] for r in table[1:]] == ["3", "4", "5", "6", "7", "8"]
    assert table[1][:2] == ["Onbekend", "Gemeente"] and table[1][7] == "Atlantis"
    assert table[1][-1].startswith("Onbekende gemeente 'Atlantis'")
    assert table[3][3] == "Dorpsstraat 111222333"


def test_the_failed_rows_file_can_be_corrected_and_imported_again(client, coach, session):
    tenant, _user = coach
    content = csv_bytes(HEADER, "Kees;Fout;;;;;01-01-1980;Atlantis;;;;")
    token = token_of(upload(client, tenant, content))
    errors = client.get(f"/{tenant.slug}/import/{token}/fouten.csv").get_data()
    fixed = errors.replace(b"Atlantis", b"0758")
    again = token_of(upload(client, tenant, fixed, "deelnemers-fouten.csv"))
    page = client.get(f"/{tenant.slug}/import/{again}").get_data(as_text=True)
    assert "Importeer 1 geldige rij" in page and "niet gebruikt" not in page
    confirm(client, tenant, again)
    assert [p.last_name for p in participants(session, tenant)] == ["Fout"]


def test_hosts_are_imported_and_a_row_failing_at_import_time_is_reported(client, coach, session):
    tenant, _user = coach
    content = csv_bytes(
        "naam,soort,contactpersoon,e-mail,telefoon,postcode,plaats,vog_verplicht,verzekerd",
        "Speeltuin De Bolder,speeltuin,Els,els@bolder.example.org,+31 6 12345678,4811 AA,Breda,"
        "ja,",
        "VV Noordhoek,Sportvereniging,,,,,,nee,nee",
        "Zorgcentrum Aa,Zorginstelling / verpleeghuis,,,,,,,",
        "speeltuin de bolder,school,,,,,,,",  # the same name twice in one file
        "Kerk,gebedshuis,,,,,,,",
        bom=False)
    token = token_of(upload(client, tenant, content, "organisaties.csv", "inzetorganisaties"))
    page = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)
    assert "Importeer 3 geldige rijen" in page
    assert "Er is al een inzetorganisatie met deze naam" in page
    assert "onbekende soort &#39;gebedshuis&#39;" in page

    # Between the preview and the confirmation, a colleague adds one of the organisations.
    with tenant_context(session, tenant.id):
        create_host(session, Actor.system("test"), HostData(name="VV Noordhoek", kind="anders"))
    session.commit()

    result = confirm(client, tenant, token, follow_redirects=True).get_data(as_text=True)
    assert "2 rijen geïmporteerd" in result and "3 rijen zijn niet geïmporteerd" in result
    with tenant_context(session, tenant.id):
        hosts = {h.name: h for h in session.scalars(select(HostOrganisation))}
    assert set(hosts) == {"Speeltuin De Bolder", "VV Noordhoek", "Zorgcentrum Aa"}
    assert hosts["VV Noordhoek"].kind == "anders"  # the colleague's, untouched
    bolder = hosts["Speeltuin De Bolder"]
    assert bolder.vog_required and bolder.insurance_covered
    assert bolder.contact_phone == "+31 6 12345678"
    assert hosts["Zorgcentrum Aa"].kind == "zorginstelling"
    errors = client.get(f"/{tenant.slug}/import/{token}/fouten.csv").get_data().decode("utf-8-sig")
    assert "VV Noordhoek" in errors and "Er is al een inzetorganisatie met deze naam" in errors


def test_a_large_file_is_imported_in_chunks_with_progress(app, client, coach, session,
                                                          monkeypatch):
    tenant, _user = coach
    monkeypatch.setitem(app.config, "IMPORT_CHUNK_SIZE", 2)
    content = csv_bytes("voornaam;achternaam", *[f"Persoon;Nummer {i}" for i in range(5)])
    token = token_of(upload(client, tenant, content))
    path = f"/{tenant.slug}/import/{token}"

    assert confirm(client, tenant, token).headers["Location"].endswith(path)
    page = client.get(path).get_data(as_text=True)
    assert '<progress id="voortgang" max="5" value="2"' in page
    assert "2 van 5 rijen verwerkt" in page and "Verder importeren" in page
    assert "data-auto-submit" in page and "js/import-progress.js" in page
    assert "<noscript>" in page and 'name="vanaf" type="hidden" value="2"' in page
    assert len(participants(session, tenant)) == 2

    confirm(client, tenant, token, start=0)  # a stale page: nothing happens
    assert len(participants(session, tenant)) == 2
    confirm(client, tenant, token, start=2)
    assert "4 van 5 rijen verwerkt" in client.get(path).get_data(as_text=True)
    confirm(client, tenant, token, start=4)
    assert "5 rijen geïmporteerd" in client.get(path).get_data(as_text=True)
    assert len(participants(session, tenant)) == 5
    assert actions(session, tenant).count("import.chunk") == 3
    assert client.get("/static/js/import-progress.js").status_code == 200


def test_a_chunk_is_never_imported_twice_even_when_its_progress_was_lost(
        app, client, coach, session, import_folder, monkeypatch):
    tenant, _user = coach
    monkeypatch.setitem(app.config, "IMPORT_CHUNK_SIZE", 2)
    content = csv_bytes("naam;soort", "Buurthuis Oost;buurthuis", "Basisschool De Linde;school",
                        "Speeltuin Zuid;speeltuin")
    token = token_of(upload(client, tenant, content, "hosts.csv", "inzetorganisaties"))
    with tenant_context(session, tenant.id):  # a colleague is quicker with one of them
        create_host(session, Actor.system("test"), HostData(name="Basisschool De Linde",
                                                            kind="school"))
    session.commit()
    state_file = import_folder / str(tenant.id) / f"{token}.json"
    before = state_file.read_bytes()
    confirm(client, tenant, token)
    state_file.write_bytes(before)  # the server stopped after the commit, before saving

    confirm(client, tenant, token, start=0)
    page = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)
    assert "2 van 3 rijen verwerkt" in page and "Tot nu toe geïmporteerd: 1" in page
    confirm(client, tenant, token, start=2)
    with tenant_context(session, tenant.id):
        names = sorted(session.scalars(select(HostOrganisation.name)))
        chunks = session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "import.chunk")).all()
    assert names == ["Basisschool De Linde", "Buurthuis Oost", "Speeltuin Zuid"]
    assert actions(session, tenant).count("host.created") == 3  # 2 imported, 1 by hand
    assert [c["failed_lines"] for c in chunks] in ([[3], []], [[], [3]])
    assert "Linde" not in str(chunks)  # row numbers only, no cell values in the audit log
    result = client.get(f"/{tenant.slug}/import/{token}").get_data(as_text=True)
    assert "2 rijen geïmporteerd" in result and "kon niet worden opgeslagen" in result


def test_a_large_file_is_checked_in_chunks_before_the_preview(app, client, coach, session,
                                                              monkeypatch):
    tenant, _user = coach
    monkeypatch.setitem(app.config, "IMPORT_CHECK_SIZE", 2)
    content = csv_bytes("voornaam;achternaam;gemeente", "A;Een;0758", "B;Twee;Atlantis",
                        "C;Drie;0758", "D;Vier;0758", "E;Vijf;Atlantis")
    token = token_of(upload(client, tenant, content))
    path = f"/{tenant.slug}/import/{token}"
    page = client.get(path).get_data(as_text=True)
    assert "Bestand controleren" in page and "2 van 5 rijen gecontroleerd" in page
    assert '<progress id="voortgang" max="5" value="2"' in page
    assert f'action="{path}/controleren"' in page and "data-auto-submit" in page
    # Importing before the check is done does nothing.
    assert confirm(client, tenant, token).status_code == 302
    assert participants(session, tenant) == []

    def check(start):
        return client.post(f"{path}/controleren", data={
            "csrf_token": csrf_token(client, path), "vanaf": str(start)})

    check(2)
    check(2)  # a repeated press changes nothing
    assert "4 van 5 rijen gecontroleerd" in client.get(path).get_data(as_text=True)
    check(4)
    page = client.get(path).get_data(as_text=True)
    assert "Importeer 3 geldige rijen" in page and "2 rijen hebben een fout" in page
    assert participants(session, tenant) == []
    confirm(client, tenant, token)
    assert sorted(p.first_name for p in participants(session, tenant)) == ["A", "C", "D"]


@pytest.mark.parametrize("filename, content, message", [
    ("deelnemers.csv", bytes(range(256)) * 40, "geen leesbaar CSV-bestand"),
    ("deelnemers.txt", b"voornaam;achternaam\nA;B\n", "Kies een CSV-bestand (.csv) of een Excel"),
    ("deelnemers.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "Oude Excel-bestanden (.xls)"),
    ("deelnemers.xlsx", b"voornaam;achternaam\nA;B\n", "geen geldig Excel-bestand"),
    ("deelnemers.xlsx", b"PK\x03\x04" + b"kapot" * 50, "geen geldig Excel-bestand"),
    ("deelnemers.csv", b"", "Het bestand is leeg"),
    ("deelnemers.csv", b"\xef\xbb\xbf\r\n\r\n", "Het bestand is leeg"),
    ("deelnemers.csv", b"voornaam;achternaam\r\n", "alleen een kopregel"),
    ("deelnemers.csv", b"naam;e-mail\nA;a@example.org\n",
     "Deze verplichte kolommen ontbreken: voornaam, achternaam"),
    ("deelnemers.csv", b"voornaam;achternaam;Voornaam\nA;B;C\n",
     "De kolom &#39;voornaam&#39; staat meer dan eens"),
    ("<img src=x onerror=alert(1)>.txt", b"voornaam;achternaam\nA;B\n",
     "Een bestand als &#39;&lt;img src=x onerror=alert(1)&gt;.txt&#39;"),
    ("deelnemers.csv", b'voornaam;achternaam\nA;"B\nC;D\n', "niet goed opgemaakt bij rij 2"),
])
def test_a_bad_file_gets_a_dutch_message_and_changes_nothing(client, coach, session,
                                                              import_folder, filename, content,
                                                              message):
    tenant, _user = coach
    response = upload(client, tenant, content, filename)
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:2000]
    assert message in text and "Er is niets geïmporteerd" in text and 'role="alert"' in text
    assert participants(session, tenant) == []
    assert not list(import_folder.glob("*/*.json"))


def test_a_missing_file_is_refused(client, coach):
    tenant, _user = coach
    response = client.post(f"/{tenant.slug}/import/", data={
        "csrf_token": csrf_token(client, f"/{tenant.slug}/import/"), "kind": "deelnemers"},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "Kies een bestand om te importeren" in \
        response.get_data(as_text=True)


def test_more_than_5000_rows_must_be_split(client, coach, session):
    tenant, _user = coach
    content = csv_bytes("voornaam;achternaam", *(["Jan;Jansen"] * 5001))
    response = upload(client, tenant, content)
    assert response.status_code == 422
    assert "Splits het bestand" in response.get_data(as_text=True)
    assert participants(session, tenant) == []


def test_a_20_mb_upload_is_refused_with_a_dutch_message(client, coach, session, import_folder):
    tenant, _user = coach
    content = csv_bytes("voornaam;achternaam", *(["Jan;Jansen"] * 10)) + b" " * (20 * 1024 * 1024)
    response = upload(client, tenant, content)
    text = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Het bestand is te groot" in text and "10 MB" in text and 'lang="nl"' in text
    assert participants(session, tenant) == []
    assert not list(import_folder.glob("*/*.json"))


def test_an_import_of_another_tenant_answers_404(client, make, session):
    tenant, other = make.tenant(), make.tenant()
    user = make.member(tenant, Role.ADMIN)
    make.member(other, Role.ADMIN, user=user)  # the same person coordinates both
    login(client, user)
    token = token_of(upload(client, tenant, csv_bytes("voornaam;achternaam", "Jan;Jansen")))
    base = f"/{other.slug}/import/{token}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/fouten.csv").status_code == 404
    post = client.post(f"{base}/bevestigen", data={
        "csrf_token": csrf_token(client, f"/{other.slug}/import/"), "vanaf": "0"})
    assert post.status_code == 404
    assert participants(session, other) == [] and participants(session, tenant) == []
    assert client.get(f"/{tenant.slug}/import/{token}").status_code == 200
    assert client.get(f"/{tenant.slug}/import/{'x' * 22}").status_code == 404
    assert client.get(f"/{tenant.slug}/import/..%2f..%2fetc").status_code == 404


def test_a_participant_cannot_import(client, make):
    tenant = make.tenant()
    member = make.member(tenant, Role.PARTICIPANT)
    login(client, member)
    assert client.get(f"/{tenant.slug}/import/").status_code == 403
    assert client.get(f"/{tenant.slug}/import/export/deelnemers.csv").status_code == 403


def test_cancelling_keeps_nothing(client, coach, session, import_folder):
    tenant, _user = coach
    token = token_of(upload(client, tenant, csv_bytes("voornaam;achternaam", "Jan;Jansen")))
    path = f"/{tenant.slug}/import/{token}"
    response = client.post(f"{path}/annuleren", data={"csrf_token": csrf_token(client, path)},
                           follow_redirects=True)
    assert "er is niets geïmporteerd" in response.get_data(as_text=True)
    assert client.get(path).status_code == 404
    assert participants(session, tenant) == []
    assert not list(import_folder.glob("*/*.json"))


def test_the_upload_page_explains_the_columns_and_offers_templates(client, coach):
    tenant, _user = coach
    page = client.get(f"/{tenant.slug}/import/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'for="file"' in page
    assert "geboortedatum" in page and "dd-mm-jjjj" in page
    template = client.get(f"/{tenant.slug}/import/voorbeeld/deelnemers.csv")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    header = template.get_data().decode("utf-8-sig").strip().split(";")
    assert header[:3] == ["voornaam", "achternaam", "e-mail"] and "gemeente" in header
    hosts = client.get(f"/{tenant.slug}/import/voorbeeld/inzetorganisaties.csv")
    assert hosts.get_data().decode("utf-8-sig").startswith("naam;soort;")
    assert client.get(f"/{tenant.slug}/import/voorbeeld/iets.csv").status_code == 404


def test_the_cli_imports_and_reports_failed_rows(app, make, session, tmp_path):
    tenant = make.tenant()
    path = tmp_path / "deelnemers.csv"
    path.write_bytes(csv_bytes("voornaam;achternaam;gemeente", "Jan;Jansen;0758",
                               "Kees;Kaas;Atlantis", encoding="cp1252", bom=False))
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["import-participants", "--tenant", tenant.slug, "--dry-run",
                                  str(path)])
    assert checked.exit_code == 1 and "rij 3: Onbekende gemeente 'Atlantis'" in checked.output
    assert participants(session, tenant) == []

    result = runner.invoke(args=["import-participants", "--tenant", tenant.slug, str(path)])
    assert result.exit_code == 1, result.output
    assert "1 rijen geïmporteerd, 1 niet" in result.output
    assert [p.last_name for p in participants(session, tenant)] == ["Jansen"]

    good = tmp_path / "goed.csv"
    good.write_bytes(csv_bytes("voornaam;achternaam", "Één;Ümit"))
    ok = runner.invoke(args=["import-participants", "--tenant", tenant.slug, str(good)])
    assert ok.exit_code == 0, ok.output
    unknown = runner.invoke(args=["import-participants", "--tenant", "bestaat-niet", str(good)])
    assert unknown.exit_code != 0 and "Onbekende organisatie" in unknown.output
