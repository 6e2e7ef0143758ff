"""Participants (deelnemers), host organisations, neighbourhoods, exemptions and consents.

No BSN, ever: the platform has no legal ground to store it (UAVG art. 46, Pw art. 68).
An exemption (ontheffing) is recorded as the municipality decided it, never decided here.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.models import _enum


class HouseholdType(str, enum.Enum):
    #: alleenstaand
    SINGLE = "alleenstaand"
    #: alleenstaande ouder
    SINGLE_PARENT = "alleenstaande_ouder"
    #: gehuwd of samenwonend
    COUPLE = "samenwonend"
    #: woont in bij ouders of anderen
    LODGER = "inwonend"


class Benefit(str, enum.Enum):
    #: Participatiewet (bijstand)
    BIJSTAND = "bijstand"
    #: IOAW: oudere en gedeeltelijk arbeidsongeschikte werkloze werknemers (own law)
    IOAW = "ioaw"
    #: IOAZ: oudere en gedeeltelijk arbeidsongeschikte gewezen zelfstandigen (own law)
    IOAZ = "ioaz"
    #: Bbz 2004: bijstand for self-employed people, a decree under the Participatiewet
    BBZ = "bbz"
    #: Werkloosheidswet
    WW = "ww"
    #: Wajong
    WAJONG = "wajong"
    #: WIA (WGA or IVA)
    WIA = "wia"
    #: Ziektewet
    ZW = "zw"
    #: Algemene nabestaandenwet
    ANW = "anw"
    #: geen uitkering
    NONE = "geen"


#: Benefits granted under the Participatiewet, whose recipients have the obligations of
#: Pw art. 9 and can be exempted from them (art. 9 lid 2, 9 lid 5, 9a): general bijstand and
#: Bbz (bijstand for the self-employed, a decree under the Pw). IOAW and IOAZ are laws of their
#: own with their own obligations, so a Participatiewet exemption is not recorded for them.
PARTICIPATIEWET_BENEFITS = frozenset({Benefit.BIJSTAND, Benefit.BBZ})


class ParticipantStatus(str, enum.Enum):
    #: registered, no trajectory running yet
    INTAKE = "intake"
    #: at least one active trajectory
    ACTIVE = "actief"
    #: trajectory paused
    PAUSED = "gepauzeerd"
    #: all trajectories ended
    ENDED = "afgerond"
    #: personal data erased; a pseudonym remains
    ANONYMISED = "geanonimiseerd"


class IntegrationRoute(str, enum.Enum):
    #: Wet inburgering 2021: B1-route
    B1 = "b1"
    #: onderwijsroute
    EDUCATION = "onderwijs"
    #: zelfredzaamheidsroute (Z-route)
    Z = "z"


#: Dutch surname prefixes (tussenvoegsels): "de Boer" is sorted under B.
TUSSENVOEGSELS = frozenset({
    "van", "de", "der", "den", "het", "'t", "’t", "te", "ten", "ter", "in", "op", "aan", "bij",
    "uit", "onder", "over", "voor", "la", "le", "les", "du", "da", "di", "del", "della", "dos",
    "das", "do", "von", "vom", "zu", "zum", "zur", "d'", "l'", "v.d.", "vd", "v/d", "el", "al",
})


def surname_sort_key(last_name: str | None) -> str:
    """The last name without its leading tussenvoegsels, case-folded: "van der Berg" -> "berg",
    "de Boer" -> "boer". A name of prefixes only stays as it is."""
    words = (last_name or "").split()
    i = 0
    while i < len(words) - 1 and words[i].casefold() in TUSSENVOEGSELS:
        i += 1
    return " ".join(words[i:]).casefold()[:120]


def _sort_name_default(context) -> str:
    return surname_sort_key(context.get_current_parameters().get("last_name"))


class Neighbourhood(TenantScoped, Base):
    """A wijk the cooperative works in."""

    __tablename__ = "neighbourhoods"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(80))


class HostOrganisation(TenantScoped, Base):
    """An inzetorganisatie: where participants work when it is not the cooperative itself."""

    __tablename__ = "host_organisations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        tenant_fk("payer_customer_id", "customers.id"),
    )

    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    street: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    vog_required: Mapped[bool] = mapped_column(default=False)
    insurance_covered: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    #: the customer work here is funded by: who pays for hours of trajectories placed here
    #: that neither a help request's customer nor the trajectory's own funder pays
    #: (blueprints.hours.services.payer). None: not billed to anyone.
    payer_customer_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(TenantScoped, Base):
    """A person on (or without) a benefit who works in the neighbourhood."""

    __tablename__ = "participants"
    __table_args__ = (
        tenant_fk("neighbourhood_id", "neighbourhoods.id"),
        Index("ix_participants_tenant_status", "tenant_id", "status"),
        Index("ix_participants_tenant_name", "tenant_id", "last_name", "first_name"),
        Index("ix_participants_tenant_sort_name", "tenant_id", "sort_name", "first_name"),
    )

    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120))
    #: the last name without tussenvoegsels, case-folded: what lists sort by (set with last_name;
    #: the default covers a Core insert that does not name it)
    sort_name: Mapped[str] = mapped_column(String(120), default=_sort_name_default)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    street: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    neighbourhood_id: Mapped[int | None]
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    household_type: Mapped[HouseholdType | None] = mapped_column(
        _enum(HouseholdType, "household_type"))
    is_refugee_permit_holder: Mapped[bool] = mapped_column(default=False)  # statushouder
    integration_route: Mapped[IntegrationRoute | None] = mapped_column(
        _enum(IntegrationRoute, "integration_route"))
    has_work_limitation: Mapped[bool] = mapped_column(default=False)  # arbeidsbeperking
    benefit: Mapped[Benefit] = mapped_column(_enum(Benefit, "benefit"), default=Benefit.BIJSTAND)
    paying_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    skills: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    available_hours: Mapped[int | None]
    available_days: Mapped[list] = mapped_column(JSON, default=list)
    vog_present: Mapped[bool] = mapped_column(default=False)
    vog_date: Mapped[date | None] = mapped_column(Date)
    vog_renewal_due: Mapped[date | None] = mapped_column(Date)
    emergency_name: Mapped[str | None] = mapped_column(String(120))
    emergency_phone: Mapped[str | None] = mapped_column(String(30))
    emergency_relation: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ParticipantStatus] = mapped_column(
        _enum(ParticipantStatus, "participant_status"), default=ParticipantStatus.INTAKE)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[datetime | None]

    @validates("last_name")
    def _set_sort_name(self, _key, value):
        self.sort_name = surname_sort_key(value)
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Exemption(TenantScoped, Base):
    """An ontheffing as the municipality decided it (Pw art. 9 lid 2, 9 lid 5, 9a)."""

    __tablename__ = "exemptions"
    __table_args__ = (tenant_fk("participant_id", "participants.id", ondelete="CASCADE"),)

    participant_id: Mapped[int]
    article: Mapped[str] = mapped_column(String(12))
    obligations: Mapped[list] = mapped_column(JSON, default=list)  # ["a", "c"]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(TenantScoped, Base):
    """What a participant agreed to share with whom; given and withdrawn with dates."""

    __tablename__ = "consents"
    __table_args__ = (tenant_fk("participant_id", "participants.id", ondelete="CASCADE"),)

    participant_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))  # municipality_progress, photo, benchmark
    recipient: Mapped[str | None] = mapped_column(String(150))
    given_on: Mapped[date] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None
