"""The shapes of participants and their trajectories in the API."""
from __future__ import annotations

from marshmallow import fields

from blueprints.api.fields import (
    Answer,
    Choice,
    Id,
    Items,
    values_of,
)
from blueprints.api.schemas.common import Moment, Pagination, Reference, nullable_text_field
from blueprints.participants.models import Benefit, ParticipantStatus
from blueprints.participants.services import CONSENT_KINDS, DAYS, TARGET_GROUPS
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus

# --- answers: participants -----------------------------------------------------------------------

def target_groups_field() -> fields.List:
    return Items(fields.String(validate=values_of(TARGET_GROUPS)))


class ParticipantSummary(Answer):
    id = Id()
    first_name = fields.String()
    last_name = fields.String()
    status = Choice(ParticipantStatus)
    neighbourhood = fields.Nested(Reference, allow_none=True)
    supervisor = fields.Nested(Reference, allow_none=True)
    target_groups = target_groups_field()


class ParticipantList(Answer):
    data = fields.List(fields.Nested(ParticipantSummary))
    meta = fields.Nested(Pagination)


class Exemption(Answer):
    """Een ontheffing zoals de gemeente die besloot."""

    id = Id()
    article = fields.String(metadata={"examples": ["9-2", "9-5", "9a"]})
    obligations = Items(fields.String(validate=values_of(["a", "b", "c"])))
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    review_on = fields.Date(allow_none=True)
    decided_by = nullable_text_field()


class Consent(Answer):
    id = Id()
    kind = fields.String(validate=values_of(CONSENT_KINDS))
    recipient = nullable_text_field()
    given_on = fields.Date()
    withdrawn_on = fields.Date(allow_none=True)


class Address(Answer):
    street = nullable_text_field()
    postcode = nullable_text_field()
    city = nullable_text_field()


class EmergencyContact(Answer):
    name = nullable_text_field(attribute="emergency_name")
    relation = nullable_text_field(attribute="emergency_relation")
    phone = nullable_text_field(attribute="emergency_phone")


class Availability(Answer):
    hours_per_week = fields.Integer(allow_none=True, attribute="available_hours")
    days = Items(fields.String(validate=values_of(DAYS)), attribute="available_days")


class Vog(Answer):
    present = fields.Boolean(attribute="vog_present")
    date = fields.Date(allow_none=True, attribute="vog_date")
    renewal_due = fields.Date(allow_none=True, attribute="vog_renewal_due")


class PayingMunicipality(Answer):
    cbs_code = fields.String()
    name = fields.String()


class Participant(Answer):
    """Het dossier van een deelnemer, zoals de pagina het toont. Er is geen BSN."""

    id = Id()
    first_name = fields.String()
    last_name = fields.String()
    status = Choice(ParticipantStatus)
    date_of_birth = fields.Date(allow_none=True)
    age = fields.Integer(allow_none=True)
    address = fields.Nested(Address)
    neighbourhood = fields.Nested(Reference, allow_none=True)
    phone = nullable_text_field()
    email = nullable_text_field()
    target_groups = target_groups_field()
    supervisor = fields.Nested(Reference, allow_none=True)
    emergency_contact = fields.Nested(EmergencyContact)
    skills = Items(fields.String())
    languages = Items(fields.String())
    availability = fields.Nested(Availability)
    vog = fields.Nested(Vog)
    benefit = Choice(Benefit)
    paying_municipality = fields.Nested(PayingMunicipality, allow_none=True)
    notes = nullable_text_field()
    has_account = fields.Boolean()
    exemptions = fields.List(fields.Nested(Exemption))
    consents = fields.List(fields.Nested(Consent))
    created_at = Moment()


class ParticipantFile(Answer):
    data = fields.Nested(Participant)


class BuildUpStep(Answer):
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    hours = fields.Float()


class Trajectory(Answer):
    id = Id()
    kind = Choice(TrajectoryKind)
    status = Choice(TrajectoryStatus)
    funding = Choice(Funding)
    starts_on = fields.Date()
    planned_end_on = fields.Date(allow_none=True)
    hours_per_week = fields.Float()
    build_up = Items(fields.Nested(BuildUpStep))
    host_organisation = fields.Nested(Reference, allow_none=True)
    job_coach = fields.Nested(Reference, allow_none=True)
    agreement_signed_on = fields.Date(allow_none=True)
    outcome = Choice(Outcome, allow_none=True)
    outcome_on = fields.Date(allow_none=True)
    created_at = Moment()


class TrajectoryList(Answer):
    data = fields.List(fields.Nested(Trajectory))
