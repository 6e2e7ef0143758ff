"""The demo's fixed figures per tenant (rates, names, courses), and the Book and Month the
seeding fills in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from blueprints.budgets.models import AllocationMode, UnspentOnEnd
from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing.models import Recognition

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
        "roc": "Curio Breda", "taalhuis": "Taalhuis Breda",
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
        "roc": "ROC Flevoland", "taalhuis": "Taalhuis Lelystad",
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
        "roc": "Vista college", "taalhuis": "Taalhuis Landgraaf",
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
    """A period invoiced at once: a month (the last twelve), or in the history's earlier years
    a calendar quarter (`months` long; cut to where the history and the last year begin)."""
    index: int
    start: date
    end: date
    issue: date
    months: int = 1

    @property
    def label(self) -> str:
        first = f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.months == 1:
            return first
        return f"{first} t/m {MONTHS[self.end.month - 1]} {self.end.year}"
