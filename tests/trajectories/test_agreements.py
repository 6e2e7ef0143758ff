"""The agreement: generated as a PDF, its signing recorded with a scan stored per tenant.

A refused upload (too large, empty, not a PDF) or a wrong date changes nothing: not the
trajectory, not the disk. Storage keys are the tenant's own: another tenant's key, or one with
`..`, is NotFound.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from flask_babel import force_locale
from reportlab.pdfgen import canvas
from sqlalchemy import select

from blueprints.participants.models import Participant
from blueprints.participants.services import (
    HostData,
    ParticipantData,
    create_host,
    create_participant,
)
from blueprints.trajectories import agreements
from blueprints.trajectories.agreements import (
    agreement_for,
    record_signed_agreement,
    signed_scan,
)
from blueprints.trajectories.models import (
    Funding,
    Outcome,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
)
from blueprints.trajectories.pdf import agreement_data, agreement_pdf
from blueprints.trajectories.services import (
    TrajectoryData,
    add_goal,
    create_trajectory,
    end_trajectory,
    plan_evaluation,
)
from tenants import storage
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent, Role
from tenants.pdf import format_hours
from tenants.tenancy import tenant_context
from tests.pdftext import pdf_text

TODAY = date(2026, 3, 2)
MAX_SCAN_BYTES = 10 * 1024 * 1024
TOO_LARGE = "Het bestand is groter dan 10 MB."
NOT_A_PDF = "Dit bestand is geen PDF. Upload een gescande overeenkomst als PDF."
EMPTY = "Het bestand is leeg. Kies de gescande overeenkomst opnieuw."


def small_pdf(text: str = "Getekende overeenkomst") -> bytes:
    """A real, small PDF, as a scanner would deliver one."""
    buffer = BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buffer.getvalue()


@dataclass
class World:
    tenant: object
    actor: Actor
    trajectory: Trajectory
    root: Path


def _world(session, make, root: Path, *, host: bool = True, name="Jobcoach Karin Smit") -> World:
    tenant = make.tenant(name="Buurtcooperatie De Hoek")
    coach = make.member(tenant, Role.SUPERVISOR, name=name)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        participant = create_participant(session, actor, ParticipantData(
            first_name="Fatma", last_name="Yilmaz", street="Kastanjelaan 12", postcode="4811AB",
            city="Breda", neighbourhood="Noord", vog_present=True, vog_date=date(2025, 9, 1)),
            today=TODAY)
        host_id = None
        if host:
            host_id = create_host(session, actor, HostData(
                name="Speeltuin De Wielewaal", kind="speeltuin", contact_name="Piet Bakker",
                street="Wielewaalstraat 3", postcode="4814 CD", city="Breda",
                vog_required=True, insurance_covered=False)).id
        trajectory = create_trajectory(session, actor, participant, TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 1, 5),
            planned_end_on=date(2026, 12, 31), hours_per_week=Decimal("16"),
            funding=Funding.MUNICIPAL_CONTRACT, host_organisation_id=host_id,
            host_supervisor_name="Piet Bakker" if host else None,
            host_supervisor_contact="piet@wielewaal.example.org" if host else None,
            job_coach_id=coach.id,
            build_up=[(date(2026, 1, 5), Decimal("8")), (date(2026, 2, 2), Decimal("12.5")),
                      (date(2026, 3, 2), Decimal("16"))]))
        add_goal(session, actor, trajectory, "Op tijd beginnen", "Elke werkdag om 9 uur aanwezig")
        add_goal(session, actor, trajectory, "Zelfstandig een klus plannen", None)
        plan_evaluation(session, actor, trajectory, date(2026, 3, 30))
    session.commit()
    return World(tenant, actor, trajectory, root)


@pytest.fixture
def world(session, make, tmp_path):
    w = _world(session, make, tmp_path / "uploads")
    with tenant_context(session, w.tenant.id):
        yield w


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _record(session, w: World, data: bytes | None, signed_on=date(2026, 1, 2), **kw):
    return record_signed_agreement(session, w.actor, w.trajectory, signed_on, data, w.root,
                                   kw.pop("max_bytes", MAX_SCAN_BYTES), today=TODAY, **kw)


# --- the generated agreement ----------------------------------------------------------------

def test_agreement_pdf_names_the_three_parties_and_the_terms(session, world):
    data = agreement_data(session, world.trajectory, today=TODAY)
    pdf = agreement_pdf(data, compress=False)

    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-1024:]
    text = pdf_text(pdf)
    for expected in ("Overeenkomst maatschappelijke baan", "Fatma Yilmaz",
                     "Speeltuin De Wielewaal", "Piet Bakker", "Jobcoach Karin Smit",
                     "Buurtcooperatie De Hoek", "Kastanjelaan 12", "wijk Noord",
                     "05-01-2026", "31-12-2026", "12,5 uur per week",
                     "met behoud van uitkering", "Op tijd beginnen",
                     "Zelfstandig een klus plannen", "30-03-2026", "Wijkwerk bewaart geen BSN",
                     "niet", "VOG", "01-09-2025", "Handtekening"):
        assert expected in text, expected
    assert data.host_insurance_covered is False
    assert data.goals == (("Op tijd beginnen", "Elke werkdag om 9 uur aanwezig"),
                          ("Zelfstandig een klus plannen", None))


def test_agreement_for_gives_a_compressed_pdf(session, world):
    pdf = agreement_for(session, world.trajectory)
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    assert "Fatma Yilmaz" in pdf_text(pdf)  # found once the streams are inflated


def test_agreement_without_a_host_is_with_the_cooperative_itself(session, make, tmp_path):
    w = _world(session, make, tmp_path, host=False)
    with tenant_context(session, w.tenant.id):
        data = agreement_data(session, w.trajectory, today=TODAY)
        pdf = agreement_pdf(data, compress=False)
    assert data.host_name is None and data.host_insurance_covered is None
    text = pdf_text(pdf)
    assert "de coöperatie zelf" in text
    assert "Speeltuin" not in text


def test_agreement_pdf_is_deterministic_uncompressed(session, world):
    data = agreement_data(session, world.trajectory, today=TODAY)
    assert agreement_pdf(data, compress=False) == agreement_pdf(data, compress=False)


def test_every_name_prints_exactly_as_typed(session, world):
    """The law asks for the name as it is: no letter is transliterated or replaced, and the font
    travels inside the PDF (no machine font, no PDF base font)."""
    participant = session.scalar(select(Participant))
    participant.first_name, participant.last_name = "Şükrü", "Yılmaz-Łęcka"
    add_goal(session, world.actor, world.trajectory, "Veilig werken ✓ Ő ř ğ İ ß", None)
    pdf = agreement_pdf(agreement_data(session, world.trajectory, today=TODAY), compress=False)
    text = pdf_text(pdf)
    assert "Şükrü Yılmaz-Łęcka" in text
    assert "Veilig werken ✓ Ő ř ğ İ ß" in text
    assert "Sukru" not in text and "Yilmaz" not in text and "?" not in text
    assert b"/FontFile2" in pdf  # the TrueType font is embedded
    assert b"Helvetica" not in pdf and b"ZapfDingbats" not in pdf and b"/Symbol" not in pdf


def test_the_agreement_is_dutch_for_an_english_reader(app, session, world):
    with app.test_request_context(), force_locale("en"):
        assert str(NotFound().message) == "Not found."  # the reader's language is English
        data = agreement_data(session, world.trajectory, today=TODAY)
    assert data.kind_label == "Maatschappelijke baan"
    assert data.funding_label == "Gemeentelijk contract"


def test_hours_use_a_decimal_comma():
    assert format_hours(Decimal("9.5")) == "9,5"
    assert format_hours(Decimal("12.0")) == "12"
    assert format_hours(Decimal("40")) == "40"


# --- recording the signed agreement ---------------------------------------------------------

def test_record_signed_scan_and_read_it_back(session, world):
    scan = small_pdf()
    _record(session, world, scan)
    session.commit()

    t = world.trajectory
    assert t.agreement_signed_on == date(2026, 1, 2)
    assert t.agreement_file.startswith(f"{world.tenant.id}/agreements/")
    assert t.agreement_file.endswith(".pdf")
    assert (world.root / t.agreement_file).read_bytes() == scan
    assert signed_scan(session, t, world.root) == scan

    audit_row = session.scalar(select(AuditEvent).where(
        AuditEvent.action == "agreement.signed", AuditEvent.object_id == str(t.id)))
    assert audit_row.details["signed_on"] == "2026-01-02"
    assert audit_row.details["scan"] == "stored"
    notes = session.scalars(select(TrajectoryEvent.note).where(
        TrajectoryEvent.trajectory_id == t.id)).all()
    assert "overeenkomst getekend op 02-01-2026; scan opgeslagen" in notes


def test_a_new_scan_replaces_the_old_file_once_committed(session, world):
    _record(session, world, small_pdf("eerste"))
    session.commit()
    first = world.trajectory.agreement_file

    _record(session, world, small_pdf("tweede"), signed_on=date(2026, 1, 6))
    second = world.trajectory.agreement_file
    assert (world.root / first).exists()  # still referenced until the commit
    session.commit()

    assert second != first
    assert not (world.root / first).exists()
    assert _files(world.root) == [world.root / second]
    assert "tweede" in pdf_text(signed_scan(session, world.trajectory, world.root))


def test_a_rolled_back_replacement_keeps_the_old_scan(session, world):
    tenant_id = world.tenant.id
    _record(session, world, small_pdf("eerste"))
    session.commit()
    first = world.trajectory.agreement_file

    _record(session, world, small_pdf("tweede"), signed_on=date(2026, 1, 6))
    session.rollback()

    with tenant_context(session, tenant_id):
        assert world.trajectory.agreement_file == first
        assert world.trajectory.agreement_signed_on == date(2026, 1, 2)
    assert _files(world.root) == [world.root / first]


def test_a_session_closed_without_commit_leaves_no_file(session, world):
    _record(session, world, small_pdf())
    assert len(_files(world.root)) == 1
    session.close()
    assert _files(world.root) == []


def test_date_only_keeps_the_scan(session, world):
    _record(session, world, small_pdf())
    session.commit()
    key = world.trajectory.agreement_file

    _record(session, world, None, signed_on=date(2026, 1, 3))
    session.commit()
    assert world.trajectory.agreement_file == key
    assert world.trajectory.agreement_signed_on == date(2026, 1, 3)
    assert (world.root / key).exists()


def _assert_unchanged(session, w: World):
    session.expire(w.trajectory)
    assert w.trajectory.agreement_signed_on is None
    assert w.trajectory.agreement_file is None
    assert _files(w.root) == []


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024) + b"\n%%EOF\n", TOO_LARGE),
    (b"", EMPTY),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"IEND\xaeB`\x82", NOT_A_PDF),
    (b"<html><body>%PDF-1.4</body></html>\n%%EOF", NOT_A_PDF),
    (small_pdf()[: len(small_pdf()) // 2], NOT_A_PDF),  # cut off mid-upload
], ids=["21MB", "empty", "png-named-pdf", "html", "truncated"])
def test_a_refused_upload_changes_nothing(session, world, data, message):
    with pytest.raises(DomainError) as refused:
        _record(session, world, data)
    assert str(refused.value.message) == message
    _assert_unchanged(session, world)


def test_a_future_signing_date_is_refused(session, world):
    with pytest.raises(DomainError) as refused:
        _record(session, world, small_pdf(), signed_on=TODAY + timedelta(days=1))
    assert "toekomst" in str(refused.value.message)
    _assert_unchanged(session, world)


def test_a_date_long_before_the_start_is_refused(session, world):
    with pytest.raises(DomainError):
        _record(session, world, small_pdf(), signed_on=date(2006, 1, 2))
    _assert_unchanged(session, world)


def test_an_archived_agreement_is_not_replaced(session, world):
    _record(session, world, small_pdf())
    end_trajectory(session, world.actor, world.trajectory, Outcome.VOLUNTEERING,
                   outcome_on=date.today())
    session.commit()
    key = world.trajectory.agreement_file
    with pytest.raises(DomainError):
        _record(session, world, small_pdf("later"))
    assert world.trajectory.agreement_file == key
    assert _files(world.root) == [world.root / key]


def test_no_scan_is_not_found(session, world):
    with pytest.raises(NotFound):
        signed_scan(session, world.trajectory, world.root)


def test_a_scan_is_not_read_for_another_tenant(session, make, world):
    _record(session, world, small_pdf())
    session.commit()
    other = make.tenant()
    with tenant_context(session, world.tenant.id):
        session.refresh(world.trajectory)  # loaded in its own tenant (RLS hides it elsewhere)
    with tenant_context(session, other.id):
        with pytest.raises(NotFound):
            signed_scan(session, world.trajectory, world.root)


# --- storage --------------------------------------------------------------------------------

def test_storage_keeps_tenants_apart(tmp_path):
    key_a = storage.save_file(tmp_path, 101, "agreements", b"%PDF-a", "PDF")
    key_b = storage.save_file(tmp_path, 202, "agreements", b"%PDF-b", ".pdf")
    assert re.fullmatch(r"101/agreements/[0-9a-f]{32}\.pdf", key_a)
    assert (tmp_path / "101" / "agreements").is_dir()
    assert storage.open_file(tmp_path, 101, key_a) == b"%PDF-a"

    with pytest.raises(NotFound):
        storage.open_file(tmp_path, 202, key_a)  # tenant B with tenant A's key
    with pytest.raises(NotFound):
        storage.delete_file(tmp_path, 202, key_a)
    assert storage.open_file(tmp_path, 101, key_a) == b"%PDF-a"
    assert storage.open_file(tmp_path, 202, key_b) == b"%PDF-b"


@pytest.mark.parametrize("key", [
    "202/../101/agreements/{name}",
    "101/agreements/../../202/agreements/{name}",
    "101/../101/agreements/{name}",
    "/101/agreements/{name}",
    "101\\agreements\\{name}",
    "101/agreements/{name}/..",
    "101/agreements/../{name}",
    "101/agreements/foto.jpg",
    "",
])
def test_storage_refuses_keys_it_did_not_make(tmp_path, key):
    real = storage.save_file(tmp_path, 101, "agreements", b"%PDF-a", "pdf")
    key = key.format(name=real.rsplit("/", 1)[1])
    with pytest.raises(NotFound):
        storage.open_file(tmp_path, 101, key)


def test_storage_refuses_bad_categories_and_extensions(tmp_path):
    for category, ext in (("../x", "pdf"), ("agreements", "p/df"), ("Agreements", "pdf"),
                          ("agreements", "")):
        with pytest.raises(ValueError):
            storage.save_file(tmp_path, 101, category, b"x", ext)
    assert _files(tmp_path) == []


def test_deleted_or_missing_files_are_not_found(tmp_path):
    key = storage.save_file(tmp_path, 101, "agreements", b"%PDF-a", "pdf")
    storage.delete_file(tmp_path, 101, key)
    storage.delete_file(tmp_path, 101, key)  # twice is fine
    with pytest.raises(NotFound):
        storage.open_file(tmp_path, 101, key)


def test_check_pdf_messages():
    storage.check_pdf(small_pdf(), MAX_SCAN_BYTES)
    with pytest.raises(storage.InvalidUpload) as refused:
        storage.check_pdf(small_pdf(), 1024)
    assert "groter dan" in str(refused.value.message)
    with pytest.raises(storage.InvalidUpload) as refused:
        storage.check_pdf(b"%PDF-" + b"x" * 3 * 1024 * 1024 + b"%%EOF", int(2.5 * 1024 * 1024))
    assert str(refused.value.message) == "Het bestand is groter dan 2,5 MB."
    with pytest.raises(storage.InvalidUpload) as refused:
        storage.check_pdf(b"x" * 10, int(2.5 * 1024 * 1024))
    assert str(refused.value.message) == NOT_A_PDF
    assert agreements.AGREEMENT_CATEGORY == "agreements"
