"""Seeding one tenant's money demo, step by step."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.budgets import services as budgets
from blueprints.customers.models import Customer
from blueprints.demo.money.courses import _courses
from blueprints.demo.money.customers import _customers, _link_requests, _settings
from blueprints.demo.money.figures import FINANCE
from blueprints.demo.money.invoices import _crew, _year, fund_crew
from blueprints.invoicing.models import Invoice
from blueprints.participants.models import Participant
from tenants import audit
from tenants.actor import Actor
from tenants.models import Tenant, User


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
    fund_crew(session, _crew(session, rng, demo_person), book.corporation)
    invoices = _year(session, admin, rng, spec, book, today)
    _courses(session, admin, coach, rng, spec, city, demo_person, today)
    audit.record(session, admin, "demo.money_seeded", object_type="Tenant", object_id=tenant.id,
                 invoices=invoices)
