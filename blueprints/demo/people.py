"""Demo participants, host organisations and trajectories: a living cooperative in each tenant.

Deterministic (a fixed random seed per tenant) and idempotent: a tenant that already has
participants is left alone. Everything goes through the services, so the demo obeys the same
rules as real use and leaves the same audit trail.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.participants import services as participants
from blueprints.participants.models import Benefit, HouseholdType, Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.models import Tenant, User

FIRST = ["Sandra", "Kees", "Fatma", "Yusuf", "Mieke", "Ricardo", "Anouk", "Hamid", "Ineke",
         "Dirk", "Samira", "Wim", "Priya", "Bart", "Naima", "Henk", "Ilse", "Mohamed", "Gerda",
         "Tomasz", "Esra", "Jan", "Lotte", "Abdi", "Marleen", "Sven", "Noura", "Rob"]
LAST = ["Verhoeven", "de Graaf", "Yilmaz", "Demir", "Jansen", "Martina", "Bakker", "Amrani",
        "Smits", "van Dijk", "El Idrissi", "Peters", "Ramdin", "Hendriks", "Bouzid", "Visser",
        "Kuipers", "Benali", "Mulder", "Nowak", "Kaya", "de Boer", "Willems", "Abdullahi",
        "Vermeulen", "Claessens", "Haddou", "Schreurs"]
SKILLS = ["tuin", "klussen", "boodschappen", "schoonmaak", "gezelschap", "koken", "fietsen",
          "schilderen", "computer", "administratie", "sport", "kinderen"]
LANGUAGES = ["Nederlands", "Arabisch", "Turks", "Pools", "Tigrinya", "Engels", "Papiaments"]

PLACES = {
    "ons-breda": {
        "city": "Breda", "postcode": "4824", "cbs": "0758",
        "wijken": ["Geeren-Zuid", "Hoge Vucht", "Heuvel", "Tuinzigt"],
        "streets": ["Dr. Struyckenstraat", "Geerenweg", "Doornboslaan", "Heuvelbrink"],
        "hosts": [("Buurthuis ONS – restaurant", "eigen_bedrijf", False),
                  ("Speeltuin De Geeren", "speeltuin", True),
                  ("Woonzorgcentrum Raffy", "zorginstelling", True),
                  ("Basisschool De Fontein", "school", True)],
        "kinds": [TrajectoryKind.LEARNING_WORK, TrajectoryKind.VOLUNTEER,
                  TrajectoryKind.SOCIAL_JOB, TrajectoryKind.PARTICIPATION_PLACE,
                  TrajectoryKind.COUNTER_PERFORMANCE],
        "hours": (8, 20),
    },
    "kluswinkel-lelystad": {
        "city": "Lelystad", "postcode": "8224", "cbs": "0995",
        "wijken": ["Zuiderzeewijk", "Atolwijk", "Waterwijk", "Boswijk"],
        "streets": ["Zuiderzeestraat", "Fjord", "Schouw", "Boeier"],
        "hosts": [("Kluswinkel Zuiderzeewijk", "eigen_bedrijf", False),
                  ("Buurtteam Buurtconciërges", "eigen_bedrijf", False),
                  ("Welzijn Lelystad – ontmoetingscentrum", "buurthuis", True)],
        "kinds": [TrajectoryKind.SOCIAL_JOB, TrajectoryKind.BASIC_JOB,
                  TrajectoryKind.TRIAL_PLACE, TrajectoryKind.LEARNING_WORK],
        "hours": (12, 32),
    },
    "vrijwilligerscentrale-landgraaf": {
        "city": "Landgraaf", "postcode": "6371", "cbs": "0882",
        "wijken": ["Schaesberg", "Nieuwenhagen", "Ubach over Worms", "Lauradorp"],
        "streets": ["Hoofdstraat", "Kerkstraat", "Streeperstraat", "Wilhelminastraat"],
        "hosts": [("Speeltuin Lauradorp", "speeltuin", True),
                  ("Voetbalvereniging Schaesberg", "sportvereniging", False),
                  ("Jeugdhuis Nieuwenhagen", "jongerenwerk", True),
                  ("Basisschool De Kleine Wereld (klussendienst)", "school", True)],
        "kinds": [TrajectoryKind.SOCIAL_JOB, TrajectoryKind.VOLUNTEER,
                  TrajectoryKind.SHELTERED, TrajectoryKind.DAY_ACTIVITIES],
        "hours": (6, 14),  # Landgraaf: on average 9.8 hours a week
    },
}
GOALS = ["Op tijd beginnen en afmelden bij ziekte", "Zelfstandig een klus plannen",
         "Veilig werken met gereedschap", "Contact maken met bewoners",
         "Nederlands spreken op het werk", "Een werkdag van zes uur volhouden"]
OUTCOMES = [Outcome.PAID_WORK, Outcome.VOLUNTEERING, Outcome.EDUCATION, Outcome.DROPPED_OUT,
            Outcome.VOLUNTEERING, Outcome.PAID_WORK, Outcome.MOVED]


def seed_people(session: Session, tenant: Tenant, staff: dict[str, User],
                participant_user: User | None, today: date | None = None) -> None:
    """Fill one tenant (already set as the current tenant) with its demo cooperative."""
    if session.scalar(select(func.count()).select_from(Participant)):
        return
    today = today or date.today()
    place = PLACES[tenant.slug]
    rng = random.Random(tenant.slug)
    coach = staff["supervisor"]
    actor = Actor(user_id=coach.id, email=coach.email)
    hosts = [participants.create_host(session, actor, participants.HostData(
        name=name, kind=kind, vog_required=vog, insurance_covered=rng.random() < 0.85,
        city=place["city"], contact_name=rng.choice(FIRST) + " " + rng.choice(LAST),
        contact_phone=f"06-{rng.randint(10000000, 99999999)}"))
        for name, kind, vog in place["hosts"]]
    names = rng.sample(range(len(FIRST)), 16)
    second_coach = staff.get("jobcoach")
    for n, index in enumerate(names):
        first_name, last_name = FIRST[index], LAST[(index * 7 + n) % len(LAST)]
        if n == 0 and participant_user is not None:
            # the participant the demo account is linked to carries the account's name (mails
            # to the account greet the person the pages show)
            first_name, _sep, last_name = participant_user.name.partition(" ")
        supervisor = second_coach if second_coach is not None and n in SECOND_COACH else coach
        born = date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28))
        vog = rng.random() < 0.6
        vog_date = today - timedelta(days=rng.randint(60, 1300)) if vog else None
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name=first_name, last_name=last_name,
            email=None if n % 3 == 0 else f"{first_name.lower()}.{n}@voorbeeld.example.org",
            phone=f"06-{rng.randint(10000000, 99999999)}",
            street=f"{rng.choice(place['streets'])} {rng.randint(1, 140)}",
            postcode=f"{place['postcode']} {rng.choice('ABCDEFGHJKLMN')}{rng.choice('ABCDEFGHJKLMN')}",
            city=place["city"], neighbourhood=rng.choice(place["wijken"]), date_of_birth=born,
            household_type=rng.choice(list(HouseholdType)),
            is_refugee_permit_holder=rng.random() < 0.2, has_work_limitation=rng.random() < 0.2,
            benefit=_benefit(n, rng.choice([Benefit.BIJSTAND] * 5 + [Benefit.WW, Benefit.WAJONG]),
                             random.Random(f"benefit-{tenant.slug}-{n}")),
            paying_municipality_code=place["cbs"], skills=rng.sample(SKILLS, 3),
            languages=["Nederlands"] + rng.sample(LANGUAGES[1:], rng.randint(0, 1)),
            available_hours=rng.choice([8, 12, 16, 20, 24]),
            available_days=rng.sample(["ma", "di", "wo", "do", "vr"], 3),
            vog_present=vog, vog_date=vog_date, supervisor_id=supervisor.id,
            emergency_name=rng.choice(FIRST) + " " + rng.choice(LAST), emergency_relation="partner",
            emergency_phone=f"06-{rng.randint(10000000, 99999999)}"), today=today)
        if n == 0 and participant_user is not None:
            participants.link_account(session, Actor(user_id=staff["admin"].id,
                                                     email=staff["admin"].email),
                                      person, participant_user.id)
        if n % 8 == 7:
            continue  # still in intake: no trajectory yet
        _trajectory(session, actor, person, rng, place, hosts, today, ended=n in (3, 5, 9, 11, 13),
                    paused=n == 6, outcome=OUTCOMES[n % len(OUTCOMES)], coach=supervisor, n=n)
        if n == 2:
            participants.add_exemption(session, actor, person, "9a", ["a", "c"],
                                       today - timedelta(days=200), today + timedelta(days=700),
                                       today + timedelta(days=160), f"gemeente {place['city']}")
        if n % 4 == 1:
            participants.give_consent(session, actor, person, "municipality_progress",
                                      f"gemeente {place['city']}", today - timedelta(days=90),
                                      today=today)


#: Demo participants (by their number in the tenant) whose running trajectory is past its
#: planned end on purpose, ends within a month, or has no evaluation planned: the action list
#: on the start page then has something to show. All other running trajectories run into the
#: future.
EXPIRED_ON_PURPOSE = (4, 10)
#: Demo participants coached by the job coach who works for two cooperatives (where she is a
#: member: Lelystad and Landgraaf), so that she has people in both.
SECOND_COACH = (2, 6, 10, 14)
ENDING_SOON = (1,)
NO_EVALUATION_PLANNED = (12,)


def _benefit(n, drawn, rng):
    """Some demo people get the benefits beyond bijstand, WW and Wajong (drawn from their own
    generator, so that the rest of the demo stays as it was); number 2 keeps bijstand: it has
    a Participatiewet exemption."""
    if n == 2:
        return Benefit.BIJSTAND
    if drawn == Benefit.BIJSTAND and rng.random() < 0.3:
        return rng.choice([Benefit.IOAW, Benefit.BBZ, Benefit.IOAZ])
    if drawn == Benefit.WW and rng.random() < 0.5:
        return rng.choice([Benefit.WIA, Benefit.ZW, Benefit.ANW])
    return drawn


def _planned_end(n, kind, starts, today, rng, ended):
    if kind == TrajectoryKind.TRIAL_PLACE:
        return starts + timedelta(days=60)
    if ended:
        return starts + timedelta(days=182)
    if n in EXPIRED_ON_PURPOSE:
        return today - timedelta(days=rng.randint(10, 45))
    if n in ENDING_SOON:
        return today + timedelta(days=rng.randint(10, 25))
    return today + timedelta(days=rng.randint(60, 320))


def _trajectory(session, actor, person, rng, place, hosts, today, *, ended, paused, outcome,
                coach, n=0):
    kind = rng.choice(place["kinds"])
    starts = today - timedelta(days=rng.randint(60, 420) + (200 if ended else 0))
    # the planned ends come from their own generator: the rest of the demo stays as it was
    plan = random.Random(f"plan-{place['city']}-{n}")
    drawn_start = starts
    if kind == TrajectoryKind.TRIAL_PLACE and not ended:
        starts = today - timedelta(days=plan.randint(40, 55))  # reaching its two months
    low, high = place["hours"]
    hours = rng.randint(low, high)
    host = rng.choice(hosts)
    trajectory = trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
        kind=kind, starts_on=starts, hours_per_week=str(hours),
        funding=rng.choice(list(Funding)),
        planned_end_on=_planned_end(n, kind, starts, today, plan, ended),
        host_organisation_id=host.id, host_supervisor_name=host.contact_name,
        host_supervisor_contact=host.contact_phone, job_coach_id=coach.id))
    trajectory.agreement_signed_on = starts - timedelta(days=3)
    trajectories.change_status(session, actor, trajectory, TrajectoryStatus.ACTIVE)
    for title in rng.sample(GOALS, 2):
        goal = trajectories.add_goal(session, actor, trajectory, title, None, rng.randint(1, 3))
        trajectories.add_goal_note(session, actor, goal, "Goede voortgang besproken in het "
                                   "werkoverleg.", level=min(5, goal.level + 1), today=today)
    # `rng` is drawn from in the same order and number as before the evaluations were planned
    # by kind, so that the rest of the demo (hours, invoices) stays as it was
    step = rng.randint(2, 4) if drawn_start + timedelta(days=90) < today else plan.randint(2, 4)
    end_on = None
    if ended:
        end_on = min(today - timedelta(days=rng.randint(5, 120)), starts + timedelta(days=300))
        end_on = max(end_on, starts + timedelta(days=30))
    # the first evaluation was planned by kind when the trajectory was made: held if it is due
    # (held early for the one that is left without a next evaluation on purpose)
    first = trajectories.evaluations_of(session, trajectory)[0]
    held_on = first.planned_on if n not in NO_EVALUATION_PLANNED or ended else min(
        first.planned_on, today - timedelta(days=7))
    if held_on < (end_on or today):
        trajectories.record_evaluation(session, actor, trajectory, first.id, held_on,
                                       step, "Eerste evaluatie: gaat naar wens.", today=today)
    if ended:
        if outcome == Outcome.PAID_WORK:
            trajectories.end_trajectory(session, actor, trajectory, outcome, end_on,
                                        str(rng.choice([16, 24, 32])), "tijdelijk contract")
        else:
            trajectories.end_trajectory(session, actor, trajectory, outcome, end_on)
        return
    next_in = rng.choice([-4, 5, 12, 40])
    if first.held_on is not None and n not in NO_EVALUATION_PLANNED:
        trajectories.plan_evaluation(session, actor, trajectory, today + timedelta(days=next_in))
    if paused:
        trajectories.change_status(session, actor, trajectory, TrajectoryStatus.PAUSED,
                                   "Tijdelijk gestopt wegens mantelzorg")
