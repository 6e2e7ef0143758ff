"""What every customer service shares: limits, labels, defaults and small checks."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l

from blueprints.customers.models import CustomerKind, EinvoiceProfile
from tenants.errors import DomainError
from tenants.vat import VatRate

PAGE_SIZE = 25
MAX_PAYMENT_TERM_DAYS = 120

KIND_LABELS = {
    CustomerKind.RESIDENT: _l("Bewoner"),
    CustomerKind.HOUSING: _l("Woningcorporatie"),
    CustomerKind.MUNICIPALITY: _l("Gemeente"),
    CustomerKind.SCHOOL: _l("School"),
    CustomerKind.SHOP: _l("Winkel of ondernemer"),
    CustomerKind.OTHER: _l("Anders"),
}
VAT_LABELS = {
    VatRate.HIGH.value: _l("21% btw"),
    VatRate.LOW.value: _l("9% btw"),
    VatRate.ZERO.value: _l("0% btw"),
    VatRate.EXEMPT.value: _l("Vrijgesteld van btw (art. 11 Wet OB)"),
    VatRate.KOR.value: _l("Geen btw (kleineondernemersregeling)"),
    VatRate.REVERSE_CHARGE.value: _l("Btw verlegd (btw-id van de klant nodig)"),
    VatRate.INTRA_COMMUNITY.value: _l("Intracommunautaire levering, 0% (btw-id van de klant "
                                      "nodig)"),
}
#: by EinvoiceProfile value
PROFILE_LABELS = {
    EinvoiceProfile.NLCIUS.value: _l("SI-UBL 2.0 (Nederlandse overheid)"),
    EinvoiceProfile.PEPPOL.value: _l("Peppol BIS Billing 3.0 (andere ontvangers via Peppol)"),
}
RATE_UNITS = {
    "uur": _l("per uur"),
    "stuk": _l("per stuk"),
    "maand": _l("per maand"),
}

_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-./]{5,28}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


# --- small helpers ---------------------------------------------------------------------------

def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=limit))
    return value or None


def clean_vat_rate(code: str | None) -> str | None:
    """A VAT rate code of tenants.vat.VatRate, or None when empty; others are refused."""
    code = (code or "").strip().lower()
    if not code:
        return None
    if code not in {r.value for r in VatRate}:
        raise DomainError(_l("Dit btw-tarief bestaat niet. Kies 21%, 9%, 0%, vrijgesteld, "
                             "verlegd, intracommunautaire levering of de "
                             "kleineondernemersregeling (KOR)."))
    return code


def clean_profile(value, kind) -> str:
    """An EinvoiceProfile value; empty: the default for the kind of customer (a municipality
    SI-UBL 2.0, others Peppol BIS Billing 3.0)."""
    value = getattr(value, "value", value)
    if value in (None, ""):
        return EinvoiceProfile.default_for(kind).value
    try:
        return EinvoiceProfile(value).value
    except ValueError:
        raise DomainError(_l("Kies het profiel van de e-factuur: SI-UBL 2.0 of Peppol BIS "
                             "Billing 3.0.")) from None


def _kind(value) -> CustomerKind:
    if isinstance(value, CustomerKind):
        return value
    try:
        return CustomerKind(value)
    except ValueError:
        raise DomainError(_l("Kies wat voor klant het is: bewoner, woningcorporatie, gemeente, "
                             "school, winkel of anders.")) from None


def _now() -> datetime:
    return datetime.now(timezone.utc)
