"""A tenant's finance settings: what its invoices say about the supplier, and the logo.

- `get_settings()` returns the one row of the tenant, creating it from the Tenant's name and
  KvK number the first time (a fresh cooperative can open the settings page at once).
- `save_settings()` validates everything before it writes: identifiers by checksum
  (blueprints.customers.identifiers), amounts with the help-request price parser, number series
  that are letters and digits and differ between invoices and credit notes. A refused save
  changes nothing.
- The number series: a new prefix only applies to numbers drawn from then on. Numbers already
  given stay as they are (a sent invoice is never changed), and the counter of a new prefix
  starts at 1 (tenants.counters: one counter per series and year). A prefix that already
  numbered credit notes cannot become the invoice prefix, or the reverse: a series is one kind.
- The logo is a PNG or JPEG of at most 1 MB, checked by its signature and decoded by ReportLab
  before anything is stored (tenants.storage, category "logos"). A sent invoice keeps the logo
  it was sent with (the key is in its supplier snapshot), so an old logo file is only deleted
  when no invoice refers to it.
- `missing_for_invoicing()` says, in Dutch, what an invoice still needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import (
    clean_bic,
    clean_iban,
    clean_kvk,
    clean_postcode,
    clean_vat_id,
)
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceKind,
    Recognition,
    VatRegime,
)
from blueprints.invoicing.money import VatRate
from tenants import audit, storage
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.emails import is_email
from tenants.errors import DomainError, NotFound
from tenants.models import Tenant
from tenants.money import parse_money
from tenants.tenancy import current_tenant_id

LOGO_CATEGORY = "logos"
LOGO_MAX_BYTES = 1024 * 1024
#: A logo larger than this (in pixels, either side) is refused: it only needs to be sharp at
#: 45 mm wide, and decoding a huge image costs memory.
LOGO_MAX_PIXELS = 4000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PAYMENT_TERM_MAX = 120
_PREFIX = re.compile(r"^[A-Za-z0-9]{1,10}$")

#: The fields save_settings() writes, in the order the audit log lists them.
FIELDS = (
    "legal_name", "street", "postcode", "city", "kvk_number", "vat_id", "tax_number", "iban", "bic",
    "email", "phone", "recognition", "recognition_reference", "vat_regime", "default_vat_rate",
    "hourly_rate_cents", "invoice_prefix", "credit_prefix", "payment_term_days", "footer_text",
)


@dataclass(frozen=True)
class SettingsData:
    """The settings as typed in the form (text; save_settings() parses and checks it)."""

    legal_name: str | None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    kvk_number: str | None = None
    vat_id: str | None = None
    tax_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    email: str | None = None
    phone: str | None = None
    recognition: str = Recognition.NONE.value
    recognition_reference: str | None = None
    vat_regime: str = VatRegime.NORMAL.value
    default_vat_rate: str = VatRate.HIGH.value
    hourly_rate: str | None = "25,00"
    invoice_prefix: str = "F"
    credit_prefix: str = "C"
    payment_term_days: int | str | None = 30
    footer_text: str | None = None


# --- reading ---------------------------------------------------------------------------------

def _tenant(session: Session) -> Tenant:
    tenant_id = current_tenant_id(session)
    tenant = session.scalar(select(Tenant).where(Tenant.id == tenant_id)) if tenant_id else None
    if tenant is None:
        raise NotFound()
    return tenant


def _defaults(tenant: Tenant) -> FinanceSettings:
    try:
        kvk = clean_kvk(tenant.kvk_number)
    except DomainError:  # a KvK number typed wrongly elsewhere is not copied
        kvk = None
    return FinanceSettings(
        legal_name=tenant.name, kvk_number=kvk, country_code="NL",
        recognition=Recognition.NONE, vat_regime=VatRegime.NORMAL,
        default_vat_rate=VatRate.HIGH.value, hourly_rate_cents=2500, invoice_prefix="F",
        credit_prefix="C", payment_term_days=30)


def find_settings(session: Session) -> FinanceSettings | None:
    """The tenant's saved settings, or None (nothing is created)."""
    return session.scalar(select(FinanceSettings))


def current_settings(session: Session) -> FinanceSettings:
    """The saved settings, or the defaults a first save would start from (not stored): for
    pages and documents that only read (a GET changes nothing)."""
    return find_settings(session) or _defaults(_tenant(session))


