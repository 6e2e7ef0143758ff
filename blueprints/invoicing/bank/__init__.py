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

The rules live in the modules of this package; this module re-exports them.
"""
from __future__ import annotations

from blueprints.invoicing.bank.camt import (  # noqa: F401
    _AMOUNT,
    _CAMT053,
    _DECLARED,
    _ENCODINGS,
    _MAX_REF,
    BAD_AMOUNT,
    EARLY_DAYS,
    KEEP_SECONDS,
    KEY_PREFIX,
    MAX_BYTES,
    MAX_DEPTH,
    NOT_CAMT,
    NOT_XML,
    STORAGE_CATEGORY,
    UNSAFE,
    BankEntry,
    _account,
    _all,
    _booked_on,
    _cents,
    _check_bytes,
    _entries,
    _kids,
    _local,
    _name,
    _namespace,
    _parse_xml,
    _remittance,
    _text,
    log,
    parse_statement,
)
from blueprints.invoicing.bank.matching import (  # noqa: F401
    _GLUE,
    GLUE_WORDS,
    BankResult,
    OpenInvoice,
    Proposal,
    _early,
    _pattern,
    _prefixes,
    _registered,
    choices_for,
    find_numbers,
    link_by_hand,
    load_statement,
    match_entries,
    open_invoices,
    register_matches,
    store_statement,
)
