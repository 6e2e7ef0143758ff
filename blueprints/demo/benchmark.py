"""The benchmark's demo: four more small cooperatives (Rotterdam, Utrecht, Zwolle, Groningen)
seeded by the same demo steps as the three main tenants (people and trajectories, help requests
and approved hours, invoices and courses, outflow), their report summaries rebuilt; all seven
join the network and share their yearly figures, so `/netwerk/benchmark` shows the network's
quartiles (and, with five residents' initiatives, those of that kind too).

Idempotent: an existing tenant is not seeded again (each step leaves a filled tenant alone),
membership and sharing are set only when missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.demo.money import FINANCE, seed_money
from blueprints.demo.outflow import seed_outflow
from blueprints.demo.people import PLACES, seed_people
from blueprints.demo.work import seed_work
from blueprints.network.models import NetworkOrganisation, OrganisationKind
from blueprints.reports import summaries
from blueprints.trajectories.models import TrajectoryKind
from tenants.db import utcnow
from tenants.membership import tenant_by_slug
from tenants.models import Role, Tenant, TenantKind
from tenants.tenancy import tenant_context

#: the main demo tenants that share in the benchmark too
MAIN = ("ons-breda", "kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf")


@dataclass(frozen=True)
class Small:
    slug: str
    name: str
    cbs: str
    city: str
    postcode: str
    kvk: str
    wijken: list
    streets: list
    hosts: list
    hours: tuple
    finance: dict
    people: dict  # role -> name


SMALL = [
    Small("oude-noorden-rotterdam", "Wijkcoöperatie Het Oude Noorden", "0599", "Rotterdam",
          "3035", "73520418", ["Oude Noorden", "Agniesebuurt", "Bergpolder", "Liskwartier"],
          ["Zwaanshals", "Zaagmolenkade", "Bergweg", "Noordplein"],
          [("Buurtwerkplaats Zwaanshals", "eigen_bedrijf", False),
           ("Speeltuin Bergpolder", "speeltuin", True)], (6, 16),
          {"street": "Zwaanshals 270", "postcode": "3035 KS", "bank": "TRIO",
           "account": 2036614, "phone": "010-4661290"},
          {"admin": "Samira Boukhari", "supervisor": "Dirk van Leeuwen",
           "participant": "Gerrit Kok"}),
    Small("buurtbedrijf-kanaleneiland", "Buurtbedrijf Kanaleneiland", "0344", "Utrecht",
          "3527", "81170233", ["Kanaleneiland-Noord", "Kanaleneiland-Zuid", "Transwijk"],
          ["Marshalllaan", "Churchilllaan", "Trumanlaan", "Rooseveltlaan"],
          [("Buurtbedrijf – fietsenwerkplaats", "eigen_bedrijf", False),
           ("Buurthuis De Dreef", "buurthuis", True)], (10, 24),
          {"street": "Marshalllaan 54", "postcode": "3527 TK", "bank": "ASNB",
           "account": 7093158, "phone": "030-2884410"},
          {"admin": "Youssef Amrani", "supervisor": "Linda Vermeulen",
           "participant": "Hatice Çelik"}),
    Small("de-schakel-zwolle", "Buurtwerkplaats De Schakel", "0193", "Zwolle", "8031",
          "69904271", ["Holtenbroek", "Aa-landen", "Pierik"],
          ["Wilhelminastraat", "Zeven Alleetjes", "Aagje Dekenstraat"],
          [("De Schakel – kringloopwinkel", "eigen_bedrijf", False),
           ("Basisschool De Toekomst", "school", True)], (4, 12),
          {"street": "Wilhelminastraat 12", "postcode": "8031 HB", "bank": "RABO",
           "account": 3301927, "phone": "038-4217755"},
          {"admin": "Henk Bosch", "supervisor": "Esther Nijenhuis",
           "participant": "Wim Kuiper"}),
    Small("bewonersbedrijf-selwerd", "Bewonersbedrijf Selwerd", "0014", "Groningen", "9741",
          "75261093", ["Selwerd", "Paddepoel", "Tuinwijk"],
          ["Eikenlaan", "Iepenlaan", "Pleiadenlaan"],
          [("Wijkrestaurant Selwerd", "eigen_bedrijf", False),
           ("Zorgcentrum Maartenshof", "zorginstelling", True)], (8, 20),
          {"street": "Eikenlaan 286", "postcode": "9741 ES", "bank": "INGB",
           "account": 6648120, "phone": "050-5713320"},
          {"admin": "Jolanda Wierenga", "supervisor": "Bas Hoekstra",
           "participant": "Trijntje Dijkstra"}),
]
ROLE_PREFIX = {"admin": "admin", "supervisor": "begeleider", "participant": "deelnemer"}


def _register(spec: Small) -> None:
    """The small cooperative's place and finances, shaped like the main tenants' (ONS's)."""
    PLACES.setdefault(spec.slug, {
        **PLACES["ons-breda"], "city": spec.city, "postcode": spec.postcode, "cbs": spec.cbs,
        "wijken": spec.wijken, "streets": spec.streets, "hosts": spec.hosts,
        "kinds": [TrajectoryKind.SOCIAL_JOB, TrajectoryKind.VOLUNTEER,
                  TrajectoryKind.LEARNING_WORK, TrajectoryKind.PARTICIPATION_PLACE],
        "hours": spec.hours})
    FINANCE.setdefault(spec.slug, {
        **FINANCE["ons-breda"], **spec.finance,
        "recognition_reference": f"Subsidie participatie gemeente {spec.city} 2026"})


def seed_benchmark(session: Session, make_user: Callable[..., object],
                   add_member: Callable, municipality: Callable) -> None:
    for spec in SMALL:
        _register(spec)
        tenant = tenant_by_slug(session, spec.slug)
        if tenant is None:
            tenant = Tenant(slug=spec.slug, name=spec.name, kind=TenantKind.BEWONERSINITIATIEF,
                            municipality_id=municipality(spec.cbs, spec.city).id,
                            kvk_number=spec.kvk)
            session.add(tenant)
            session.flush()
        with tenant_context(session, tenant.id):
            users = {}
            for role_value, person in spec.people.items():
                user = make_user(f"{ROLE_PREFIX[role_value]}@{spec.slug}.example.org", person,
                                 two_factor=role_value == "admin")
                add_member(tenant, user, Role(role_value))
                users[role_value] = user
            seed_people(session, tenant, users, users["participant"])
            seed_work(session, tenant, users, spec.city)
            seed_money(session, tenant, users, spec.city)
            seed_outflow(session, tenant, users)
            summaries.rebuild(session)
    for slug in (*MAIN, *(s.slug for s in SMALL)):
        tenant = tenant_by_slug(session, slug)
        if tenant is None:
            continue
        row = session.scalar(select(NetworkOrganisation).where(
            NetworkOrganisation.cooperative_id == tenant.id))
        if row is None:
            row = NetworkOrganisation(kind=OrganisationKind.COOPERATIVE,
                                      cooperative_id=tenant.id, name=tenant.name)
            session.add(row)
        if row.left_at is None and row.benchmark_since is None:
            row.benchmark_since = utcnow()
    session.flush()
