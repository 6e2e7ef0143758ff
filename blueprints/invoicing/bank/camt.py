"""Reading a CAMT.053 bank statement safely: size, encoding, depth and amounts checked before anything is parsed (defusedxml, streamed)."""
from __future__ import annotations

import hashlib
import io
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
#: CAMT.053 nests about 12 deep; 3,000 nested elements are an attack, not a statement
MAX_DEPTH = 40
STORAGE_CATEGORY = "bankafschriften"
KEEP_SECONDS = 24 * 3600  # a statement holds names and payments: gone after a day, as imports
KEY_PREFIX = "bank:"
#: a payment booked this many days or more before the invoice date is flagged
EARLY_DAYS = 30
#: the idempotency key column holds 80 characters (the old key was "bank:<reference>")
_MAX_REF = 80 - len(KEY_PREFIX)
_CAMT053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.[0-9]{2}$")
_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii",
                        "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15",
                        "windows-1252", "cp1252"})
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']{0,40})[\"']", re.I)
_AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,5})?$")

NOT_XML = _l("Dit bestand kan niet worden gelezen: het is geen geldig XML-bestand. Exporteer "
             "het afschrift als CAMT.053 bij uw bank.")
UNSAFE = _l("Dit bestand bevat een DOCTYPE- of ENTITY-declaratie en wordt om veiligheidsredenen "
            "niet gelezen. Exporteer het afschrift opnieuw als CAMT.053 bij uw bank.")
BAD_AMOUNT = _l("Een bedrag in het afschrift is onleesbaar. Exporteer het afschrift opnieuw als "
                "CAMT.053.")
NOT_CAMT = _l("Dit bestand is geen CAMT.053-bankafschrift. Exporteer bij uw bank het "
              "rekeningafschrift als CAMT.053 (XML) en lees dat bestand in.")


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class BankEntry:
    """One credit entry of a statement."""

    ref: str
    booked_on: date | None
    amount_cents: int
    currency: str
    name: str
    text: str
    #: the account the statement is of (IBAN, or the bank's own account id)
    account: str = ""
    #: 1 for the first entry of a file with this identity, 2 for a second identical one
    occurrence: int = 1

    @property
    def uid(self) -> str:
        """Account, bank reference, booking date and amount (see the module docstring)."""
        parts = [self.account, self.ref, self.booked_on.isoformat() if self.booked_on else "",
                 str(self.amount_cents), self.currency]
        if not self.ref:
            parts += [self.name, self.text]
        if self.occurrence > 1:
            parts.append(str(self.occurrence))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def idempotency_key(self) -> str:
        return KEY_PREFIX + self.uid

    @property
    def legacy_key(self) -> str | None:
        """The key payments got before `uid` existed: "bank:<reference>" (None without one)."""
        if not self.ref:
            return None
        ref = self.ref if len(self.ref) <= _MAX_REF else hashlib.sha256(
            self.ref.encode()).hexdigest()
        return KEY_PREFIX + ref

    @property
    def reference(self) -> str:
        return f"{self.name} {self.text}".strip()[:140]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _kids(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _all(element, path: str) -> list:
    """Elements at a slash-separated path of local names (any namespace)."""
    found = [element]
    for name in path.split("/"):
        found = [child for parent in found for child in _kids(parent, name)]
    return found


def _text(element, path: str) -> str:
    for found in _all(element, path):
        if found.text and found.text.strip():
            return " ".join(found.text.split())
    return ""


def _check_bytes(data: bytes | None) -> None:
    if not data:
        raise DomainError(_l("Het bestand is leeg. Kies het bankafschrift opnieuw."))
    if len(data) > MAX_BYTES:
        raise DomainError(_l("Het bestand is groter dan 5 MB. Exporteer een kortere periode "
                             "en lees die in."))
    # NUL bytes removed: a UTF-16 file cannot hide its declaration either.
    declared = _DECLARED.match(data[:400].replace(b"\x00", b""))
    if declared:
        encoding = declared.group(1).decode("ascii", "replace").strip()
        if encoding.lower() not in _ENCODINGS:
            raise DomainError(_l(
                "Dit afschrift gebruikt de tekenset '%(encoding)s', die niet wordt gelezen. "
                "Exporteer het afschrift bij uw bank als CAMT.053 in UTF-8.",
                encoding=re.sub(r"[^A-Za-z0-9._-]", "?", encoding)[:20]))


def _parse_xml(data: bytes):
    """The document's root, parsed by defusedxml in one streamed pass that counts depth."""
    root, depth = None, 0
    try:
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end"),
                                               forbid_dtd=True):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                if depth > MAX_DEPTH:
                    raise DomainError(_l(
                        "Dit bestand is dieper genest dan een bankafschrift ooit is en wordt "
                        "niet gelezen. Exporteer het afschrift opnieuw als CAMT.053."))
            else:
                depth -= 1
    except DefusedXmlException:
        raise DomainError(UNSAFE) from None
    except (ET.ParseError, ValueError, LookupError, UnicodeError):
        raise DomainError(NOT_XML) from None
    return root


