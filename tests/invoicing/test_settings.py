"""Finance settings: created from the tenant, validated by checksum, audited; the logo; what an
invoice still needs; the settings page."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from blueprints.invoicing import settings as fs
from blueprints.invoicing.models import FinanceSettings, InvoiceKind, VatRegime
from tenants import storage
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role, Tenant
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post
from tests.invoicing.doc_builders import RESIDENT_LINES, customer, invoice, jpeg, png

GOOD = fs.SettingsData(
    legal_name="Bewonerscoöperatie De Vaart U.A.", street="Vaartweg 12", postcode="1234 ab",
    city="Lelystad", kvk_number="1234 5678", vat_id="nl 123456782 b01",
    iban="nl91 abna 0417 1643 00", bic="abnanl2a", email="facturen@devaart.example.org",
    phone="0320 123 456", recognition="sbb", recognition_reference="100234567",
    vat_regime="normaal", default_vat_rate="vrijgesteld", hourly_rate="1.234,56",
    invoice_prefix="fw", credit_prefix="cw", payment_term_days="21",
    footer_text="Algemene voorwaarden op devaart.example.org")


@pytest.fixture
def fresh(make, session):
    """A tenant without finance settings, with its admin."""
    tenant = make.tenant(name="Buurtwerk Noord")
    admin = make.member(tenant, Role.ADMIN)
    with tenant_context(session, tenant.id):
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        t.kvk_number = "87654321"
        session.commit()
        yield tenant, admin, Actor(user_id=admin.id, email=admin.email)
    session.rollback()


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(FinanceSettings))


def test_settings_are_created_from_the_tenant_once(session, fresh):
    assert fs.find_settings(session) is None
    first = fs.get_settings(session)
    assert first.legal_name == "Buurtwerk Noord" and first.kvk_number == "87654321"
    assert first.invoice_prefix == "F" and first.credit_prefix == "C"
    assert fs.get_settings(session) is first and _count(session) == 1


def test_current_settings_reads_without_writing(session, fresh):
    defaults = fs.current_settings(session)
    assert defaults.legal_name == "Buurtwerk Noord"
    assert _count(session) == 0


def test_saving_stores_compact_checked_values_and_audits(session, fresh):
    _, _, actor = fresh
    saved = fs.save_settings(session, actor, GOOD)
    assert (saved.postcode, saved.kvk_number, saved.vat_id) == ("1234 AB", "12345678",
                                                                "NL123456782B01")
    assert (saved.iban, saved.bic) == ("NL91ABNA0417164300", "ABNANL2A")
    assert saved.hourly_rate_cents == 123456 and saved.payment_term_days == 21
    assert (saved.invoice_prefix, saved.credit_prefix) == ("FW", "CW")
    assert saved.default_vat_rate == "vrijgesteld"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                    "finance_settings.updated"))
    assert "iban" in event.details["changed"]
    assert event.details["series"]["invoice_prefix"] == ["F", "FW"]
    assert fs.missing_for_invoicing(saved) == []


@pytest.mark.parametrize("change, message", [
    (dict(iban="NL91ABNA0417164301"), "Dit IBAN klopt niet"),
    (dict(kvk_number="1234567"), "precies 8 cijfers"),
    (dict(vat_id="NL123456789B02"), "Dit btw-nummer klopt niet"),
    (dict(vat_id="BE0403170701"), "Nederlandse btw-identificatienummer"),
    (dict(bic="ABN"), "Deze BIC klopt niet"),
    (dict(postcode="12345"), "1234 AB"),
    (dict(legal_name="  "), "officiële naam"),
    (dict(payment_term_days="121"), "0 tot en met 120"),
    (dict(payment_term_days="-1"), "0 tot en met 120"),
    (dict(invoice_prefix="F-"), "1 tot 10 letters of cijfers"),
    (dict(credit_prefix="C" * 11), "1 tot 10 letters of cijfers"),
    (dict(invoice_prefix="X", credit_prefix="x"), "twee verschillende voorvoegsels"),
    (dict(hourly_rate="veel"), "bedrag in euro"),
    (dict(hourly_rate=""), "standaard uurtarief"),
    (dict(recognition="sbb", recognition_reference=""), "SBB-nummer"),
    (dict(recognition="ministerie"), "erkenning uit de lijst"),
    (dict(vat_regime="half"), "btw-regeling"),
    (dict(default_vat_rate="19"), "btw-tarief"),
    (dict(default_vat_rate="kor"), "kleineondernemersregeling"),
    (dict(email="geen-adres"), "geldig e-mailadres"),
])
def test_bad_input_is_refused_and_changes_nothing(session, fresh, change, message):
    _, _, actor = fresh
    before = fs.save_settings(session, actor, GOOD)
    session.commit()
    with pytest.raises(DomainError, match=message):
        fs.save_settings(session, actor, replace(GOOD, **change))
    session.rollback()
    after = fs.get_settings(session)
    assert after.iban == "NL91ABNA0417164300" and after.kvk_number == "12345678"
    assert after is before or after.id == before.id


def test_a_zero_day_term_and_an_empty_optional_field_are_fine(session, fresh):
    _, _, actor = fresh
    saved = fs.save_settings(session, actor, replace(GOOD, payment_term_days=0, bic="",
                                                     vat_id="", recognition="geen",
                                                     recognition_reference="oud"))
    assert saved.payment_term_days == 0 and saved.bic is None and saved.vat_id is None
    assert saved.recognition_reference is None  # no recognition, no reference
    assert any("btw-identificatienummer" in m for m in fs.missing_for_invoicing(saved))


def test_kor_needs_no_vat_id_and_makes_kor_the_default_rate(session, fresh):
    _, _, actor = fresh
    saved = fs.save_settings(session, actor, replace(GOOD, vat_regime="kor", vat_id=""))
    assert saved.vat_regime == VatRegime.KOR and saved.default_vat_rate == "kor"
    assert fs.missing_for_invoicing(saved) == []


def test_missing_for_invoicing_names_what_is_missing(session, fresh):
    settings = fs.get_settings(session)
    settings.kvk_number = None
    missing = fs.missing_for_invoicing(settings)
    assert len(missing) == 4
    assert any("adres" in m for m in missing) and any("KvK" in m for m in missing)
    assert any("IBAN" in m for m in missing) and any("btw" in m for m in missing)


def test_a_prefix_cannot_switch_between_invoices_and_credit_notes(session, fresh):
    _, _, actor = fresh
    settings = fs.save_settings(session, actor, GOOD)
    invoice(session, settings, customer(session), RESIDENT_LINES[:1],
            kind=InvoiceKind.CREDIT_NOTE, number=1)  # numbered in the CW series
    with pytest.raises(DomainError, match="al gebruikt voor creditnota"):
        fs.save_settings(session, actor, replace(GOOD, invoice_prefix="CW", credit_prefix="K"))


def test_changing_the_prefix_keeps_existing_numbers(session, fresh):
    _, _, actor = fresh
    settings = fs.save_settings(session, actor, GOOD)
    sent = invoice(session, settings, customer(session), RESIDENT_LINES[:1])
    fs.save_settings(session, actor, replace(GOOD, invoice_prefix="G"))
    session.refresh(sent)
    assert sent.number_text == "FW2026-00042" and sent.series == "FW"


# --- logo --------------------------------------------------------------------------------------

def test_a_png_or_jpeg_logo_is_stored_and_replaced(session, fresh, tmp_path):
    tenant, _, actor = fresh
    first = fs.save_logo(session, actor, png(), tmp_path).logo_file
    session.commit()
    assert first.startswith(f"{tenant.id}/logos/") and first.endswith(".png")
    assert fs.logo_bytes(session, tmp_path) == png()
    second = fs.save_logo(session, actor, jpeg(), tmp_path).logo_file
    session.commit()
    assert second.endswith(".jpg")
    assert not storage.file_exists(tmp_path, tenant.id, first)  # replaced: the old file goes


def test_a_logo_on_a_sent_invoice_is_kept_when_replaced(session, fresh, tmp_path):
    tenant, _, actor = fresh
    settings = fs.save_settings(session, actor, GOOD)
    first = fs.save_logo(session, actor, png(), tmp_path).logo_file
    invoice(session, settings, customer(session), RESIDENT_LINES[:1])  # snapshot has the logo
    session.commit()
    fs.save_logo(session, actor, jpeg(), tmp_path)
    session.commit()
    assert storage.file_exists(tmp_path, tenant.id, first)
    fs.remove_logo(session, actor, tmp_path)
    session.commit()
    assert fs.get_settings(session).logo_file is None
    assert storage.file_exists(tmp_path, tenant.id, first)


@pytest.mark.parametrize("data, message", [
    (b"", "leeg"),
    (b"GIF89a" + b"\0" * 100, "PNG- of JPEG"),
    (b"%PDF-1.4 not an image", "PNG- of JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "geen leesbare afbeelding"),
    (png()[:60], "geen leesbare afbeelding"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024), "groter dan 1 MB"),
])
def test_a_bad_logo_is_refused_before_anything_is_stored(session, fresh, tmp_path, data,
                                                         message):
    tenant, _, actor = fresh
    with pytest.raises(storage.InvalidUpload, match=message):
        fs.save_logo(session, actor, data, tmp_path)
    assert not (tmp_path / str(tenant.id)).exists()


def test_a_huge_image_is_refused(session, fresh, tmp_path):
    _, _, actor = fresh
    with pytest.raises(storage.InvalidUpload, match="te groot"):
        fs.save_logo(session, actor, png(5000, 10), tmp_path)


def test_removing_when_there_is_no_logo_says_so(session, fresh, tmp_path):
    _, _, actor = fresh
    with pytest.raises(DomainError, match="geen logo"):
        fs.remove_logo(session, actor, tmp_path)


def test_a_rolled_back_logo_leaves_no_file(session, fresh, tmp_path):
    tenant, _, actor = fresh
    key = fs.save_logo(session, actor, png(), tmp_path).logo_file
    session.rollback()
    assert not storage.file_exists(tmp_path, tenant.id, key)


# --- the page ----------------------------------------------------------------------------------

def _form(**change) -> dict:
    data = {k: ("" if v is None else str(v)) for k, v in vars(GOOD).items()}
    data["iban"] = GOOD.iban
    data.update({k: str(v) for k, v in change.items()})
    return data


def test_the_settings_page(app, client, session, fresh):
    tenant, admin, _ = fresh
    login(client, admin)
    page = client.get(f"/{tenant.slug}/facturen/instellingen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Buurtwerk Noord" in html
    assert "Nog nodig voordat u een factuur kunt versturen" in html
    assert "nummers die al zijn gegeven blijven zoals ze zijn" in html
    assert _count(session) == 0  # looking changes nothing
    saved = post(client, f"/{tenant.slug}/facturen/instellingen", _form())
    assert saved.status_code == 302
    session.expire_all()
    settings = fs.find_settings(session)
    assert settings.iban == "NL91ABNA0417164300" and settings.invoice_prefix == "FW"
    again = client.get(f"/{tenant.slug}/facturen/instellingen").get_data(as_text=True)
    assert "De financiële instellingen zijn opgeslagen." in again
    assert "NL91 ABNA 0417 1643 00" in again and "1234,56" in again
    assert "Nog nodig voordat" not in again


def test_a_wrong_iban_on_the_page_is_refused_and_shown(app, client, session, fresh):
    tenant, admin, _ = fresh
    login(client, admin)
    response = post(client, f"/{tenant.slug}/facturen/instellingen",
                    _form(iban="NL91ABNA0417164301"))
    assert response.status_code == 400
    assert "Dit IBAN klopt niet" in response.get_data(as_text=True)
    assert "NL91ABNA0417164301" in response.get_data(as_text=True)  # what was typed stays
    session.expire_all()
    assert fs.find_settings(session) is None


def test_logo_upload_show_and_remove_on_the_page(app, client, session, fresh, tmp_path):
    tenant, admin, _ = fresh
    login(client, admin)
    base = f"/{tenant.slug}/facturen/instellingen"
    assert client.get(f"{base}/logo").status_code == 404
    from io import BytesIO

    token = csrf_token(client, base)
    uploaded = client.post(f"{base}/logo", data={"csrf_token": token,
                                                 "logo": (BytesIO(png()), "logo.png")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302
    shown = client.get(f"{base}/logo")
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == png()
    assert shown.headers["Cache-Control"] == "no-store"
    page = client.get(base).get_data(as_text=True)
    assert "Het logo is opgeslagen." in page and 'src="' + f"{base}/logo" in page
    refused = client.post(f"{base}/logo", data={
        "csrf_token": token, "logo": (BytesIO(b"GIF89a....."), "logo.png")},
        content_type="multipart/form-data")
    assert refused.status_code == 302
    assert "PNG- of JPEG" in client.get(base).get_data(as_text=True)
    removed = post(client, f"{base}/logo/verwijderen", {}, token_from=base)
    assert removed.status_code == 302
    assert client.get(f"{base}/logo").status_code == 404


def test_a_participant_cannot_see_the_settings_or_the_logo(app, client, make, fresh):
    tenant, _, _ = fresh
    participant = make.member(tenant, Role.PARTICIPANT)
    login(client, participant)
    assert client.get(f"/{tenant.slug}/facturen/instellingen").status_code == 403
    assert client.get(f"/{tenant.slug}/facturen/instellingen/logo").status_code == 403


def test_another_tenants_logo_is_never_served(app, make, session, fresh, tmp_path):
    tenant, admin, actor = fresh
    with app.app_context():
        root = storage.uploads_root(app.instance_path)
    fs.save_logo(session, actor, png(), root)
    session.commit()
    other = make.tenant()
    other_admin = make.member(other, Role.ADMIN)
    client = app.test_client()
    login(client, other_admin)
    assert client.get(f"/{other.slug}/facturen/instellingen/logo").status_code == 404
    assert client.get(f"/{tenant.slug}/facturen/instellingen/logo").status_code == 404