def get_settings(session: Session) -> FinanceSettings:
    """The tenant's settings; the first call creates them from the Tenant's name and KvK.

    Two requests creating the row at once: the unique constraint lets one win, the other
    reads the winner's row (the insert runs in a savepoint, so the caller's work survives).
    """
    settings = find_settings(session)
    if settings is not None:
        return settings
    settings = _defaults(_tenant(session))
    try:
        with session.begin_nested():
            session.add(settings)
    except IntegrityError:
        settings = find_settings(session)
        if settings is None:
            raise
    return settings


def missing_for_invoicing(settings: FinanceSettings) -> list[str]:
    """What an invoice still needs from the settings (Wet OB art. 35a), as Dutch sentences.

    Empty when an invoice can be sent. The VAT id is not asked under the KOR (no VAT charged).
    """
    missing = []
    if not (settings.legal_name or "").strip():
        missing.append(_l("Vul de officiële naam van de organisatie in."))
    if not (settings.street and settings.postcode and settings.city):
        missing.append(_l("Vul het adres van de organisatie in: straat en huisnummer, postcode "
                          "en plaats."))
    if not settings.kvk_number:
        missing.append(_l("Vul het KvK-nummer in."))
    if not settings.iban:
        missing.append(_l("Vul het IBAN in waarop klanten betalen."))
    if settings.vat_regime != VatRegime.KOR and not settings.vat_id:
        missing.append(_l("Vul het btw-identificatienummer in, of kies de "
                          "kleineondernemersregeling (KOR) als de organisatie geen btw rekent."))
    return [str(m) for m in missing]


# --- saving ----------------------------------------------------------------------------------

_TAX_NUMBER = re.compile(r"^(NL)?([0-9]{9}B[0-9]{2})$")


