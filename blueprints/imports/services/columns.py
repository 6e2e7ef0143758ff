"""What can be imported: the limits, the errors, and the kinds (participants, host
organisations) with their Dutch columns and how each cell is read.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.participants.models import Benefit, HostOrganisation, HouseholdType, Participant
from blueprints.participants.services import (
    HOST_KINDS,
    HostData,
    ParticipantData,
    create_host,
    create_participant,
)
from tenants.emails import is_email
from tenants.errors import DomainError
from tenants.models import Municipality

MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks huge
PREVIEW_ROWS = 50
CHECK_CHUNK_SIZE = 250  # rows checked per request (nothing is written)
CHUNK_SIZE = 200  # rows imported per request and transaction
KEEP_SECONDS = 24 * 3600  # uploads hold personal data: gone after a day


NOT_SAVED = _l("Deze rij kon niet worden opgeslagen. Controleer de waarden.")


class ImportFileError(DomainError):
    """The file as a whole cannot be read; nothing was imported."""


class ImportBusy(DomainError):
    default_message = _l("Deze import wordt op dit moment al verwerkt. Wacht even en laad de "
                         "pagina opnieuw.")


class RowProblem(Exception):
    """A cell cannot be understood; becomes (part of) the row's error."""

    def __init__(self, message, *, names_column: bool = False):
        self.message = message
        self.names_column = names_column  # else the column name is put in front
        super().__init__(str(message))


# --- the columns ---------------------------------------------------------------------------

class Lookups:
    """Reference data a row may name: municipalities, host kinds. Loaded once per import."""

    def __init__(self, session: Session):
        self.session = session
        self._municipalities: dict[str, str] | None = None
        self._host_kinds: dict[str, str] | None = None

    def municipality_code(self, name: str) -> str | None:
        if self._municipalities is None:
            rows = self.session.execute(select(Municipality.name, Municipality.cbs_code))
            self._municipalities = {_word(n): code for n, code in rows}
        key = _word(re.sub(r"^gemeente\s+", "", name.strip(), flags=re.I))
        return self._municipalities.get(key)

    def host_kind(self, text: str) -> str | None:
        if self._host_kinds is None:
            names: dict[str, str] = {}
            for key, label in HOST_KINDS.items():
                names[_word(key)] = key
                for shown in (str(label), _dutch(label)):
                    names[_word(shown)] = key
                    for part in shown.split("/"):
                        names.setdefault(_word(part), key)
            self._host_kinds = names
        return self._host_kinds.get(_word(text))


def _dutch(label) -> str:
    with force_locale("nl"):
        return str(label)


def _word(text: str) -> str:
    """A name compared loosely: case, spaces, dashes and underscores do not matter."""
    return re.sub(r"[\s_\-*.:()]+", "", (text or "").strip().lower())


def _text(value: str, lookups: Lookups) -> str:
    return value


