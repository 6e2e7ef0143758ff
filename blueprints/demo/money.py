"""Demo money: finance settings, customers, a year of invoices and payments, training budgets
and courses in each demo tenant.

Everything goes through the real services (customers, invoicing, budgets), so numbers are
gapless, the ledger balances, budgets are credited by paid invoices and every step is in the
audit log. Deterministic (a fixed random seed per tenant, dates relative to today) and
idempotent: a tenant that already has customers or invoices is left alone.

Per tenant, for each of the last twelve full months (the current month is left for the demo
user to invoice), dated the first working day of the next month:
- the municipality: trajectory fees per participant per month for the trajectories on a
  municipal contract (UBL e-invoice: OIN and buyer reference);
- the housing corporation: green maintenance. In the months the demo hours cover
  (blueprints.demo.work), the approved hours of its jobs and of a small crew of participants
  (whose budgets they earn); before that, a fixed line at the corporation's garden rate;
- residents: their done fixed-price and hourly jobs, and one resident's help each month
  (exempt from VAT: welfare work); one resident buys a punch card;
- each quarter, a school (in Lelystad a supermarket).
Most invoices are paid 10–30 days after issue (never in the future); two resident invoices are
overdue (one with a reminder letter), a school invoice is partly paid, and one corporation
invoice with a line billed twice is credited in full and invoiced again.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.nl import btw

from blueprints.budgets import ledger
from blueprints.budgets import services as budgets
from blueprints.budgets.models import AllocationMode, Course, UnspentOnEnd
from blueprints.customers import services as customers
from blueprints.customers.models import Customer, CustomerKind
from blueprints.demo.people import PLACES
from blueprints.helprequests.models import HelpRequest, Payer, PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.invoicing import services as invoicing
from blueprints.invoicing import settings as finance
from blueprints.invoicing.models import Invoice, LineUnit, PaymentMethod, Recognition
from blueprints.invoicing.money import VatRate
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus
from blueprints.trajectories.services import add_months
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import Tenant, User

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]
FEE_PER_MONTH_CENTS = 45_000
CORPORATION_GARDEN_RATE = "32,50"
RESIDENT_RATE = "15,00"
#: months (0 = twelve months ago, 11 = last month) with a special story
PUNCH_CARD_MONTH, DOUBLE_BILLED_MONTH = 6, 3
OVERDUE_MONTHS, REMINDER_MONTH, PARTLY_PAID_MONTH = (9, 10), 9, 8
SCHOOL_MONTHS = (2, 5, 8, 11)

FINANCE = {
    "ons-breda": {
        "street": "Geerenweg 2", "postcode": "4824 AB", "bank": "RABO", "account": 3158420,
        "phone": "076-5143290", "recognition": Recognition.MUNICIPAL_CONTRACT,
        "recognition_reference": "Raamovereenkomst re-integratie gemeente Breda 2025-2027",
        "policy": dict(mode=AllocationMode.INVOICED_VALUE, pool_share_percent=10,
                       unspent_on_end=UnspentOnEnd.TO_POOL),
        "corporation": ("Woonstichting Geeren-Zuid", "Doornboslaan 145", "4816 CZ",
                        "58213460", "PO-GZ-2026-114", "Karin Dekkers",
                        "crediteuren@geeren-zuid.example.org"),
        "municipality_address": ("Claudius Prinsenlaan 10", "4811 DJ"),
        "client": (CustomerKind.SCHOOL, "Basisschool De Fontein", "Heuvelbrink 3", "4822 CA",
                   "Klussendienst schoolplein en moestuin", "administratie@defontein.example.org"),
        "crew_weekdays": (1, 3), "roc": "Curio Breda", "taalhuis": "Taalhuis Breda",
    },
    "kluswinkel-lelystad": {
        "street": "Zuiderzeestraat 40", "postcode": "8224 CD", "bank": "INGB", "account": 7740215,
        "phone": "0320-234518", "recognition": Recognition.MUNICIPAL_CONTRACT,
        "recognition_reference": "Contract Kluswinkel Zuiderzeewijk, gemeente Lelystad 2026",
        "policy": dict(mode=AllocationMode.PERCENTAGE, percentage=50, pool_share_percent=20,
                       unspent_on_end=UnspentOnEnd.STAYS),
        "corporation": ("Woningcorporatie Zuiderzeewijk", "Fjord 201", "8224 DN", "71902358",
                        "ZZW-INK-7731", "Peter Roelofs", "facturen@zuiderzeewijk.example.org"),
        "municipality_address": ("Stadhuisplein 2", "8232 ZX"),
        "client": (CustomerKind.SHOP, "Supermarkt Atolwijk", "Schouw 12", "8232 AB",
                   "Boodschappen bezorgen bij klanten aan huis",
                   "administratie@supermarkt-atolwijk.example.org"),
        "crew_weekdays": (1, 3), "roc": "ROC Flevoland", "taalhuis": "Taalhuis Lelystad",
    },
    "vrijwilligerscentrale-landgraaf": {
        "street": "Hoofdstraat 71", "postcode": "6371 BE", "bank": "ABNA", "account": 5127784,
        "phone": "045-5312870", "recognition": Recognition.SBB,
        "recognition_reference": "100457823",
        "policy": dict(mode=AllocationMode.PER_HOUR, per_hour="2,50", pool_share_percent=0,
                       unspent_on_end=UnspentOnEnd.STAYS),
        "corporation": ("Heem & Wonen Landgraaf", "Streeperstraat 40", "6373 BK", "40186652",
                        "HW-2026-0412", "Mariëlle Jongen", "facturen@heemenwonen.example.org"),
        "municipality_address": ("Raadhuisplein 1", "6371 EL"),
        "client": (CustomerKind.SCHOOL, "Basisschool De Kleine Wereld", "Kerkstraat 18",
                   "6372 AH", "Klussendienst schoolgebouw en speelplaats",
                   "administratie@dekleinewereld.example.org"),
        "crew_weekdays": (0, 1, 2, 3, 4), "roc": "Vista college", "taalhuis": "Taalhuis Landgraaf",
    },
}
#: the full names behind the requesters of blueprints.demo.work
RESIDENT_NAMES = {
    "mevrouw Peters": "Truus Peters", "meneer Van den Heuvel": "Gerard van den Heuvel",
    "mevrouw Bakker-Smit": "Annie Bakker-Smit", "de familie Özdemir": "Familie Özdemir",
    "meneer Jansen": "Piet Jansen", "mevrouw Willems": "Maria Willems",
    "meneer Claessens": "Jo Claessens", "mevrouw El Amrani": "Fatima El Amrani",
    "mevrouw De Vries": "Ria de Vries", "meneer Hendriks": "Hans Hendriks",
    "mevrouw Kuipers": "Els Kuipers", "meneer Nowak": "Marek Nowak",
}
RESIDENT_HELP = ["Hulp bij tuinonderhoud", "Kleine klussen in huis", "Ramen wassen (buitenkant)",
                 "Hulp bij het opruimen van de zolder", "Schilderen van het tuinhek",
                 "Meubels verplaatsen"]
PUNCH_CARD_USES = [(12, 120, "Heg geknipt en gras gemaaid"), (41, 90, "Bladeren geruimd"),
                   (76, 150, "Schuur opgeruimd en oud ijzer weggebracht")]

#: (title, provider key, cost, hours, certificate, praktijkverklaring, description)
COURSES = [
    ("VCA Basis", "roc", "295,00", 16, True, False,
     "Basisveiligheid op de werkplek, met examen. Vaak gevraagd bij groen- en bouwwerk."),
    ("Groenvoorziening niveau 1 — praktijkverklaring SBB", "roc", "450,00", 80, False, True,
     "Leren in de praktijk bij een erkend leerbedrijf; de praktijkverklaring van SBB laat "
     "zien wat de deelnemer kan."),
    ("Nederlands op de werkvloer (B1)", "taalhuis", "180,00", 40, False, False,
     "Taallessen met woorden en gesprekken van het werk."),
    ("EHBO en reanimatie", "Het Oranje Kruis (EHBO-vereniging)", "95,00", 8, True, False,
     "Eerste hulp en reanimatie met AED; diploma van Het Oranje Kruis."),
    ("Heftruckcertificaat", "Heftruckopleidingen Zuid", "375,00", 8, True, False,
     "Theorie en praktijk, met certificaat."),
    ("Digitale vaardigheden", "Bibliotheek (Digisterker)", "45,00", 12, False, False,
     "Werken met e-mail, DigiD en een rooster op de telefoon."),
]


@dataclass
class Book:
    """The demo customers of one tenant."""

    municipality: Customer
    corporation: Customer
    client: Customer
    residents: list[Customer]
    by_requester: dict[str, Customer] = field(default_factory=dict)


@dataclass
class Month:
    index: int
    start: date
    end: date
    issue: date

    @property
    def label(self) -> str:
        return f"{MONTHS[self.start.month - 1]} {self.start.year}"


def seed_money(session: Session, tenant: Tenant, staff: dict[str, User], city: str,
               today: date | None = None) -> None:
    """Finance demo for one tenant (already set as the current tenant)."""
    if tenant.slug not in FINANCE or session.scalar(select(func.count()).select_from(Invoice)) \
            or session.scalar(select(func.count()).select_from(Customer)):
        return
    today = today or date.today()
    spec = FINANCE[tenant.slug]
    rng = random.Random(f"money-{tenant.slug}")
    admin = Actor(user_id=staff["admin"].id, email=staff["admin"].email)
    coach = Actor(user_id=staff["supervisor"].id, email=staff["supervisor"].email)
    _settings(session, admin, tenant, spec, city)
    budgets.save_policy(session, admin, **spec["policy"])
    book = _customers(session, admin, rng, tenant, spec, city)
    _link_requests(session, admin, book)
    demo_person = session.scalar(select(Participant).where(
        Participant.user_id == staff["participant"].id)) if "participant" in staff else None
    invoices = _year(session, admin, rng, spec, book, _crew(session, rng, demo_person), today)
    _courses(session, admin, coach, rng, spec, city, demo_person, today)
    audit.record(session, admin, "demo.money_seeded", object_type="Tenant", object_id=tenant.id,
                 invoices=invoices)


# --- settings and customers ------------------------------------------------------------------

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
    from blueprints.helprequests.services import parse_money

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


# --- a year of invoices ----------------------------------------------------------------------

def _working_day(day: date) -> date:
    """`day`, or the first working day after it (weekends and New Year's Day are not)."""
    while day.weekday() >= 5 or (day.month, day.day) == (1, 1):
        day += timedelta(days=1)
    return day


def months_to_invoice(today: date) -> list[Month]:
    """The last twelve full months, each issued on the first working day of the next month
    (never after today)."""
    this_month = today.replace(day=1)
    months = []
    for index in range(12):
        start = add_months(this_month, index - 12)
        end = add_months(start, 1) - timedelta(days=1)
        months.append(Month(index, start, end, min(_working_day(end + timedelta(days=1)),
                                                   today)))
    return months


def _crew(session, rng, demo_person: Participant | None) -> list[Participant]:
    """The participants whose unlinked work hours go to the housing corporation: the demo
    participant and two others with a running work trajectory."""
    rows = session.execute(
        select(Participant).join(Trajectory, (Trajectory.tenant_id == Participant.tenant_id)
                                 & (Trajectory.participant_id == Participant.id))
        .where(Trajectory.status == TrajectoryStatus.ACTIVE,
               Trajectory.kind.not_in([TrajectoryKind.VOLUNTEER,
                                       TrajectoryKind.COUNTER_PERFORMANCE]))
        .order_by(Participant.last_name, Participant.first_name)).scalars().all()
    others = [p for p in dict.fromkeys(rows) if demo_person is None or p.id != demo_person.id]
    crew = rng.sample(others, min(2, len(others)))
    return ([demo_person] if demo_person is not None else []) + crew


class _Run:
    """The state of one tenant's year: who acts, what is issued, the random source."""

    def __init__(self, session, admin, rng, today):
        self.session, self.admin, self.rng, self.today = session, admin, rng, today
        self.count = 0

    def draft(self, customer, month: Month, note=None):
        return invoicing.create_draft(self.session, self.admin, customer, month.start, month.end,
                                      note=note)

    def send(self, invoice, on: date):
        self.count += 1
        return invoicing.finalise(self.session, self.admin, invoice, issue_date=on,
                                  today=self.today)

    def pay(self, invoice, low: int, high: int, amount: int | None = None,
            method=PaymentMethod.BANK_TRANSFER, reference=None):
        """Pay `low`–`high` days after issue; a payment that would lie in the future is left
        out, unless the invoice would be overdue by then (it is paid today)."""
        paid_on = invoice.issue_date + timedelta(days=self.rng.randint(low, high))
        if paid_on > self.today:
            if invoice.due_date >= self.today:
                return None
            paid_on = self.today
        return invoicing.register_payment(
            self.session, self.admin, invoice, amount or invoicing.open_cents(invoice), paid_on,
            method, reference or f"Betaling {invoice.number_text}",
            idempotency_key=f"demo:{invoice.number_text}", today=self.today)


def _year(session, admin, rng, spec, book: Book, crew: list[Participant], today: date) -> int:
    run = _Run(session, admin, rng, today)
    first_hours = session.scalar(select(func.min(TimeEntry.work_date))
                                 .where(TimeEntry.status == EntryStatus.APPROVED))
    fee_trajectories = session.scalars(
        select(Trajectory).where(Trajectory.status != TrajectoryStatus.INTAKE,
                                 Trajectory.funding == Funding.MUNICIPAL_CONTRACT)
        .order_by(Trajectory.starts_on)).all()
    crew_ids = {p.id for p in crew}
    for month in months_to_invoice(today):
        _municipality(run, book, month, fee_trajectories)
        correction = _corporation(run, spec, book, month, first_hours, crew_ids)
        if month.index in SCHOOL_MONTHS:
            _client(run, spec, book, month)
        _residents(run, book, month)
        if correction is not None:
            correction()
    return run.count


def _municipality(run: _Run, book: Book, month: Month, trajectories) -> None:
    active = [t.id for t in trajectories if t.starts_on <= month.end
              and (t.outcome_on is None or t.outcome_on >= month.start)]
    if not active:
        return
    invoice = run.draft(book.municipality, month)
    invoicing.add_trajectory_fees(run.session, run.admin, invoice, "per_maand", active,
                                  FEE_PER_MONTH_CENTS, months=1, vat_rate=VatRate.HIGH.value)
    run.send(invoice, month.issue)
    run.pay(invoice, 14, 30)


def _garden_line(run: _Run, book: Book, invoice, month: Month, hours: Decimal) -> None:
    price, vat = customers.rate_for(run.session, book.corporation, "tuin")
    invoicing.add_fixed_line(run.session, run.admin, invoice,
                             f"Groenonderhoud portiekflats — {month.label}", hours,
                             LineUnit.HOUR, price, vat, supply_date=month.end)


def _corporation(run: _Run, spec, book: Book, month: Month, first_hours: date | None,
                 crew_ids: set[int]):
    """The month's invoice to the corporation; returns the correction to make after the
    month's other invoices, if this is the invoice billed twice."""
    session = run.session
    invoice = run.draft(book.corporation, month)
    hours_from = first_hours or month.end + timedelta(days=1)
    garden = None
    if month.start < hours_from:
        # Before the demo's recorded hours: the monthly round at the garden rate (for the
        # month where the hours begin, only the days before).
        days = min(month.end, hours_from - timedelta(days=1)).day
        base = Decimal(run.rng.randint(56, 80)) / 2  # 28 – 40 hours a month
        garden = (base * days / month.end.day * 2).quantize(Decimal(1)) / 2
        if garden > 0:
            _garden_line(run, book, invoice, month, garden)
            if month.index == DOUBLE_BILLED_MONTH:  # the mistake the credit note corrects
                _garden_line(run, book, invoice, month, garden)
    ids = []
    for job in invoicing.uninvoiced_hours(session, book.corporation, month.start, month.end,
                                          include_unlinked=True):
        for group in job.people:
            for entry in group.entries:
                if job.help_request is not None or (
                        group.participant.id in crew_ids
                        and entry.hour_type == HourType.TRAJECTORY
                        and entry.work_date.weekday() in spec["crew_weekdays"]):
                    ids.append(entry.id)
    if ids:
        invoicing.add_hours(session, run.admin, invoice, ids)
    if not invoice.total_incl_cents:
        invoicing.delete_draft(session, run.admin, invoice)
        return None
    run.send(invoice, month.issue)
    if month.index == DOUBLE_BILLED_MONTH and garden:
        return lambda: _correct(run, book, month, invoice, garden)
    run.pay(invoice, 10, 28)
    return None


def _correct(run: _Run, book: Book, month: Month, invoice, garden: Decimal) -> None:
    """The corporation's invoice with its garden line twice: credited in full a few days
    later (after the month's other invoices: numbers follow the dates) and invoiced again."""
    on = _working_day(month.issue + timedelta(days=3))
    if on > run.today:
        run.pay(invoice, 10, 28)
        return
    invoicing.create_credit_note(run.session, run.admin, invoice, full=True,
                                 reason="Dubbel gefactureerd", issue_date=on, today=run.today)
    corrected = run.draft(book.corporation, month,
                          note=f"Vervangt factuur {invoice.number_text}: daarop stond het "
                               "groenonderhoud twee keer.")
    _garden_line(run, book, corrected, month, garden)
    run.send(corrected, on)
    run.pay(corrected, 10, 28)


def _client(run: _Run, spec, book: Book, month: Month) -> None:
    what = spec["client"][4]
    quarter = (month.start.month - 1) // 3 + 1
    invoice = run.draft(book.client, month)
    price, vat = customers.rate_for(run.session, book.client, None)
    invoicing.add_fixed_line(run.session, run.admin, invoice,
                             f"{what} — {quarter}e kwartaal {month.start.year}",
                             Decimal(run.rng.randint(12, 24)), LineUnit.HOUR, price, vat,
                             supply_date=month.end)
    run.send(invoice, month.issue)
    if month.index == PARTLY_PAID_MONTH:
        half = invoice.total_incl_cents // 200 * 100  # whole euros
        run.pay(invoice, 20, 25, amount=half, reference="Eerste termijn")
    else:
        run.pay(invoice, 15, 30)


def _resident_items(session, resident: Customer, month: Month):
    fixed = session.scalars(select(HelpRequest).where(
        HelpRequest.customer_id == resident.id, HelpRequest.status == RequestStatus.DONE,
        HelpRequest.price_agreement == PriceAgreement.FIXED,
        HelpRequest.done_on >= month.start, HelpRequest.done_on <= month.end)
        .order_by(HelpRequest.reference)).all()
    hours = [e.id for job in invoicing.uninvoiced_hours(session, resident, month.start, month.end)
             for group in job.people for e in group.entries]
    return fixed, hours


def _residents(run: _Run, book: Book, month: Month) -> None:
    session = run.session
    helped = book.residents[month.index % len(book.residents)]
    for resident in book.residents:
        fixed, hours = _resident_items(session, resident, month)
        if resident is not helped and not fixed and not hours:
            continue
        invoice = run.draft(resident, month)
        punch_card = resident is helped and month.index == PUNCH_CARD_MONTH
        if punch_card:
            price, vat = customers.rate_for(session, resident, None)
            invoicing.add_fixed_line(session, run.admin, invoice, "Strippenkaart 10 uur hulp",
                                     1, LineUnit.PUNCH_CARD, price * 10, vat)
        elif resident is helped:
            price, vat = customers.rate_for(session, resident, "tuin")
            invoicing.add_fixed_line(session, run.admin, invoice,
                                     f"{run.rng.choice(RESIDENT_HELP)} — {month.label}",
                                     Decimal(run.rng.randint(3, 8)) / 2, LineUnit.HOUR, price,
                                     vat, supply_date=month.end)
        for request in fixed:
            invoicing.add_help_request(session, run.admin, invoice, request)
        if hours:
            invoicing.add_hours(session, run.admin, invoice, hours)
        run.send(invoice, month.issue)
        if punch_card:
            _punch_card(run, resident, invoice)
        if resident is helped and month.index in OVERDUE_MONTHS:
            if month.index == REMINDER_MONTH:
                invoicing.record_posted_reminder(session, run.admin, invoice, today=run.today)
            continue
        run.pay(invoice, 10, 14, method=run.rng.choice(
            [PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD,
             PaymentMethod.CASH]))


def _punch_card(run: _Run, resident: Customer, invoice) -> None:
    price, _vat = customers.rate_for(run.session, resident, None)
    customers.sell_punch_card(run.session, run.admin, resident, 10, price * 10,
                              invoice.issue_date, "Gekocht met factuur " + invoice.number_text,
                              invoice_id=invoice.id)
    for days, minutes, note in PUNCH_CARD_USES:
        on = invoice.issue_date + timedelta(days=days)
        if on <= run.today:
            customers.use_punch_card(run.session, run.admin, resident, minutes, on, note=note)


# --- courses ---------------------------------------------------------------------------------

def _courses(session, admin, coach, rng, spec, city, demo_person, today) -> None:
    catalogue = {}
    for title, provider, cost, hours, certificate, verklaring, description in COURSES:
        provider = spec.get(provider, provider)
        if provider.startswith("Bibliotheek"):
            provider = f"Bibliotheek {city} (Digisterker)"
        catalogue[title] = budgets.create_course(session, admin, budgets.CourseData(
            provider=provider, title=title, cost=cost, hours=hours,
            leads_to_certificate=certificate, leads_to_praktijkverklaring=verklaring,
            description=description))
    people = session.scalars(select(Participant).where(
        Participant.status.in_([ParticipantStatus.ACTIVE, ParticipantStatus.PAUSED]))
        .order_by(Participant.last_name, Participant.first_name)).all()

    def balance(person) -> int:
        return ledger.balance(session, ledger.find_account(
            session, ledger.participant_key(person.id)))

    def enrol(person, title, motivation, approve=True, from_pool=False):
        enrolment = budgets.propose_course(session, coach, person, catalogue[title], motivation,
                                           starts_on=today + timedelta(days=rng.randint(10, 45)))
        if approve:
            try:
                budgets.approve_enrolment(session, admin, enrolment, from_pool=from_pool)
            except DomainError:
                pass  # not enough budget after all: the proposal waits for a decision
        return enrolment

    earning = sorted((p for p in people if balance(p) > 0 and p is not demo_person),
                     key=lambda p: (-balance(p), p.last_name))
    approved = []
    if demo_person is not None:  # a course that leaves budget to show
        choice = _affordable(balance(demo_person) // 2, catalogue,
                             ["VCA Basis", "EHBO en reanimatie", "Digitale vaardigheden"])
        if choice:
            enrol(demo_person, choice, "Past bij het werk in de groenploeg.")
            approved.append(demo_person)
    for person in earning[:2]:
        choice = _affordable(balance(person), catalogue,
                             ["EHBO en reanimatie", "Digitale vaardigheden"])
        if choice:
            enrol(person, choice, "Goed voor de veiligheid op het werk en daarna.")
            approved.append(person)
    others = [p for p in people if p not in approved]
    pool = ledger.balance(session, ledger.find_account(session, ledger.POOL_KEY))
    cost = catalogue["Nederlands op de werkvloer (B1)"].cost_cents
    if others and pool >= cost:
        enrol(others.pop(0), "Nederlands op de werkvloer (B1)",
              "Uit de gezamenlijke pot: de deelnemer heeft zelf nog weinig budget.",
              from_pool=True)
    if others:
        enrol(others.pop(0), "Heftruckcertificaat",
              "Wil doorgroeien naar magazijnwerk; een heftruckcertificaat hoort daarbij.",
              approve=False)
    if others:
        declined = enrol(others.pop(0), "Groenvoorziening niveau 1 — praktijkverklaring SBB",
                         "Werkt graag buiten in het groen.", approve=False)
        budgets.decline_enrolment(session, admin, declined,
                                  "Eerst de VCA Basis halen; in het voorjaar bekijken we de "
                                  "praktijkverklaring opnieuw.")


def _affordable(balance: int, catalogue: dict[str, Course], titles: list[str]) -> str | None:
    return next((t for t in titles if catalogue[t].cost_cents <= balance), None)
