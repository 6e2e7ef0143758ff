"""Demo courses bought from the participants' budgets."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from blueprints.budgets import ledger
from blueprints.budgets import services as budgets
from blueprints.budgets.models import Course
from blueprints.demo.money.figures import COURSES
from blueprints.participants.models import Participant, ParticipantStatus
from tenants.errors import DomainError


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
