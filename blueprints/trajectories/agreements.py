"""The agreement (overeenkomst) of a trajectory: generate it, record its signing, keep the scan.

- The agreement is generated from the trajectory as it is now (pdf.py) and not stored: what is
  archived is the signed scan the coordinator uploads.
- Recording a signature needs the date it was signed: not in the future, and not more than a
  year before the trajectory starts (which catches a typo such as 2006 for 2026).
- A scan must be a PDF of at most `max_bytes` (`tenants.storage.check_pdf`). It is stored per
  tenant in the category "agreements"; a new scan replaces the previous one, whose file is
  removed once the change is committed (and the new file is removed if it is rolled back).
- An ended trajectory is archived: a signature that was never recorded can still be added, but a
  recorded one is not replaced.
- Everything is checked before a file is written: a refused upload changes nothing.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from blueprints.trajectories.pdf import agreement_data, agreement_pdf
from blueprints.trajectories.services import _event
from tenants import audit, storage
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.pdf import format_day
from tenants.tenancy import current_tenant_id

AGREEMENT_CATEGORY = "agreements"


def agreement_for(session: Session, trajectory: Trajectory) -> bytes:
    """The agreement of `trajectory` as a PDF, generated from its current data."""
    return agreement_pdf(agreement_data(session, trajectory))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _tenant_of(session: Session, trajectory: Trajectory) -> int:
    tenant_id = current_tenant_id(session)
    if tenant_id is None or tenant_id != trajectory.tenant_id:
        raise NotFound()
    return tenant_id


def record_signed_agreement(session: Session, actor: Actor, trajectory: Trajectory,
                            signed_on: date | None, data: bytes | None, storage_root: Path,
                            max_bytes: int, today: date | None = None) -> Trajectory:
    """Record that the agreement was signed on `signed_on`, with the signed scan when `data`
    is given (None keeps the scan there is, if any); a scan is at most `max_bytes` (the app's
    MAX_UPLOAD_BYTES).

    Raises DomainError (a wrong date, an archived agreement) or storage.InvalidUpload (too
    large, empty, not a PDF) before anything is written.
    """
    today = today or date.today()
    if signed_on is None:
        raise DomainError(_l("Vul de datum in waarop de overeenkomst is getekend."))
    if signed_on > today:
        raise DomainError(_l("De overeenkomst kan niet in de toekomst getekend zijn."))
    if signed_on < _year_before(trajectory.starts_on):
        raise DomainError(_l("Controleer de datum van ondertekening: die ligt meer dan een jaar "
                             "vóór de start van het traject."))
    if trajectory.status == TrajectoryStatus.ENDED and trajectory.agreement_signed_on is not None:
        raise DomainError(_l("Dit traject is afgerond: de getekende overeenkomst is "
                             "gearchiveerd en kan niet meer worden vervangen."))
    if data is not None:
        storage.check_pdf(data, max_bytes)
    tenant_id = _tenant_of(session, trajectory)

    old_key = trajectory.agreement_file
    previous_date = trajectory.agreement_signed_on
    note = f"overeenkomst getekend op {format_day(signed_on)}"
    if data is not None:
        new_key = storage.save_file(storage_root, tenant_id, AGREEMENT_CATEGORY, data, "pdf")
        # From here the new file follows the transaction: gone again if it rolls back.
        storage.replace_on_commit(session, storage_root, tenant_id, new_key, old_key)
        trajectory.agreement_file = new_key
        note += "; scan vervangen" if old_key else "; scan opgeslagen"
    trajectory.agreement_signed_on = signed_on
    _event(session, actor, trajectory, None, None, note)
    audit.record(session, actor, "agreement.signed", trajectory,
                 signed_on=signed_on.isoformat(),
                 previous_signed_on=previous_date.isoformat() if previous_date else None,
                 scan="replaced" if data is not None and old_key else
                 "stored" if data is not None else "kept" if old_key else "none")
    session.flush()
    return trajectory


def signed_scan(session: Session, trajectory: Trajectory, storage_root: Path) -> bytes:
    """The signed scan of `trajectory`'s agreement. Raises NotFound when there is none."""
    if not trajectory.agreement_file:
        raise NotFound(_l("Er is nog geen getekende overeenkomst opgeslagen."))
    return storage.open_file(storage_root, _tenant_of(session, trajectory),
                             trajectory.agreement_file)
