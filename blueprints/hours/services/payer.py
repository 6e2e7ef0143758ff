"""Who pays for an hour: its payer, derived from what the hour was worked for.

An approved hour is billed to one customer at most, its payer:

1. the customer of the help request (klus) it was worked on: a job is paid by whom it is for;
2. else the customer the entry's trajectory is funded by (`Trajectory.payer_customer_id`):
   a contract for one participant's trajectory (a housing corporation paying for a
   participant's work in its buildings) outranks the place where the work is done;
3. else the customer its trajectory's host organisation is funded by
   (`HostOrganisation.payer_customer_id`): everyone placed there is paid for by that customer;
4. else nobody: the hour has no payer. It is offered on no invoice by itself; an admin may
   still tick it on a draft for any customer, by hand.

A help request without a customer (a resident not registered as one) does not stop the
search: its hours fall through to 2 and 3. The payer is never stored on the entry: changing a
funder changes who pays for the hours not yet billed, and billed hours stay on their invoice
(an entry is billed once, blueprints.invoicing). An hour whose payer is another customer is
never offered on a draft, and refused when a forged form sends it anyway.
"""
from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from blueprints.helprequests.models import HelpRequest
from blueprints.hours.models import TimeEntry
from blueprints.participants.models import HostOrganisation
from blueprints.trajectories.models import Trajectory

#: The payer of a TimeEntry, as SQL: usable in a statement that `join_payer` joined.
PAYER = func.coalesce(HelpRequest.customer_id, Trajectory.payer_customer_id,
                      HostOrganisation.payer_customer_id)


def join_payer(stmt):
    """Outer-join onto `stmt` (which selects from TimeEntry) what decides each entry's payer:
    its help request, its trajectory and that trajectory's host organisation. After this, the
    statement may select or filter on `PAYER` and on `HelpRequest`."""
    return (stmt
            .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == TimeEntry.tenant_id,
                                         HelpRequest.id == TimeEntry.help_request_id))
            .outerjoin(Trajectory, and_(Trajectory.tenant_id == TimeEntry.tenant_id,
                                        Trajectory.id == TimeEntry.trajectory_id))
            .outerjoin(HostOrganisation,
                       and_(HostOrganisation.tenant_id == Trajectory.tenant_id,
                            HostOrganisation.id == Trajectory.host_organisation_id)))


def payers_of(session: Session, entry_ids) -> dict[int, int | None]:
    """The payer (a customer id, or None) of each entry, by entry id. One query."""
    ids = list(entry_ids)
    if not ids:
        return {}
    stmt = join_payer(select(TimeEntry.id, PAYER).select_from(TimeEntry)) \
        .where(TimeEntry.id.in_(ids))
    return {entry_id: payer for entry_id, payer in session.execute(stmt)}