def _cents(text: str) -> int | None:
    text = (text or "").strip()
    if not _AMOUNT.match(text):  # also refuses 1E+50, NaN, Infinity, -5 and 1,00
        return None
    value = Decimal(text)
    if value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


def _booked_on(entry) -> date | None:
    for path in ("BookgDt/Dt", "ValDt/Dt", "BookgDt/DtTm", "ValDt/DtTm"):
        text = _text(entry, path)
        if text:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                continue
    return None


def _name(entry) -> str:
    for path in ("NtryDtls/TxDtls/RltdPties/Dbtr/Nm", "NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm",
                 "NtryDtls/TxDtls/RltdPties/UltmtDbtr/Nm"):
        name = _text(entry, path)
        if name:
            return name[:140]
    return ""


def _remittance(entry) -> str:
    parts = []
    for tx in _all(entry, "NtryDtls/TxDtls"):
        parts += [" ".join(u.text.split()) for u in _all(tx, "RmtInf/Ustrd") if u.text]
        parts += [" ".join(r.text.split()) for r in _all(tx, "RmtInf/Strd/CdtrRefInf/Ref")
                  if r.text]
    if not parts:  # some banks put the description only here
        parts = [" ".join(a.text.split()) for a in _all(entry, "AddtlNtryInf") if a.text]
    return " ".join(p for p in parts if p)[:1000]


def _account(statement) -> str:
    return (_text(statement, "Acct/Id/IBAN") or _text(statement, "Acct/Id/Othr/Id"))[:80]


def _entries(root) -> list[BankEntry]:
    entries, seen = [], {}
    for statement in _all(root, "BkToCstmrStmt/Stmt"):
        account = _account(statement)
        for entry in _kids(statement, "Ntry"):
            if _text(entry, "CdtDbtInd").upper() != "CRDT":
                continue
            if _text(entry, "RvslInd").lower() in ("true", "1"):
                continue
            amounts = _kids(entry, "Amt")
            cents = _cents(amounts[0].text or "") if amounts else None
            if cents is None:
                raise DomainError(BAD_AMOUNT)
            found = BankEntry(
                ref=(_text(entry, "AcctSvcrRef") or _text(entry, "NtryRef"))[:200],
                booked_on=_booked_on(entry), amount_cents=cents,
                currency=re.sub(r"[^A-Z]", "", (amounts[0].get("Ccy") or "").upper())[:3],
                name=_name(entry), text=_remittance(entry), account=account)
            # The same identity twice in one file (a bank that repeats itself): both count.
            seen[found.uid] = seen.get(found.uid, 0) + 1
            if seen[found.uid] > 1:
                found = replace(found, occurrence=seen[found.uid])
            entries.append(found)
    return entries


def parse_statement(data: bytes) -> list[BankEntry]:
    """The credit entries of a CAMT.053 file, in file order. Raises DomainError (Dutch) for
    an empty, too large, unsafe or unreadable file, or one that is not CAMT.053."""
    _check_bytes(data)
    root = _parse_xml(data)
    if (root is None or _local(root.tag) != "Document"
            or not _CAMT053.match(_namespace(root.tag)) or not _kids(root, "BkToCstmrStmt")):
        raise DomainError(NOT_CAMT)
    try:
        return _entries(root)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - untrusted input: whatever breaks is a refusal, not a 500
        log.exception("Unreadable CAMT.053 statement")
        raise DomainError(NOT_XML) from None
