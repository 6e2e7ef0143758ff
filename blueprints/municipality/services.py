"""What a municipality sees: the cooperatives in it that share reports with it, and the shared
tables, protected so that no person can be singled out. Every figure comes through the kernel's
cross-tenant primitive (tenants/aggregates.py), which applies suppression and logs each read;
nothing of a cooperative that does not share is read or shown, not even its name."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.hours.formats import HOUR_TYPES, type_label
from blueprints.reports.models import SHARE_TEMPLATES
from blueprints.reports.periods import Period
from blueprints.reports.sharing import TEMPLATE_DEFINITIONS, TEMPLATE_LABELS
from blueprints.trajectories.models import Outcome
from blueprints.trajectories.services import OUTCOME_LABELS
from tenants import aggregates
from tenants.models import Municipality, Tenant
from tenants.suppression import PLATFORM_THRESHOLD, TOTAL, Cell, Table, rate, threshold_for

#: the unit of each template's values
UNITS = {"uren": "minutes", "uitstroom": "count"}
#: the portal offers whole calendar periods only (tenants.aggregates)
PORTAL_KINDS = ("maand", "kwartaal", "jaar")

WHY = {
    "klein": _l("Verborgen: deze cel gaat over minder dan %(n)s personen."),
    "aanvullend": _l("Verborgen: anders is een andere verborgen cel uit de totalen terug te "
                     "rekenen."),
    "periode": _l("Verborgen: in een van de maanden van deze periode is deze cel verborgen; "
                  "anders is die maand uit het verschil terug te rekenen."),
    "totaal": _l("Verborgen: in dit totaal zit een verborgen cel van een organisatie; anders is "
                 "die terug te rekenen, bijvoorbeeld wanneer een organisatie begint of stopt "
                 "met delen."),
}


@dataclass(frozen=True)
class Cooperative:
    id: int
    name: str


@dataclass(frozen=True)
class GrantLine:
    cooperative: str
    template: str
    from_month: date
    granted_at: object
    revoked_at: object | None

    @property
    def template_label(self) -> str:
        return str(TEMPLATE_LABELS.get(self.template, self.template))


@dataclass
class SharedTable:
    template: str
    label: str
    definition: str
    unit: str
    rows: list[tuple[str, str]]          # (key, label)
    cooperatives: list[Cooperative]      # the columns of `now`
    compare_cooperatives: list[Cooperative]
    now: Table
    then: Table

    def totals(self) -> list[tuple[str, int | None]]:
        """(row label, total across cooperatives or None when hidden) for the chart."""
        return [(label, None if self.now.cell(key, TOTAL).hidden
                 else self.now.cell(key, TOTAL).value) for key, label in self.rows]

    def share(self, table: Table, row, column) -> object:
        """The row's share of the column's total (uitstroom), or None when hidden."""
        return rate(table.cell(row, column), table.cell(TOTAL, column))


@dataclass
class Portal:
    cooperatives: list[Cooperative]
    grants: list[GrantLine]
    tables: list[SharedTable]
    threshold: int


def _rows(template: str, on: date) -> list[tuple[str, str]]:
    if template == "uren":
        return [(t.value, type_label(t, on)) for t in HOUR_TYPES]
    return [(o.value, str(OUTCOME_LABELS[o])) for o in Outcome]


def threshold(municipality: Municipality, platform: int = PLATFORM_THRESHOLD) -> int:
    return threshold_for(municipality.suppression_threshold, platform)


def sharing(session: Session, municipality: Municipality
            ) -> tuple[dict[str, dict[int, date]], dict[int, Cooperative], list[GrantLine]]:
    """({template: {tenant id: from month}} of the active grants, the sharing cooperatives by
    id, the history of grants). A grant of a cooperative that has since moved to another
    municipality is ignored."""
    grants = aggregates.grants(session, municipality.id)
    ids = {g.tenant_id for g in grants}
    names = {i: Cooperative(i, name) for i, name in session.execute(
        select(Tenant.id, Tenant.name)
        .where(Tenant.id.in_(ids), Tenant.municipality_id == municipality.id)
        .order_by(Tenant.name))} if ids else {}
    active: dict[str, dict[int, date]] = {t: {} for t in SHARE_TEMPLATES}
    lines = []
    for g in grants:
        if g.tenant_id not in names or g.template not in active:
            continue
        lines.append(GrantLine(names[g.tenant_id].name, g.template, g.from_month, g.granted_at,
                               g.revoked_at))
        if g.active:
            active[g.template][g.tenant_id] = g.from_month
    sharing_ids = {t for shares in active.values() for t in shares}
    cooperatives = {i: c for i, c in names.items() if i in sharing_ids}
    lines.sort(key=lambda line: (line.revoked_at or line.granted_at), reverse=True)
    return active, cooperatives, lines


def portal(session: Session, municipality: Municipality, user_id: int | None, period: Period,
           compare: Period, platform_threshold: int = PLATFORM_THRESHOLD) -> Portal:
    """The shared tables of the period and its comparison (one aggregate read per template)."""
    active, cooperatives, lines = sharing(session, municipality)
    limit = threshold(municipality, platform_threshold)
    requester = aggregates.Requester("gemeente", municipality.id, user_id)
    tables = []
    for template in SHARE_TEMPLATES:
        shares = {t: since for t, since in sorted(
            active[template].items(), key=lambda item: cooperatives[item[0]].name)}
        if not shares:
            continue
        rows = _rows(template, period.end)
        now, then = aggregates.aggregate(
            session, requester, template, shares,
            [(period.start, period.end), (compare.start, compare.end)],
            [key for key, _label in rows], limit)
        tables.append(SharedTable(
            template, str(TEMPLATE_LABELS[template]), str(TEMPLATE_DEFINITIONS[template]),
            UNITS[template], rows, [cooperatives[t] for t in now.table.columns],
            [cooperatives[t] for t in then.table.columns], now.table, then.table))
    return Portal(sorted(cooperatives.values(), key=lambda c: c.name), lines, tables, limit)


def why(cell: Cell, limit: int) -> str | None:
    """Why a cell is hidden, in a sentence, or None when it is shown."""
    if cell.hidden is None:
        return None
    return str(WHY[cell.hidden]) % {"n": limit} if cell.hidden == "klein" else str(
        WHY[cell.hidden])
