"""The network's benchmark: yearly figures of the cooperatives that chose to share them,
shown only as the network's median and quartiles, with a cooperative's own position.

Rules:
- a cooperative takes part while it is a member organisation of the network (not left) and its
  admin chose "deel jaarcijfers in de benchmark" (`benchmark_since`); joining the network alone
  does not share anything; leaving the network (or being removed) ends sharing, so it is not
  in any benchmark computed after that;
- the figures come from what the cooperative already keeps (trajectories, approved hours,
  invoices, courses); nobody enters anything for the benchmark;
- everything is read through `tenants.aggregates.benchmark`: no single cooperative's figure is
  seen, only the distribution (never a mean), and nothing when fewer than 5 cooperatives have
  a value; the own value only for the cooperative of the session's tenant (the caller opens
  that tenant only for a user who belongs to it);
- by kind of cooperative only for a kind with 5 or more taking part.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.network.models import NetworkOrganisation, OrganisationKind
from blueprints.network.services import cooperative_membership
from tenants.aggregates import BENCHMARK_FIGURES, Distribution, Requester, benchmark
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.models import Tenant, TenantKind
from tenants.suppression import PLATFORM_THRESHOLD

MINIMUM = PLATFORM_THRESHOLD

#: per figure: its label, its unit ("aantal", "uren", "euro" (cents), "procent") and its
#: standard definition, shown on the page beside the figures
FIGURES: dict[str, tuple] = {
    "deelnemers": (_l("Deelnemers"), "aantal", _l(
        "Het aantal verschillende deelnemers met een traject dat in het jaar liep (begonnen "
        "op of vóór het eind van het jaar, niet afgerond vóór het begin).")),
    "uren_per_week": (_l("Uren per deelnemer per week"), "uren", _l(
        "De goedgekeurde uren van het jaar, gedeeld door het aantal deelnemers met "
        "goedgekeurde uren, gedeeld door het aantal weken van het jaar (van het lopende jaar: "
        "de weken tot vandaag).")),
    "omzet_per_uur": (_l("Omzet per goedgekeurd uur"), "euro", _l(
        "Het gefactureerde bedrag zonder btw van het jaar (min creditnota's, op factuurdatum), "
        "gedeeld door de goedgekeurde uren van het jaar.")),
    "opleiding_per_deelnemer": (_l("Opleiding per deelnemer"), "euro", _l(
        "De kosten van goedgekeurde cursusaanmeldingen met een besluit in het jaar, gedeeld "
        "door het aantal deelnemers.")),
    "uitstroom_werk": (_l("Uitstroom naar betaald werk"), "procent", _l(
        "Trajecten afgerond in het jaar met betaald werk of een eigen bedrijf, als percentage "
        "van alle trajecten die in het jaar liepen.")),
    "uitstroom_opleiding": (_l("Uitstroom naar opleiding"), "procent", _l(
        "Trajecten afgerond in het jaar met een opleiding, als percentage van alle trajecten "
        "die in het jaar liepen.")),
    "uitstroom_vrijwilligerswerk": (_l("Uitstroom naar vast vrijwilligerswerk"), "procent", _l(
        "Trajecten afgerond in het jaar met vast vrijwilligerswerk, als percentage van alle "
        "trajecten die in het jaar liepen.")),
    "uitstroom_overig": (_l("Overige uitstroom"), "procent", _l(
        "Trajecten afgerond in het jaar op een andere manier (beschut werk, dagbesteding, "
        "uitgevallen, verhuisd, overleden), als percentage van alle trajecten die in het jaar "
        "liepen.")),
}
assert tuple(FIGURES) == BENCHMARK_FIGURES

KIND_LABELS = {
    TenantKind.BEWONERSINITIATIEF: _l("Bewonersinitiatieven en coöperaties"),
    TenantKind.LEERWERKBEDRIJF: _l("Leerwerkbedrijven"),
    TenantKind.GEMEENTELIJK_PROJECT: _l("Gemeentelijke projecten"),
}


@dataclass(frozen=True)
class Group:
    """The benchmark of one group: all taking part, or one kind of cooperative."""
    label: str
    kind: str | None
    taking_part: int
    figures: dict[str, Distribution]

    @property
    def shown(self) -> bool:
        return any(d.shown for d in self.figures.values())


@dataclass(frozen=True)
class Benchmark:
    year: int
    first: date
    last: date
    taking_part: int
    groups: list[Group]


def years(today: date | None = None) -> list[int]:
    """The years one can choose: this year (so far) and the two before."""
    this = (today or date.today()).year
    return [this, this - 1, this - 2]


def taking_part(session: Session) -> list[tuple[int, TenantKind]]:
    """(tenant id, kind) of every cooperative taking part now (one query). Names stay here."""
    return [(t, k) for t, k in session.execute(
        select(Tenant.id, Tenant.kind)
        .join(NetworkOrganisation, NetworkOrganisation.cooperative_id == Tenant.id)
        .where(NetworkOrganisation.kind == OrganisationKind.COOPERATIVE,
               NetworkOrganisation.left_at.is_(None),
               NetworkOrganisation.benchmark_since.is_not(None))
        .order_by(Tenant.id))]


def takes_part(session: Session, tenant_id: int) -> bool:
    row = cooperative_membership(session, tenant_id)
    return row is not None and row.left_at is None and row.benchmark_since is not None


def compute(session: Session, requester: Requester, year: int, *,
            today: date | None = None) -> Benchmark:
    """The benchmark of `year` for all taking part and per kind with at least 5. The own
    position is that of the session's tenant, if any (see the module's rules)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    everyone = taking_part(session)
    groups = [Group(str(_l("Alle deelnemende coöperaties")), None, len(everyone),
                    benchmark(session, requester, [t for t, _k in everyone], first, last,
                              MINIMUM, today=today))]
    for kind, label in KIND_LABELS.items():
        ids = [t for t, k in everyone if k == kind]
        if len(ids) >= MINIMUM:
            groups.append(Group(str(label), kind.value, len(ids),
                                benchmark(session, requester, ids, first, last, MINIMUM,
                                          today=today)))
    return Benchmark(year, first, last, len(everyone), groups)


