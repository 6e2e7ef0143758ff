"""Demo finance settings and customers (with valid VAT ids and IBANs)."""
from __future__ import annotations

import unicodedata

from schwifty import IBAN
from sqlalchemy import select
from stdnum.nl import btw

from blueprints.customers import services as customers
from blueprints.customers.models import CustomerKind
from blueprints.demo.money.figures import (
    CORPORATION_GARDEN_RATE,
    RESIDENT_NAMES,
    RESIDENT_RATE,
    Book,
)
from blueprints.demo.history import not_from_history
from blueprints.demo.people import PLACES
from blueprints.helprequests.models import HelpRequest, Payer, RequestStatus
from blueprints.invoicing import settings as finance
from blueprints.invoicing.money import VatRate
from tenants import audit
from tenants.money import parse_money


def valid_vat_id(seed: int) -> str:
    """The first valid Dutch VAT id (NL…B01) from a number onwards."""
    number = seed % 10**9
    while not btw.is_valid(f"NL{number:09d}B01"):
        number = (number + 1) % 10**9
    return f"NL{number:09d}B01"


def valid_iban(bank: str, account: int) -> str:
    """A Dutch IBAN of `bank` with a valid checksum (schwifty computes it)."""
    for n in range(account, account + 1000):
        try:
            return IBAN.generate("NL", bank_code=bank, account_code=f"{n:010d}").compact
        except ValueError:
            continue
    raise RuntimeError(f"no valid IBAN for {bank}")


def _settings(session, admin, tenant, spec, city) -> None:
    finance.save_settings(session, admin, finance.SettingsData(
        legal_name=tenant.name, street=spec["street"], postcode=spec["postcode"], city=city,
        kvk_number=tenant.kvk_number, vat_id=valid_vat_id(int(tenant.kvk_number) * 10),
        iban=valid_iban(spec["bank"], spec["account"]),
        email=f"facturen@{tenant.slug}.example.org", phone=spec["phone"],
        recognition=spec["recognition"].value,
        recognition_reference=spec["recognition_reference"], hourly_rate="25,00",
        payment_term_days=30,
        footer_text="Dit werk is gedaan door deelnemers aan een leerwerktraject. Dank u wel!"))


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == " ").replace(" ", ".")


def _customers(session, admin, rng, tenant, spec, city) -> Book:
    place = PLACES[tenant.slug]
    code = place["cbs"]
    street, postcode = spec["municipality_address"]
    municipality = customers.create_customer(session, admin, customers.CustomerData(
        kind=CustomerKind.MUNICIPALITY, name=f"Gemeente {city}",
        contact_name="Crediteurenadministratie", email=f"facturen@{city.lower()}.example.org",
        street=street, postcode=postcode, city=city,
        oin="00000001" + f"9{code}0000" + "000",  # fictional: 00000001 + 9 digits + 000
        buyer_reference=f"INK-2026-{code}",
        wants_ubl=True,
        notes="E-factuur (UBL) met het inkoopnummer van het raamcontract als referentie."))
    name, c_street, c_postcode, kvk, reference, contact, email = spec["corporation"]
    corporation = customers.create_customer(session, admin, customers.CustomerData(
        kind=CustomerKind.HOUSING, name=name, contact_name=contact, email=email,
        street=c_street, postcode=c_postcode, city=city, kvk_number=kvk,
        buyer_reference=reference, hourly_rate="29,50", wants_ubl=True,
        notes="Groenonderhoud rond de portiekflats; e-factuur met ordernummer."))
    customers.add_rate(session, admin, corporation, "tuin",
                       _cents(CORPORATION_GARDEN_RATE), "uur", VatRate.HIGH.value)
    kind, c_name, c_street, c_postcode, _what, email = spec["client"]
    client = customers.create_customer(session, admin, customers.CustomerData(
        kind=kind, name=c_name, contact_name="Administratie", email=email,
        street=c_street, postcode=c_postcode, city=city, hourly_rate="22,50"))
    # Residents: the requesters of the demo jobs, those who pay first.
    requesters = session.execute(select(HelpRequest.requester_name, HelpRequest.payer)
                                 .where(not_from_history())
                                 .order_by(HelpRequest.reference)).all()
    names = list(dict.fromkeys(n for n, payer in requesters if payer == Payer.RESIDENT))
    for n, _payer in requesters:
        if len(names) >= 5:
            break
        if n not in names:
            names.append(n)
    residents, by_requester = [], {}
    for i, requester in enumerate(names):
        full = RESIDENT_NAMES.get(requester, requester)
        resident = customers.create_customer(session, admin, customers.CustomerData(
            kind=CustomerKind.RESIDENT, name=full,
            email=f"{_ascii(full)}@voorbeeld.example.org" if i % 2 == 0 else None,
            phone=f"06-{rng.randint(10000000, 99999999)}",
            street=f"{rng.choice(place['streets'])} {rng.randint(1, 140)}",
            postcode=f"{place['postcode']} {rng.choice('ABCDEFGHJKLMN')}"
                     f"{rng.choice('ABCDEFGHJKLMN')}",
            city=city, hourly_rate=RESIDENT_RATE, default_vat_rate=VatRate.EXEMPT.value,
            payment_term_days=14))
        residents.append(resident)
        by_requester[requester] = resident
    return Book(municipality, corporation, client, residents, by_requester)


def _cents(text: str) -> int:
    return parse_money(text)


def _link_requests(session, admin, book: Book) -> None:
    """Who gets the invoice of each demo job. Only the link is set (a help request is no sent
    document); a declined request is left as it is, as the help-request service would."""
    for request in session.scalars(select(HelpRequest).order_by(HelpRequest.reference)):
        if request.status == RequestStatus.DECLINED:
            continue
        customer = {Payer.RESIDENT: book.by_requester.get(request.requester_name),
                    Payer.HOUSING: book.corporation,
                    Payer.MUNICIPALITY: book.municipality}.get(request.payer)
        if customer is None:
            continue
        request.customer_id = customer.id
        audit.record(session, admin, "help_request.customer_linked", request,
                     customer_id=customer.id)
    session.flush()
