"""`flask --app app seed-demo`: the demo described in DESIGN.md's interface contract.

Three tenants (ons-breda, kluswinkel-lelystad, vrijwilligerscentrale-landgraaf), their
municipalities, the network, and the demo accounts with password `wijkwerk-demo`. Accounts that
must use two-factor have it enrolled with the TOTP secret below. Idempotent: running it twice
changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from blueprints.billing.demo import seed_subscriptions
from blueprints.demo.benchmark import seed_benchmark
from blueprints.demo.history import seed_history
from blueprints.demo.money import seed_money
from blueprints.demo.network import seed_network
from blueprints.demo.outflow import seed_outflow
from blueprints.demo.people import seed_people
from blueprints.demo.work import seed_work
from blueprints.municipality.demo import seed_progress_shares, seed_report_shares
from blueprints.knowledge.demo import seed_knowledge
from blueprints.reports import summaries
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.extensions import db
from tenants.identity import hash_password, normalize_email
from tenants.membership import municipality_by_code, tenant_by_slug
from tenants.models import (
    Membership,
    MunicipalRole,
    Municipality,
    MunicipalityMembership,
    NetworkMembership,
    Role,
    Tenant,
    TenantKind,
    User,
)
from tenants.tenancy import tenant_context

DEMO_PASSWORD = "wijkwerk-demo"
DEMO_TOTP_SECRET = "WIJKWERKDEMOWIJKWERKDEMOWIJKWERK"
MUNICIPALITIES = {"0758": "Breda", "0995": "Lelystad", "0882": "Landgraaf"}


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    kind: TenantKind
    cbs_code: str
    kvk: str
    people: dict[str, str]  # role -> name


TENANTS = [
    DemoTenant("ons-breda", "Bewonerscoöperatie ONS Geeren-Zuid", TenantKind.BEWONERSINITIATIEF,
               "0758", "62841975",
               {"admin": "Marieke van den Broek", "supervisor": "Ahmed El Khatib",
                "participant": "Sandra Verhoeven"}),
    DemoTenant("kluswinkel-lelystad", "Kluswinkel Lelystad Zuiderzeewijk",
               TenantKind.GEMEENTELIJK_PROJECT, "0995", "39812264",
               {"admin": "Jeroen Bakker", "supervisor": "Fatima Ouali",
                "participant": "Kees de Graaf"}),
    DemoTenant("vrijwilligerscentrale-landgraaf", "Vrijwilligerscentrale Landgraaf",
               TenantKind.LEERWERKBEDRIJF, "0882", "14093317",
               {"admin": "Anja Schrijnemakers", "supervisor": "Ruud Hermans",
                "participant": "Yusuf Demir"}),
]
ROLE_PREFIX = {"admin": "admin", "supervisor": "begeleider", "participant": "deelnemer"}
#: The job coach who works for two cooperatives (shows the tenant switch), with people in both.
JOB_COACH = ("jobcoach@regio.example.org", "Lotte Janssen")
JOB_COACH_TENANTS = ("kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf")
MUNICIPALITY_USERS = {"0758": "Ilse Mertens", "0995": "Wouter Smit", "0882": "Nicole Custers"}


def _user(email: str, name: str, *, two_factor: bool = False, operator: bool = False) -> User:
    email = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD),
                    is_platform_operator=operator)
        if two_factor:
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled_at = utcnow()
        db.session.add(user)
        db.session.flush()
    return user


def _municipality(code: str, name: str) -> Municipality:
    municipality = municipality_by_code(db.session, code)
    if municipality is None:
        municipality = Municipality(cbs_code=code, name=name)
        db.session.add(municipality)
        db.session.flush()
    return municipality


def _member(tenant: Tenant, user: User, role: Role) -> None:
    exists = db.session.scalar(select(Membership).where(
        Membership.tenant_id == tenant.id, Membership.user_id == user.id))
    if exists is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
        db.session.add(membership)
        db.session.flush()
        audit.record(db.session, Actor.system("seed-demo"), "membership.created", membership,
                     email=user.email, role=role.value)


def _in_tenant(add_member):
    """A membership helper that sets the tenant first (for seeds outside this module)."""
    def add(tenant: Tenant, user: User, role: Role) -> None:
        with tenant_context(db.session, tenant.id):
            add_member(tenant, user, role)
    return add


def seed() -> None:
    municipalities = {code: _municipality(code, name) for code, name in MUNICIPALITIES.items()}
    coach = _user(*JOB_COACH)
    for spec in TENANTS:
        tenant = tenant_by_slug(db.session, spec.slug)
        if tenant is None:
            tenant = Tenant(slug=spec.slug, name=spec.name, kind=spec.kind,
                            municipality_id=municipalities[spec.cbs_code].id,
                            kvk_number=spec.kvk)
            db.session.add(tenant)
            db.session.flush()
        with tenant_context(db.session, tenant.id):
            users = {}
            for role_value, person in spec.people.items():
                role = Role(role_value)
                user = _user(f"{ROLE_PREFIX[role_value]}@{spec.slug}.example.org", person,
                             two_factor=role == Role.ADMIN)
                _member(tenant, user, role)
                users[role_value] = user
            if spec.slug in JOB_COACH_TENANTS:  # a member before the people she coaches
                _member(tenant, coach, Role.SUPERVISOR)
                users["jobcoach"] = coach
            seed_people(db.session, tenant, users, users["participant"])
            seed_work(db.session, tenant, users, MUNICIPALITIES[spec.cbs_code])
            seed_progress_shares(db.session, tenant, users["admin"])
            seed_outflow(db.session, tenant, users)
            seed_history(db.session, tenant, users)
            # after the history: its invoices come first in the numbering (date order)
            seed_money(db.session, tenant, users, MUNICIPALITIES[spec.cbs_code])
            # The demo writes history straight to the tables (no events): count it once.
            summaries.rebuild(db.session)
    for code, person in MUNICIPALITY_USERS.items():
        city = MUNICIPALITIES[code].lower()
        user = _user(f"gemeente@{city}.example.org", person, two_factor=True)
        municipality = municipalities[code]
        if db.session.scalar(select(MunicipalityMembership).where(
                MunicipalityMembership.user_id == user.id,
                MunicipalityMembership.municipality_id == municipality.id)) is None:
            # a consulent: sees the shared totals and the progress of consented clients
            db.session.add(MunicipalityMembership(user_id=user.id, municipality_id=municipality.id,
                                                  role=MunicipalRole.CONSULENT))
    network_user = _user("netwerk@lsa.example.org", "Henk Postma")
    if db.session.scalar(select(NetworkMembership).where(
            NetworkMembership.user_id == network_user.id)) is None:
        db.session.add(NetworkMembership(user_id=network_user.id,
                                         organisation="LSA bewoners"))
    seed_network(db.session, network_user, _user)
    seed_benchmark(db.session, _user, _member, _municipality)
    _user("beheer@wijkwerk.example.org", "Platformbeheer Wijkwerk", two_factor=True,
          operator=True)
    seed_report_shares(db.session)
    seed_knowledge(db.session, DEMO_PASSWORD)
    seed_subscriptions(db.session, _user, _in_tenant(_member))
    db.session.flush()


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Fill the database with the demo tenants and accounts (idempotent)."""
    seed()
    db.session.commit()
    click.echo("Demo data ready: log in as admin@ons-breda.example.org / wijkwerk-demo "
               f"(two-factor secret {DEMO_TOTP_SECRET}).")
