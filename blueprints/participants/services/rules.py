"""What every participant service shares: the labels and choices and the postcode check (the
BSN guard is the kernel's, tenants.bsn)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError


VOG_VALID_YEARS = 3
PAGE_SIZE = 25

TARGET_GROUPS = {
    "jongere": _l("Jongere (< 27)"),
    "50plus": _l("50-plus"),
    "statushouder": _l("Statushouder"),
    "arbeidsbeperking": _l("Arbeidsbeperking"),
    "alleenstaande_ouder": _l("Alleenstaande ouder"),
}
EXEMPTION_ARTICLES = {
    # article: (label, obligations covered by default)
    "9-2": (_l("Pw art. 9 lid 2 – dringende redenen"), ["a", "c"]),
    "9-5": (_l("Pw art. 9 lid 5 – volledig en duurzaam arbeidsongeschikt"), ["a", "b", "c"]),
    "9a": (_l("Pw art. 9a – alleenstaande ouder met kind onder 5"), ["a", "c"]),
}
# Stored as the letters of Pw art. 9 lid 1; shown in words.
OBLIGATIONS = {
    "a": _l("arbeidsplicht"),
    "b": _l("re-integratieplicht"),
    "c": _l("tegenprestatie / maatschappelijke participatie"),
}
BENEFIT_LABELS = {
    "bijstand": _l("Bijstand (Participatiewet)"),
    "ioaw": _l("IOAW"),
    "ioaz": _l("IOAZ"),
    "bbz": _l("Bbz (bijstand voor zelfstandigen)"),
    "ww": _l("WW"),
    "wajong": _l("Wajong"),
    "wia": _l("WIA (WGA of IVA)"),
    "zw": _l("Ziektewet"),
    "anw": _l("Anw (nabestaandenuitkering)"),
    "geen": _l("Geen uitkering"),
}
CONSENT_KINDS = {
    "municipality_progress": _l("Voortgang delen met de gemeente"),
    "photo": _l("Foto's gebruiken"),
    "benchmark": _l("Meetellen in de vergelijking van het netwerk"),
}
HOST_KINDS = {
    "speeltuin": _l("Speeltuin"), "sportvereniging": _l("Sportvereniging"),
    "school": _l("School"), "jongerenwerk": _l("Jongerenwerk"),
    "zorginstelling": _l("Zorginstelling / verpleeghuis"), "buurthuis": _l("Buurthuis"),
    "eigen_bedrijf": _l("Eigen bedrijf van de coöperatie"), "anders": _l("Anders"),
}
DAYS = {"ma": _l("maandag"), "di": _l("dinsdag"), "wo": _l("woensdag"), "do": _l("donderdag"),
        "vr": _l("vrijdag"), "za": _l("zaterdag"), "zo": _l("zondag")}

_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


def normalise_postcode(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().upper().replace(" ", "")
    if not _POSTCODE.match(value):
        raise DomainError(_l("Vul een geldige postcode in, zoals 4824 AB."))
    return f"{value[:4]} {value[4:]}"
