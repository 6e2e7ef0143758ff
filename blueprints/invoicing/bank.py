"""Bank statements (ISO 20022 CAMT.053): read the credit entries and register the payments
whose description names one of the tenant's open invoices.

Reading (`parse_statement`, pure, no Flask): a file is untrusted input, so every malformed one
is answered with a Dutch message and never reaches a 500. At most 5 MB; the encoding it
declares must be one we read (a UTF-7 declaration is refused by name); it is parsed with
defusedxml (the maintained guard against entity expansion and external entities: any DOCTYPE
is refused) in one streamed pass that also refuses nesting deeper than any CAMT file needs;
the root must be a `Document` in a camt.053 namespace (camt.053.001.02 up to .13, which differ
only in namespace, all work; elements are read by local name). Amounts must be plain decimals
in cents (`1E+50`, NaN and infinity are unreadable). Only credit entries (CdtDbtInd CRDT, not
reversals) are kept.

Identity: a bank entry is the same entry only when its account, bank reference, booking date
and amount are the same (`BankEntry.uid`, a hash of those four; the payment's idempotency key
is "bank:<uid>"). A reference alone is not enough: some banks give two different payments the
same reference, and both must be registered. An entry without a bank reference is identified
by the other three and its name and description.

Matching (`match_entries`): invoice numbers are found in the remittance text in the tenant's
own format, series + year + "-" + five digits ("F2026-00042"), tolerant of case, spaces and a
missing dash ("f2026 00042", "F202600042"), and of a number glued to a word such as "nr" or
"factuur" ("Fact.nrF2026-00030"; `GLUE_WORDS`). A payment is proposed only when exactly one number
is found and it is an open invoice of this tenant (the query is tenant-scoped, so another
cooperative's number is "unknown" here); never by amount alone. At most what is open is
proposed — the rest is flagged "te veel ontvangen" — also across several entries of one
statement for the same invoice. An entry already registered (same identity) is listed as such,
so reading the same statement twice registers nothing twice. A payment booked more than
EARLY_DAYS before the invoice's date is flagged and not ticked: it is likely another payment.
An entry without a match can be linked by hand to an open invoice (`link_by_hand`); the
preview offers the open invoices, those of the same amount first, with number, customer and
amount, and the amount is again never taken from the form. Payments registered before the
identity was introduced carry "bank:<reference>"; they still count as registered for an entry
with that reference, booking date and description.

Registering (`register_matches`): one transaction for the whole statement, with a savepoint
per entry. A refused entry (the invoice got paid or credited meanwhile) rolls back only its own
savepoint and is reported; the others go on. The caller commits once: all chosen payments land
together, or — if the commit itself fails — none, and reading the statement again is safe
because every payment carries the entry's idempotency key. One transaction also keeps the
tenant context (set per transaction) and the ledger's balance check (at commit) in one place.

Storage: an uploaded statement waits on disk (tenants.storage) until it is confirmed; one never
confirmed is gone after KEEP_SECONDS (24 hours, as imports): it cannot be opened any more, and
the next upload of any tenant removes it.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
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
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date

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
    #: a doubt about a match (Dutch): shown, and the row is not ticked
    warning: str | None = None
    #: registered before (the same entry was read earlier)
    registered: bool = False
    #: linked by hand to an invoice in the preview
    by_hand: bool = False
    # `reason` is a plain str (gettext, not lazy): a lazy string counts as safe HTML in Jinja,
    # and a reason may quote text from the bank file.

    @property
    def matched(self) -> bool:
        return self.invoice is not None and self.reason is None and self.amount_cents > 0

    @property
    def linkable(self) -> bool:
        """Not matched, but a euro credit that may be linked to an open invoice by hand."""
        return (not self.matched and not self.registered and self.entry.currency == "EUR"
                and self.entry.amount_cents > 0)


#: words a number is often glued to ("Fact.nrF2026-00030", "factuurF2026-00030"): after one of
#: these a number counts even with a letter right before it; after any other letter it does
#: not ("XF2026-00045" is another series, not ours)
GLUE_WORDS = ("nr", "no", "nummer", "factuur", "fact", "fnr", "inv", "invoice", "ref",
              "kenmerk", "betreft")
_GLUE = "|".join(f"(?<={re.escape(w)})" for w in GLUE_WORDS)


def _pattern(prefixes) -> re.Pattern:
    series = "|".join(re.escape(p) for p in sorted(set(prefixes), key=len, reverse=True))
    return re.compile(rf"(?:(?<![0-9a-z])|{_GLUE})({series})\s*-?\s*(20\d\d)\s*-?\s*"
                      rf"(\d{{5}})(?!\d)", re.IGNORECASE)


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


def _registered(session: Session, entries: list[BankEntry]) -> set[str]:
    """The uids of the entries registered before: by their own key, or by the old
    "bank:<reference>" key when booking date and description agree too (one query)."""
    keys = {e.idempotency_key: e for e in entries}
    legacy = {e.legacy_key for e in entries if e.legacy_key}
    if not keys:
        return set()
    rows = session.execute(select(Payment.idempotency_key, Payment.paid_on, Payment.reference)
                           .where(Payment.idempotency_key.in_(set(keys) | legacy)))
    done = set()
    old = {}
    for key, paid_on, reference in rows:
        if key in keys:
            done.add(keys[key].uid)
        else:
            old.setdefault(key, []).append((paid_on, reference or ""))
    for entry in entries:
        if (entry.occurrence == 1 and (entry.booked_on, entry.reference or "")
                in old.get(entry.legacy_key, ())):
            done.add(entry.uid)
    return done


def match_entries(session: Session, entries: list[BankEntry]) -> list[Proposal]:
    """A proposal per entry (three queries, however many entries)."""
    prefixes = _prefixes(session)
    numbers = {e.uid: (find_numbers(e.text, prefixes) if prefixes else []) for e in entries}
    wanted = {n for found in numbers.values() for n in found}
    invoices = {i.number_text: i for i in session.scalars(
        select(Invoice).where(Invoice.number_text.in_(wanted)))} if wanted else {}
    registered = _registered(session, entries)
    remaining: dict[int, int] = {}
    proposals = []
    for entry in entries:
        found = numbers[entry.uid]
        p = Proposal(entry, numbers=found)
        proposals.append(p)
        if entry.uid in registered:
            p.registered = True
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
                    p.warning = _early(entry, invoice)
    return proposals


def _early(entry: BankEntry, invoice: Invoice) -> str | None:
    if entry.booked_on and invoice.issue_date \
            and (invoice.issue_date - entry.booked_on).days >= EARLY_DAYS:
        return _("Geboekt op %(booked)s, ruim vóór de factuurdatum %(issued)s: hoort deze "
                 "betaling wel bij deze factuur? Controleer dat voordat u hem aanvinkt.",
                 booked=format_date(entry.booked_on), issued=format_date(invoice.issue_date))
    return None


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number_text: str
    customer_name: str
    open_cents: int


def open_invoices(session: Session) -> list[OpenInvoice]:
    """Every open invoice of the tenant with its customer and open amount, for linking a
    credit by hand (one query), by customer and number."""
    rows = session.execute(
        select(Invoice, Customer.name)
        .join(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                             Customer.id == Invoice.customer_id))
        .where(Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(services.OPEN))
        .order_by(Customer.name, Invoice.number_text)).all()
    return [OpenInvoice(i.id, i.number_text, name, services.open_cents(i))
            for i, name in rows if services.open_cents(i) > 0]


def choices_for(entry: BankEntry, invoices: list[OpenInvoice]) -> list[OpenInvoice]:
    """The open invoices for one credit: those whose open amount is the credit's first."""
    return sorted(invoices, key=lambda i: i.open_cents != entry.amount_cents)


