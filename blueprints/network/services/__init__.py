"""The network's rules: members and member organisations, meetings, registrations and the
waiting list.

Rules:
- only network members reach the network; only a network admin publishes meetings, invites and
  removes members; the network always keeps one admin;
- an invitation is for one e-mail, expires, is used once; inviting again replaces it;
- a cooperative joins and leaves by its own admin; a municipality is added by the network admin;
- registration is open to members of a published meeting until its deadline; one active
  registration per e-mail per meeting;
- every change to a meeting's places runs with the meeting's row locked, so places are handed
  out in arrival order and never twice: a person gets a place only when nobody waits and a
  place is free; otherwise they join the waiting list at the end;
- a freed place (a cancellation, a raised capacity, a lapsed offer) is offered to the first
  person waiting, for `offer_hours`; unanswered, the offer lapses and passes on (once);
- the organiser may reorder the waiting list; capacity may not drop below the places taken.
"""
from __future__ import annotations

from blueprints.network.services.mails import (
    MAIL_SUBJECTS,
    calendar_file,
    registration_by_token,
    registration_token,
)
from blueprints.network.services.meetings import (
    Counts,
    MeetingData,
    add_session,
    counts,
    create_meeting,
    get_meeting,
    meeting_counts,
    meetings,
    own_registrations,
    publish_meeting,
    registrations,
    remove_session,
)
from blueprints.network.services.members import (
    accept_invitation,
    invite,
    members,
    membership_of,
    open_invitation,
    open_invitations,
    remove_member,
    require_admin,
    revoke_invitation,
)
from blueprints.network.services.organisations import (
    add_municipality,
    cooperative_membership,
    join_network,
    leave_network,
    organisations,
    remove_organisation,
)
from blueprints.network.services.places import (
    Person,
    accept_offer,
    accept_own_offer,
    cancel,
    cancel_own,
    check_in,
    lapse_offers,
    move_waiting,
    register,
    send_reminders,
    set_capacity,
)

__all__ = [
    "Counts",
    "MAIL_SUBJECTS",
    "MeetingData",
    "Person",
    "accept_invitation",
    "accept_offer",
    "accept_own_offer",
    "add_municipality",
    "add_session",
    "calendar_file",
    "cancel",
    "cancel_own",
    "check_in",
    "cooperative_membership",
    "counts",
    "create_meeting",
    "get_meeting",
    "invite",
    "join_network",
    "lapse_offers",
    "leave_network",
    "meeting_counts",
    "meetings",
    "members",
    "membership_of",
    "move_waiting",
    "open_invitation",
    "open_invitations",
    "organisations",
    "own_registrations",
    "publish_meeting",
    "register",
    "registration_by_token",
    "registration_token",
    "registrations",
    "remove_member",
    "remove_organisation",
    "remove_session",
    "require_admin",
    "revoke_invitation",
    "send_reminders",
    "set_capacity",
]
