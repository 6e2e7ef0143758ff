"""The network's demo: the network admin, members from cooperatives and municipalities, member
organisations, and "Werk in de wijk 2027", full (40/40) with six people waiting."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.network.models import (
    Meeting,
    MeetingSession,
    NetworkOrganisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
)
from tenants.membership import municipality_by_code, tenant_by_slug
from tenants.models import NetworkMembership, NetworkRole, User

TITLE = "Werk in de wijk 2027"

#: demo network members besides the admin: e-mail, name, organisation
MEMBERS = [
    ("ingrid@tluukske.example.org", "Ingrid Hermans", "'t Luukske, Wellerlooi"),
    ("bart@bredeschool-delfzijl.example.org", "Bart Wouters", "Brede School Delfzijl-Noord"),
    ("y.degraaf@amersfoort.example.nl", "Yvonne de Graaf", "Gemeente Amersfoort"),
]

FIRST = ["Anouk", "Bram", "Carla", "Daan", "Esra", "Freek", "Gerda", "Hamza", "Iris", "Jan",
         "Karin", "Luuk", "Marloes", "Nadia", "Omar", "Petra", "Quinten", "Rianne", "Sven",
         "Tamara", "Ufuk", "Vera", "Willem", "Yara", "Zeynep", "Ruud", "Sanne", "Kees",
         "Lieke", "Mehmet", "Noor", "Pieter", "Roos", "Thijs", "Wendy", "Ayoub", "Bea",
         "Cor", "Dewi", "Eline", "Gijs", "Hanneke", "Joost", "Mirjam", "Rob", "Tineke"]
LAST = ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
        "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yılmaz", "Kaya", "El Amrani", "Bouzid"]
ORGANISATIONS = ["Bewonerscoöperatie ONS Geeren-Zuid", "'t Luukske, Wellerlooi",
                 "Brede School Delfzijl-Noord", "Stadslab033", "Gemeente Amersfoort",
                 "Kluswinkel Lelystad Zuiderzeewijk", "Vrijwilligerscentrale Landgraaf",
                 "Buurtbedrijf Kanaleneiland", "Gemeente Breda"]
DIETS = ["", "", "", "vegetarisch", "", "halal", "", "glutenvrij", "", "veganistisch"]

PROGRAMME = [
    (time(13, 0), time(13, 30), "Ontvangst en opening door LSA en Stadslab033", "Grote zaal"),
    (time(13, 30), time(14, 15),
     "Begeleiding door vrijwilligers in een leer-werktraject: kan dat?", "Zaal 1"),
    (time(13, 30), time(14, 15), "Verantwoordelijkheid en aansprakelijkheid", "Zaal 2"),
    (time(14, 30), time(15, 15), "Van leerwerkbedrijf naar vast vrijwilligerswerk", "Zaal 1"),
    (time(14, 30), time(15, 15), "Ondernemen vanuit een uitkering en ontheffing arbeidsplicht",
     "Zaal 2"),
    (time(15, 30), time(16, 15), "Betaald krijgen als erkend leerwerkbedrijf", "Grote zaal"),
    (time(16, 15), time(17, 0), "Borrel: met en van elkaar leren", "Foyer"),
]


def seed_network(session: Session, admin: User, make_user: Callable[[str, str], User]) -> None:
    """Idempotent: the admin's role, members, member organisations and the full meeting."""
    admin_row = session.scalar(select(NetworkMembership).where(
        NetworkMembership.user_id == admin.id))
    admin_row.role = NetworkRole.ADMIN
    for email, name, organisation in MEMBERS:
        user = make_user(email, name)
        if session.scalar(select(NetworkMembership).where(
                NetworkMembership.user_id == user.id)) is None:
            session.add(NetworkMembership(user_id=user.id, role=NetworkRole.MEMBER,
                                          organisation=organisation))
    ons = tenant_by_slug(session, "ons-breda")
    if ons is not None and session.scalar(select(NetworkOrganisation).where(
            NetworkOrganisation.cooperative_id == ons.id)) is None:
        session.add(NetworkOrganisation(kind=OrganisationKind.COOPERATIVE,
                                        cooperative_id=ons.id, name=ons.name))
    for code in ("0307", "0758"):
        municipality = municipality_by_code(session, code)
        if municipality is not None and session.scalar(select(NetworkOrganisation).where(
                NetworkOrganisation.municipality_id == municipality.id)) is None:
            session.add(NetworkOrganisation(kind=OrganisationKind.MUNICIPALITY,
                                            municipality_id=municipality.id,
                                            name=f"Gemeente {municipality.name}"))
    session.flush()
    if session.scalar(select(Meeting.id).where(Meeting.title == TITLE)) is None:
        _meeting(session, admin)


def _meeting(session: Session, admin: User) -> None:
    opened = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    meeting = Meeting(
        title=TITLE, day=date(2027, 10, 7), starts_at=time(13, 0), ends_at=time(17, 0),
        place="Stadslab033, Amersfoort",
        description=("Bewonersinitiatieven en gemeenten leren met en van elkaar over werk in de "
                     "wijk: begeleiding, aansprakelijkheid, uitkering en regels, ontheffing, "
                     "ondernemen vanuit een uitkering en financiering."),
        capacity=40, registration_deadline=date(2027, 9, 30), offer_hours=48,
        published_at=opened, created_at=opened)
    session.add(meeting)
    session.flush()
    for starts, ends, title, room in PROGRAMME:
        session.add(MeetingSession(meeting_id=meeting.id, starts_at=starts, ends_at=ends,
                                   title=title, room=room))
    members = {email: name for email, name, _org in MEMBERS}
    people = [(members["ingrid@tluukske.example.org"], "ingrid@tluukske.example.org",
               "'t Luukske, Wellerlooi", "vegetarisch", "")]
    for i in range(45):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        email = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = email.replace("ı", "i") + f"@{'deelnemer' if i % 3 else 'gemeente'}.example.org"
        people.append((f"{first} {last}", email, ORGANISATIONS[i % len(ORGANISATIONS)],
                       DIETS[i % len(DIETS)], "rolstoelplek" if i % 17 == 5 else ""))
    # Bart Wouters waits first in line: the demo account shows the waiting list
    people.insert(40, (members["bart@bredeschool-delfzijl.example.org"],
                       "bart@bredeschool-delfzijl.example.org", "Brede School Delfzijl-Noord",
                       "", ""))
    for position, (name, email, organisation, diet, access) in enumerate(people[:46], 1):
        at = opened + timedelta(hours=5 * position)
        confirmed = position <= 40
        session.add(Registration(
            meeting_id=meeting.id, registered_by_id=None,
            name=name, email=email, organisation=organisation, dietary=diet or None,
            accessibility=access or None,
            status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITING,
            position=position, created_at=at, confirmed_at=at if confirmed else None))
    session.flush()