def _short(value: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut short."""
    return value if len(value) <= limit else value[:limit] + "…"




def _email(value: str, lookups: Lookups) -> str:
    if not is_email(value):
        raise RowProblem(_l("'%(value)s' is geen geldig e-mailadres.", value=_short(value)))
    return value


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def _date(value: str, lookups: Lookups) -> date:
    match = _DMY.match(value)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (match := _YMD.match(value)):
        parts = match.groups()
    try:
        if parts is None:
            raise ValueError(value)
        return date(*(int(p) for p in parts))
    except ValueError:
        raise RowProblem(_l("'%(value)s' is geen geldige datum. Schrijf de datum als "
                            "dd-mm-jjjj, bijvoorbeeld 24-03-1985.", value=_short(value))) from None


_YES = {"ja", "j", "yes", "y", "waar", "true", "1", "x"}
_NO = {"nee", "n", "no", "onwaar", "false", "0"}


def _bool(value: str, lookups: Lookups) -> bool:
    word = value.strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise RowProblem(_l("vul 'ja' of 'nee' in, niet '%(value)s'.", value=_short(value)))


def _int(value: str, lookups: Lookups) -> int:
    if not re.fullmatch(r"\d+(?:[.,]0+)?", value.strip()):
        raise RowProblem(_l("vul een heel getal in, niet '%(value)s'.", value=_short(value)))
    return int(re.split(r"[.,]", value.strip())[0])


def _list(value: str, lookups: Lookups) -> list[str]:
    return [item.strip() for item in re.split(r"[,;]", value) if item.strip()]


def _choice(enum_cls: type[enum.Enum], aliases: dict[str, str] | None = None):
    def parse(value: str, lookups: Lookups):
        word = _word(value)
        for member in enum_cls:
            if _word(member.value) == word:
                return member
        if aliases and word in aliases:
            return enum_cls(aliases[word])
        raise RowProblem(_l("onbekende waarde '%(value)s'. Kies uit: %(choices)s.",
                            value=_short(value), choices=", ".join(m.value for m in enum_cls)))
    return parse


def _municipality(value: str, lookups: Lookups) -> str:
    code = re.fullmatch(r"(?:GM)?\s*(\d{1,4})", value.strip(), flags=re.I)
    if code:  # a CBS code; a spreadsheet may have dropped its leading zero
        return code.group(1).zfill(4)
    found = lookups.municipality_code(value)
    if found is None:
        raise RowProblem(_l("Onbekende gemeente '%(value)s'. Vul de CBS-code in (zoals 0758) "
                            "of de naam van de gemeente.", value=_short(value)), names_column=True)
    return found


def _host_kind(value: str, lookups: Lookups) -> str:
    found = lookups.host_kind(value)
    if found is None:
        raise RowProblem(_l("onbekende soort '%(value)s'. Kies uit: %(choices)s.",
                            value=_short(value), choices=", ".join(HOST_KINDS)))
    return found


@dataclass(frozen=True)
class Column:
    header: str  # the Dutch column name in templates and exports
    field: str  # the field of ParticipantData / HostData
    parse: Callable[[str, Lookups], object] = _text
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: object = None  # what to fill in, for the page that explains the columns


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: object
    columns: tuple[Column, ...]
    data_class: type
    create: Callable
    model: type
    summary: tuple[str, ...]  # fields shown in the preview

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_DATE_HINT = _l("dd-mm-jjjj, bijvoorbeeld 24-03-1985")
_LIST_HINT = _l("gescheiden door komma's")
_YES_NO = _l("ja of nee")

PARTICIPANTS = ImportKind(
    key="deelnemers", label=_l("Deelnemers"), data_class=ParticipantData, model=Participant,
    create=lambda s, actor, data, today: create_participant(s, actor, data, today=today),
    summary=("first_name", "last_name", "email", "neighbourhood", "date_of_birth",
             "paying_municipality_code"),
    columns=(
        Column("voornaam", "first_name", required=True),
        Column("achternaam", "last_name", required=True),
        Column("e-mail", "email", _email, aliases=("e-mailadres", "emailadres")),
        Column("telefoon", "phone", aliases=("telefoonnummer",)),
        Column("straat", "street", aliases=("adres",)),
        Column("postcode", "postcode"),
        Column("plaats", "city", aliases=("woonplaats",)),
        Column("wijk", "neighbourhood"),
        Column("geboortedatum", "date_of_birth", _date, hint=_DATE_HINT),
        Column("huishouden", "household_type", _choice(HouseholdType),
               hint=", ".join(h.value for h in HouseholdType)),
        Column("uitkering", "benefit", _choice(Benefit, {"participatiewet": "bijstand",
                                                         "pw": "bijstand"}),
               hint=_l("%(choices)s; leeg is bijstand",
                       choices=", ".join(b.value for b in Benefit))),
        Column("gemeente", "paying_municipality_code", _municipality,
               hint=_l("CBS-code (zoals 0758) of naam van de betalende gemeente")),
        Column("vaardigheden", "skills", _list, hint=_LIST_HINT),
        Column("talen", "languages", _list, hint=_LIST_HINT),
        Column("uren_per_week", "available_hours", _int, hint=_l("heel getal, 0 tot 60")),
        Column("vog", "vog_present", _bool, hint=_YES_NO),
        Column("vog_datum", "vog_date", _date, hint=_DATE_HINT),
        Column("statushouder", "is_refugee_permit_holder", _bool, hint=_YES_NO),
        Column("arbeidsbeperking", "has_work_limitation", _bool, hint=_YES_NO),
        Column("noodcontact_naam", "emergency_name"),
        Column("noodcontact_telefoon", "emergency_phone"),
    ),
)
HOSTS = ImportKind(
    key="inzetorganisaties", label=_l("Inzetorganisaties"), data_class=HostData,
    model=HostOrganisation, create=lambda s, actor, data, today: create_host(s, actor, data),
    summary=("name", "kind", "contact_name", "city"),
    columns=(
        Column("naam", "name", required=True),
        Column("soort", "kind", _host_kind, required=True, hint=", ".join(HOST_KINDS)),
        Column("contactpersoon", "contact_name"),
        Column("e-mail", "contact_email", _email, aliases=("e-mailadres", "emailadres")),
        Column("telefoon", "contact_phone", aliases=("telefoonnummer",)),
        Column("straat", "street", aliases=("adres",)),
        Column("postcode", "postcode"),
        Column("plaats", "city"),
        Column("vog_verplicht", "vog_required", _bool, hint=_YES_NO),
        Column("verzekerd", "insurance_covered", _bool, hint=_l("ja of nee; leeg is ja")),
    ),
)
KINDS = {kind.key: kind for kind in (PARTICIPANTS, HOSTS)}
IGNORED_HEADERS = {"rij", "fout"}  # added by the failed-rows download


def kind_for(key: str) -> ImportKind:
    kind = KINDS.get(key)
    if kind is None:
        raise ImportFileError(_l("Kies wat u wilt importeren: deelnemers of inzetorganisaties."))
    return kind