def link_by_hand(session: Session, proposals: list[Proposal], links: dict) -> list[str]:
    """Turn unmatched proposals into matches with the invoice chosen for them (`links`: entry
    uid → invoice id as posted). Only an open invoice of this tenant is taken, for at most what
    is open (also across entries). Returns the uids linked; the amounts come from the file."""
    wanted = {}
    for p in proposals:
        raw = str(links.get(p.entry.uid) or "").strip()
        if p.linkable and raw.isascii() and raw.isdigit() and len(raw) < 19:
            wanted[p.entry.uid] = int(raw)
    if not wanted:
        return []
    invoices = {i.id: i for i in session.scalars(
        select(Invoice).where(Invoice.id.in_(set(wanted.values())),
                              Invoice.kind == InvoiceKind.INVOICE))}
    remaining: dict[int, int] = {}
    for p in proposals:
        if p.matched:
            remaining[p.invoice.id] = remaining.get(p.invoice.id, 0) + p.amount_cents
    linked = []
    for p in proposals:
        invoice = invoices.get(wanted.get(p.entry.uid))
        if invoice is None or invoice.status not in services.OPEN:
            continue
        left = services.open_cents(invoice) - remaining.get(invoice.id, 0)
        if left <= 0:
            continue
        p.invoice, p.reason, p.by_hand = invoice, None, True
        p.amount_cents = min(p.entry.amount_cents, left)
        p.excess_cents = p.entry.amount_cents - p.amount_cents
        p.partial = p.amount_cents < left
        remaining[invoice.id] = remaining.get(invoice.id, 0) + p.amount_cents
        linked.append(p.entry.uid)
    return linked


# --- storing the upload and registering ----------------------------------------------------

def store_statement(root: Path, tenant_id: int, data: bytes) -> str:
    """Keep the uploaded statement until it is confirmed; returns its storage key. Statements
    (of any tenant) left unconfirmed for KEEP_SECONDS are removed first."""
    storage.purge_category(root, STORAGE_CATEGORY, KEEP_SECONDS)
    return storage.save_file(root, tenant_id, STORAGE_CATEGORY, data, "xml")


def load_statement(root: Path, tenant_id: int, key: str) -> bytes:
    """The stored statement (NotFound for a key that is not this tenant's, is gone, or has
    waited longer than KEEP_SECONDS: it is removed then)."""
    if storage.older_than(root, tenant_id, key, KEEP_SECONDS):
        storage.delete_file(root, tenant_id, key)
        raise NotFound()
    return storage.open_file(root, tenant_id, key)


@dataclass
class BankResult:
    registered: list[Proposal] = field(default_factory=list)
    #: (proposal, Dutch reason) for every entry not registered now
    skipped: list[tuple[Proposal, object]] = field(default_factory=list)


def register_matches(session: Session, actor: Actor, proposals: list[Proposal], chosen,
                     today: date | None = None) -> BankResult:
    """Register the matched proposals whose entry uid is in `chosen`, each in its own
    savepoint (see the module docstring); the caller commits once."""
    chosen = set(chosen or ())
    result = BankResult()
    for p in proposals:
        if not p.matched:
            result.skipped.append((p, p.reason))
            continue
        if p.entry.uid not in chosen:
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
                 by_hand=sum(1 for p in result.registered if p.by_hand),
                 refs=[p.entry.ref for p in result.registered][:200])
    return result