def clean_tax_number(value: str | None) -> str | None:
    """An omzetbelastingnummer: nine digits, B and two digits (NL in front allowed)."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not compact:
        return None
    match = _TAX_NUMBER.match(compact)
    if match is None:
        raise DomainError(_l("Dit omzetbelastingnummer klopt niet. Het ziet eruit als "
                             "123456789B01 (negen cijfers, B en twee cijfers)."))
    return match.group(2)


def einvoice_notice(settings: FinanceSettings) -> str | None:
    """Under the KOR without a VAT id or tax number: why no e-invoice (UBL) can be made yet,
    in Dutch (otherwise the VAT id is among missing_for_invoicing())."""
    if settings.vat_regime != VatRegime.KOR:
        return None
    from blueprints.invoicing.snapshots import supplier_snapshot
    from blueprints.invoicing.ubl import tax_registration_problem

    return tax_registration_problem(supplier_snapshot(settings))


def _text(value, limit: int, message) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if len(value) > limit:
        raise DomainError(message)
    return value or None


def _choice(enum_cls, value, message):
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message) from None


def _prefix(value: str | None, message) -> str:
    value = (value or "").strip().upper()
    if not _PREFIX.match(value):
        raise DomainError(message)
    return value


def _term(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or int(text) > PAYMENT_TERM_MAX:
        raise DomainError(_l("De betalingstermijn is een aantal dagen van 0 tot en met "
                             "%(max)s.", max=PAYMENT_TERM_MAX))
    return int(text)


def _series_used_for(session: Session, prefix: str, kind: InvoiceKind) -> bool:
    return session.scalar(select(Invoice.id).where(
        Invoice.series == prefix, Invoice.kind == kind).limit(1)) is not None


def clean_settings(session: Session, data: SettingsData) -> dict:
    """The checked values of `data` by field name. Raises DomainError (Dutch) on the first
    value that is not right; writes nothing."""
    legal_name = _text(data.legal_name, 150, _l("De officiële naam is hoogstens 150 tekens."))
    if not legal_name:
        raise DomainError(_l("Vul de officiële naam van de organisatie in (zoals bij de KvK)."))
    vat_id = clean_vat_id(data.vat_id)
    if vat_id and not vat_id.startswith("NL"):
        raise DomainError(_l("Vul het Nederlandse btw-identificatienummer in (NL…B01)."))
    email = _text(data.email, 254, _l("Het e-mailadres is te lang."))
    if email and not is_email(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, bijvoorbeeld "
                             "facturen@voorbeeld.nl."))
    recognition = _choice(Recognition, data.recognition, _l("Kies een erkenning uit de lijst."))
    reference = _text(data.recognition_reference, 100,
                      _l("Het nummer of de naam van de erkenning is hoogstens 100 tekens."))
    if recognition == Recognition.SBB and not reference:
        raise DomainError(_l("Vul het SBB-nummer van de erkenning als leerbedrijf in."))
    if recognition == Recognition.NONE:
        reference = None
    regime = _choice(VatRegime, data.vat_regime, _l("Kies een btw-regeling uit de lijst."))
    rate = _choice(VatRate, data.default_vat_rate, _l("Kies een btw-tarief uit de lijst."))
    if regime == VatRegime.KOR:
        rate = VatRate.KOR  # under the KOR no VAT is charged: every new line says so
    elif rate == VatRate.KOR:
        raise DomainError(_l("Het tarief KOR hoort bij de kleineondernemersregeling. Kies die "
                             "regeling, of een ander standaardtarief."))
    hourly = parse_money(data.hourly_rate)
    if hourly is None:
        raise DomainError(_l("Vul het standaard uurtarief in, bijvoorbeeld 25,00."))
    invoice_prefix = _prefix(data.invoice_prefix, _l(
        "Het voorvoegsel van factuurnummers is 1 tot 10 letters of cijfers, bijvoorbeeld F."))
    credit_prefix = _prefix(data.credit_prefix, _l(
        "Het voorvoegsel van creditnotanummers is 1 tot 10 letters of cijfers, bijvoorbeeld C."))
    if invoice_prefix == credit_prefix:
        raise DomainError(_l("Facturen en creditnota's hebben elk een eigen nummerreeks: kies "
                             "twee verschillende voorvoegsels."))
    if _series_used_for(session, invoice_prefix, InvoiceKind.CREDIT_NOTE):
        raise DomainError(_l("Het voorvoegsel %(prefix)s is al gebruikt voor creditnota's; "
                             "kies een ander voor facturen.", prefix=invoice_prefix))
    if _series_used_for(session, credit_prefix, InvoiceKind.INVOICE):
        raise DomainError(_l("Het voorvoegsel %(prefix)s is al gebruikt voor facturen; kies "
                             "een ander voor creditnota's.", prefix=credit_prefix))
    return {
        "legal_name": legal_name,
        "street": _text(data.street, 150, _l("De straat is hoogstens 150 tekens.")),
        "postcode": clean_postcode(data.postcode, "NL"),
        "city": _text(data.city, 80, _l("De plaats is hoogstens 80 tekens.")),
        "kvk_number": clean_kvk(data.kvk_number),
        "vat_id": vat_id,
        "tax_number": clean_tax_number(data.tax_number),
        "iban": clean_iban(data.iban),
        "bic": clean_bic(data.bic),
        "email": email,
        "phone": _text(data.phone, 30, _l("Het telefoonnummer is hoogstens 30 tekens.")),
        "recognition": recognition,
        "recognition_reference": reference,
        "vat_regime": regime,
        "default_vat_rate": rate.value,
        "hourly_rate_cents": hourly,
        "invoice_prefix": invoice_prefix,
        "credit_prefix": credit_prefix,
        "payment_term_days": _term(data.payment_term_days),
        "footer_text": _text(data.footer_text, 300,
                             _l("De voettekst is hoogstens 300 tekens.")),
    }


def _plain(value):
    return getattr(value, "value", value)


def save_settings(session: Session, actor: Actor, data: SettingsData) -> FinanceSettings:
    """Check and store the settings; record what changed in the audit log.

    Raises DomainError with a Dutch message (a wrong checksum, a missing name, equal prefixes,
    …) before anything is written.
    """
    values = clean_settings(session, data)
    settings = get_settings(session)
    changed = [f for f in FIELDS if _plain(getattr(settings, f)) != _plain(values[f])]
    series = {f: [getattr(settings, f), values[f]] for f in ("invoice_prefix", "credit_prefix")
              if f in changed}
    for field, value in values.items():
        setattr(settings, field, value)
    if changed:
        settings.updated_at = utcnow()
        audit.record(session, actor, "finance_settings.updated", settings, changed=changed,
                     **({"series": series} if series else {}))
    session.flush()
    return settings


# --- logo ------------------------------------------------------------------------------------

def check_logo(data: bytes | None, max_bytes: int = LOGO_MAX_BYTES) -> str:
    """The extension ("png" or "jpg") of an acceptable logo. Raises storage.InvalidUpload.

    The signature decides the type (not the file name), and ReportLab must be able to read the
    image: a renamed document or a broken file is refused.
    """
    from reportlab.lib.utils import ImageReader

    if not data:
        raise storage.InvalidUpload(_l("Het bestand is leeg. Kies het logo opnieuw."))
    if len(data) > max_bytes:
        raise storage.InvalidUpload(_l("Het logo is groter dan 1 MB. Kies een kleiner bestand."))
    if data.startswith(PNG_SIGNATURE):
        ext = "png"
    elif data.startswith(JPEG_SIGNATURE):
        ext = "jpg"
    else:
        raise storage.InvalidUpload(_l("Het logo moet een PNG- of JPEG-afbeelding zijn."))
    try:
        reader = ImageReader(BytesIO(data))
        width, height = reader.getSize()
        if not (0 < width <= LOGO_MAX_PIXELS and 0 < height <= LOGO_MAX_PIXELS):
            raise storage.InvalidUpload(_l(
                "Het logo is te groot: hoogstens %(px)s bij %(px)s beeldpunten.",
                px=LOGO_MAX_PIXELS))
        reader.getRGBData()  # decodes the whole image: a truncated file fails here
    except storage.InvalidUpload:
        raise
    except Exception:  # noqa: BLE001 - a broken image fails in many ways inside PIL
        raise storage.InvalidUpload(_l("Dit bestand is geen leesbare afbeelding. Kies een PNG- "
                                       "of JPEG-bestand.")) from None
    return ext


def _still_on_an_invoice(session: Session, key: str) -> bool:
    return session.scalar(select(Invoice.id).where(
        Invoice.supplier_snapshot["logo_file"].as_string() == key).limit(1)) is not None


def _drop_old(session: Session, root: Path, tenant_id: int, new_key: str | None,
              old_key: str | None) -> None:
    """Tie the files to the transaction; keep an old logo a sent invoice still shows."""
    if old_key and _still_on_an_invoice(session, old_key):
        old_key = None
    storage.replace_on_commit(session, root, tenant_id, new_key, old_key)


def save_logo(session: Session, actor: Actor, data: bytes | None, storage_root: Path,
              max_bytes: int = LOGO_MAX_BYTES) -> FinanceSettings:
    """Store `data` as the tenant's logo, replacing the previous one. Raises InvalidUpload
    before anything is written."""
    ext = check_logo(data, max_bytes)
    settings = get_settings(session)
    tenant_id = settings.tenant_id or current_tenant_id(session)
    old_key = settings.logo_file
    new_key = storage.save_file(storage_root, tenant_id, LOGO_CATEGORY, data, ext)
    _drop_old(session, storage_root, tenant_id, new_key, old_key)
    settings.logo_file = new_key
    audit.record(session, actor, "finance_settings.logo_saved", settings,
                 replaced=bool(old_key), bytes=len(data))
    session.flush()
    return settings


def remove_logo(session: Session, actor: Actor, storage_root: Path) -> FinanceSettings:
    """Invoices from now on have no logo. Raises DomainError when there is none."""
    settings = find_settings(session)
    if settings is None or not settings.logo_file:
        raise DomainError(_l("Er is geen logo om te verwijderen."))
    old_key = settings.logo_file
    _drop_old(session, storage_root, settings.tenant_id, None, old_key)
    settings.logo_file = None
    audit.record(session, actor, "finance_settings.logo_removed", settings)
    session.flush()
    return settings


def logo_bytes(session: Session, storage_root: Path, key: str | None = None) -> bytes:
    """The bytes of the tenant's logo (or of `key`, one of its logos). Raises NotFound."""
    if key is None:
        settings = find_settings(session)
        key = settings.logo_file if settings else None
    if not key:
        raise NotFound()
    return storage.open_file(storage_root, current_tenant_id(session), key)


def logo_mimetype(key: str) -> str:
    return "image/png" if key.endswith(".png") else "image/jpeg"