def share(session: Session, tenant: Tenant) -> NetworkOrganisation:
    """The cooperative's admin chooses to share its yearly figures (only as a member)."""
    row = cooperative_membership(session, tenant.id)
    if row is None or row.left_at is not None:
        raise DomainError(_l("Sluit u eerst aan bij het netwerk; daarna kunt u uw jaarcijfers "
                             "delen in de benchmark."))
    if row.benchmark_since is None:
        row.benchmark_since = utcnow()
    session.flush()
    return row


def stop_sharing(session: Session, tenant: Tenant) -> None:
    row = cooperative_membership(session, tenant.id)
    if row is None or row.benchmark_since is None:
        raise DomainError(_l("%(name)s deelt geen jaarcijfers in de benchmark.",
                             name=tenant.name))
    row.benchmark_since = None
    session.flush()


# --- the chart: the quartile band, the median and the own position, as SVG geometry ---------

BOX_WIDTH, BOX_HEIGHT, BOX_LEFT, BOX_RIGHT = 320, 56, 8, 8


@dataclass(frozen=True)
class Box:
    width: int
    height: int
    q1_x: float
    q3_x: float
    median_x: float
    own_x: float | None
    axis_y: float
    band_y: float
    band_height: float
    top: float


def box(d: Distribution) -> Box | None:
    """Where to draw one figure (drawn by the template with presentation attributes only;
    the table beside it has the same numbers). None when nothing may be shown."""
    if not d.shown:
        return None
    highest = max(d.q3 or 0, d.own or 0)
    top = highest * 1.2 if highest > 0 else 1.0
    plot = BOX_WIDTH - BOX_LEFT - BOX_RIGHT

    def x(v: float) -> float:
        return round(BOX_LEFT + plot * max(v, 0) / top, 1)

    return Box(BOX_WIDTH, BOX_HEIGHT, x(d.q1), x(d.q3), x(d.median),
               None if d.own is None else x(d.own), 44.0, 12.0, 24.0, top)
