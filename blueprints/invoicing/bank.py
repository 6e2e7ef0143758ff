"""Bank statements (ISO 20022 CAMT.053): read the credit entries and register the payments
whose description names one of the tenant's open invoices.

Reading (`parse_statement`, pure, no Flask): the bytes are checked before any parsing — at most
5 MB, no DOCTYPE or ENTITY declaration (that refuses entity expansion and external entities,
the attacks defusedxml guards against) — and then read with `xml.etree.ElementTree` by local
tag names, so camt.053.001.02 up to .08 (which differ only in namespace) all work. Only credit
entries (CdtDbtInd CRDT, not reversals) are kept.

Matching (`match_entries`): invoice numbers are found in the remittance text in the tenant's
own format, series + year + "-" + five digits ("F2026-00042"), tolerant of case, spaces and a
missing dash ("f2026 00042", "F202600042"). A payment is proposed only when exactly one number
is found and it is an open invoice of this tenant (the query is tenant-scoped, so another
cooperative's number is "unknown" here); never by amount alone. At most what is open is
proposed — the rest is flagged "te veel ontvangen" — also across several entries of one
statement for the same invoice. An entry already registered (same bank reference) is listed as
such, so reading the same statement twice registers nothing twice.

Registering (`register_matches`): one transaction for the whole statement, with a savepoint
per entry. A refused entry (the invoice got paid or credited meanwhile) rolls back only its own
savepoint and is reported; the others go on. The caller commits once: all chosen payments land
together, or — if the commit itself fails — none, and reading the statement again is safe
because every payment carries the idempotency key "bank:<bank reference>". One transaction also
keeps the tenant context (set per transaction) and the ledger's balance check (at commit) in
one place.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.invoicing import services
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from tenants import audit, storage
from tenants.actor import Actor
from tenants.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
STORAGE_CATEGORY = "bankafschriften"
KEY_PREFIX = "bank:"
#: the idempotency key column holds 80 characters
_MAX_REF = 80 - len(KEY_PREFIX)

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

    @property
    def idempotency_key(self) -> str:
        return KEY_PREFIX + self.ref

    @property
    def reference(self) -> str:
        return f"{self.name} {self.text}".strip()[:140]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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
    # NUL bytes removed: a UTF-16 file cannot hide a declaration either.
    plain = data.replace(b"\x00", b"").lower()
    if b"<!doctype" in plain or b"<!entity" in plain:
        raise DomainError(_l("Dit bestand bevat een DOCTYPE- of ENTITY-declaratie en wordt om "
                             "veiligheidsredenen niet gelezen. Exporteer het afschrift opnieuw "
                             "als CAMT.053 bij uw bank."))


def _cents(text: str) -> int | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
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


def _ref(entry) -> str:
    ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if not ref:
        ref = hashlib.sha256(ET.tostring(entry)).hexdigest()
    elif len(ref) > _MAX_REF:
        ref = hashlib.sha256(ref.encode()).hexdigest()
    return ref


def parse_statement(data: bytes) -> list[BankEntry]:
    """The credit entries of a CAMT.053 file, in file order. Raises DomainError (Dutch) for
    an empty, too large, unsafe or unreadable file, or one that is not CAMT.053."""
    _check_bytes(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise DomainError(_l("Dit bestand kan niet worden gelezen: het is geen geldig XML-"
                             "bestand. Exporteer het afschrift als CAMT.053 bij uw bank."))
    if _local(root.tag) != "Document" or not _kids(root, "BkToCstmrStmt"):
        raise DomainError(NOT_CAMT)
    entries, seen = [], {}
    for entry in _all(root, "BkToCstmrStmt/Stmt/Ntry"):
        if _text(entry, "CdtDbtInd").upper() != "CRDT":
            continue
        if _text(entry, "RvslInd").lower() in ("true", "1"):
            continue
        amounts = _kids(entry, "Amt")
        cents = _cents(amounts[0].text or "") if amounts else None
        if cents is None:
            raise DomainError(_l("Een bedrag in het afschrift is onleesbaar. Exporteer het "
                                 "afschrift opnieuw als CAMT.053."))
        ref = _ref(entry)
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:  # a bank that repeats a reference within one file
            ref = f"{ref[:_MAX_REF - 4]}:{seen[ref]}"
        entries.append(BankEntry(
            ref=ref, booked_on=_booked_on(entry), amount_cents=cents,
            currency=re.sub(r"[^A-Z]", "", (amounts[0].get("Ccy") or "").upper())[:3], name=_name(entry),
            text=_remittance(entry)))
    return entries


# --- matching --------------------------------------------------------------------------------

@dataclass
class Proposal:
    """What to do with one credit entry: register `amount_cents` on `invoice`, or nothing and
    `reason` (Dutch) says why."""

    entry: BankEntry
    invoice: Invoice | None = None
    amount_cents: int = 0
    excess_cents: int = 0
    reason: str | None = None
    numbers: list[str] = field(default_factory=list)
    #: the amount leaves part of the invoice open
    partial: bool = False
    # `reason` is a plain str (gettext, not lazy): a lazy string counts as safe HTML in Jinja,
    # and a reason may quote text from the bank file.

    @property
    def matched(self) -> bool:
        return self.invoice is not None and self.reason is None and self.amount_cents > 0


def _pattern(prefixes) -> re.Pattern:
    series = "|".join(re.escape(p) for p in sorted(set(prefixes), key=len, reverse=True))
    return re.compile(rf"(?<![0-9a-z])({series})\s*-?\s*(20\d\d)\s*-?\s*(\d{{5}})(?!\d)",
                      re.IGNORECASE)


def find_numbers(text: str, prefixes) -> list[str]:
    """Invoice numbers in `text`, normalised to the printed form ("F2026-00042"), each once."""
    by_lower = {p.lower(): p for p in prefixes}
    found = []
    for m in _pattern(by_lower.values()).finditer(text or ""):
        number = f"{by_lower[m.group(1).lower()]}{m.group(2)}-{m.group(3)}"
        if number not in found:
            found.append(number)
    return found


def _prefixes(session: Session) -> list[str]:
    used = set(session.scalars(select(Invoice.series).where(
        Invoice.kind == InvoiceKind.INVOICE, Invoice.series.is_not(None)).distinct()))
    current = services.current_settings(session).invoice_prefix
    if current:
        used.add(current)
    return [p for p in used if p]


def match_entries(session: Session, entries: list[BankEntry]) -> list[Proposal]:
    """A proposal per entry (three queries, however many entries)."""
    prefixes = _prefixes(session)
    numbers = {e.ref: (find_numbers(e.text, prefixes) if prefixes else []) for e in entries}
    wanted = {n for found in numbers.values() for n in found}
    invoices = {i.number_text: i for i in session.scalars(
        select(Invoice).where(Invoice.number_text.in_(wanted)))} if wanted else {}
    keys = [e.idempotency_key for e in entries]
    registered = set(session.scalars(select(Payment.idempotency_key).where(
        Payment.idempotency_key.in_(keys)))) if keys else set()
    remaining: dict[int, int] = {}
    proposals = []
    for entry in entries:
        found = numbers[entry.ref]
        p = Proposal(entry, numbers=found)
        proposals.append(p)
        if entry.idempotency_key in registered:
            p.reason = _("Al geregistreerd: deze bijschrijving is eerder ingelezen.")
        elif entry.currency != "EUR":
            p.reason = _("Geen euro's (%(currency)s): registreer deze betaling met de hand.",
                          currency=entry.currency or "?")
        elif entry.amount_cents <= 0:
            p.reason = _("Het bedrag is nul.")
        elif not found:
            p.reason = _("Geen factuurnummer gevonden in de omschrijving.")
        elif len(found) > 1:
            p.reason = _("Meerdere factuurnummers (%(numbers)s): koppel deze betaling met de "
                          "hand.", numbers=", ".join(found))
        else:
            invoice = invoices.get(found[0])
            p.invoice = invoice
            if invoice is None or invoice.kind != InvoiceKind.INVOICE:
                p.invoice = None
                p.reason = _("Factuurnummer %(number)s is onbekend.", number=found[0])
            elif invoice.status == InvoiceStatus.CREDITED:
                p.reason = _("Factuur %(number)s is gecrediteerd.", number=found[0])
            elif invoice.status not in services.OPEN:
                p.reason = _("Factuur %(number)s is al betaald.", number=found[0])
            else:
                left = remaining.setdefault(invoice.id, services.open_cents(invoice))
                if left <= 0:
                    p.reason = _("Factuur %(number)s is al betaald.", number=found[0])
                else:
                    p.amount_cents = min(entry.amount_cents, left)
                    p.excess_cents = entry.amount_cents - p.amount_cents
                    p.partial = p.amount_cents < left
                    remaining[invoice.id] = left - p.amount_cents
    return proposals


# --- storing the upload and registering ----------------------------------------------------

def store_statement(root: Path, tenant_id: int, data: bytes) -> str:
    """Keep the uploaded statement until it is confirmed; returns its storage key."""
    return storage.save_file(root, tenant_id, STORAGE_CATEGORY, data, "xml")


def load_statement(root: Path, tenant_id: int, key: str) -> bytes:
    """The stored statement (NotFound for a key that is not this tenant's or is gone)."""
    return storage.open_file(root, tenant_id, key)


@dataclass
class BankResult:
    registered: list[Proposal] = field(default_factory=list)
    #: (proposal, Dutch reason) for every entry not registered now
    skipped: list[tuple[Proposal, object]] = field(default_factory=list)


def register_matches(session: Session, actor: Actor, proposals: list[Proposal], chosen,
                     today: date | None = None) -> BankResult:
    """Register the matched proposals whose bank reference is in `chosen`, each in its own
    savepoint (see the module docstring); the caller commits once."""
    chosen = set(chosen or ())
    result = BankResult()
    for p in proposals:
        if not p.matched:
            result.skipped.append((p, p.reason))
            continue
        if p.entry.ref not in chosen:
            result.skipped.append((p, _("Niet aangevinkt.")))
            continue
        try:
            with session.begin_nested():
                services.register_payment(
                    session, actor, p.invoice, p.amount_cents, p.entry.booked_on,
                    PaymentMethod.BANK_TRANSFER, reference=p.entry.reference or None,
                    idempotency_key=p.entry.idempotency_key, today=today)
        except DomainError as exc:
            result.skipped.append((p, exc.message))
            continue
        result.registered.append(p)
    audit.record(session, actor, "invoice.bank_statement_imported", None,
                 object_type="BankStatement", registered=len(result.registered),
                 skipped=len(result.skipped),
                 refs=[p.entry.ref for p in result.registered][:200])
    return result
