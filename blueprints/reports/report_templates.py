"""Report templates (sjablonen): a small number of fixed selections of the report's rows, one
per audience. The page (?sjabloon=), the PDF, the XLSX and the CSV apply the same template to
the same sections (blueprints.reports.services.sections), so an export equals the screen.

A template lists row keys in the report's own order; "prefix_*" takes every row whose key
starts with the prefix (a breakdown: per kind, per wijk, per quarter), except rows that some
template names exactly (outflow_rate is not an outflow destination). Sections left without
rows are dropped. `charts` names the charts the page and the PDF draw below the figures.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from blueprints.reports.services import Section


@dataclass(frozen=True)
class Template:
    key: str
    label: object
    description: object
    rows: tuple[str, ...]
    charts: tuple[str, ...]

    @property
    def parts(self) -> tuple[str, ...]:
        """The optional figures its rows and charts need (services.OPTIONAL_PARTS): a
        template reads nothing it does not show."""
        needs = {"places": ("wijk_*", "inzet_*"), "ladder": ("ladder_*",),
                 "days": ("time_to_outflow",)}
        return tuple(part for part, keys in needs.items()
                     if any(k in self.rows for k in keys)
                     or (part == "ladder" and "ladder" in self.charts))


#: the charts a template can show: weekly hours, outflow per quarter, the funnel, the ladder
CHARTS = ("weeks", "quarters", "funnel", "ladder")

_CURRENT = ("active", "started", "running", "running_*", "hours", "hours_*", "requests",
            "requests_*", "outflow", "outflow_*", "outflow_rate", "to_work_rate", "durable_*",
            "invoiced", "paid")

TEMPLATES = {t.key: t for t in (
    Template("standaard", _l("Standaard"),
             _l("De vaste cijfers: deelnemers, trajecten, uren, hulpvragen, uitstroom en "
                "omzet."), _CURRENT, ("weeks",)),
    Template("jaarverslag", _l("Jaarverslag"),
             _l("Voor het jaarverslag van de coöperatie, zoals gebruikelijk in de sector: alle "
                "cijfers, met uitstroom per kwartaal, de trechter van instroom tot uitstroom en "
                "de ontwikkeling op de participatieladder."),
             ("active", "started", "running", "running_*", "hours", "hours_*",
              "per_participant_week", "wijk_*", "inzet_*", "requests", "requests_*",
              "outflow", "outflow_*", "outflow_rate", "to_work_rate", "time_to_outflow",
              "durable_*", "quarter_*", "ladder_*", "invoiced", "paid"),
             ("weeks", "quarters", "funnel", "ladder")),
    Template("maandoverzicht", _l("Maandoverzicht"),
             _l("Voor het werk van elke maand: wie er actief is, de uren per soort, wijk en "
                "inzetorganisatie, de hulpvragen, de uitstroom en het geld."),
             ("active", "started", "running", "hours", "hours_*", "per_participant_week",
              "wijk_*", "inzet_*", "requests", "requests_*", "outflow", "outflow_*",
              "invoiced", "paid"),
             ("weeks",)),
    Template("financiers", _l("Financiersoverzicht"),
             _l("Voor gemeente en fondsen: bereik, inzet, uitstroom en hoe duurzaam die is, de "
                "tijd tot uitstroom en de ontwikkeling op de participatieladder. Zonder omzet."),
             ("active", "started", "running", "running_*", "hours", "per_participant_week",
              "wijk_*", "outflow", "outflow_*", "outflow_rate", "to_work_rate",
              "time_to_outflow", "durable_*", "quarter_*", "ladder_*"),
             ("funnel", "quarters", "ladder")),
)}
DEFAULT = "standaard"

#: keys some template names exactly: never taken by a "prefix_*"
_EXACT = {key for t in TEMPLATES.values() for key in t.rows if not key.endswith("*")}


def find(key: str | None) -> Template | None:
    """The template of `key`; the default for an empty key; None for an unknown one."""
    if not key:
        return TEMPLATES[DEFAULT]
    return TEMPLATES.get(key)


def _wanted(template: Template, key: str) -> bool:
    for pattern in template.rows:
        if pattern.endswith("*"):
            if key.startswith(pattern[:-1]) and key not in _EXACT:
                return True
        elif pattern == key:
            return True
    return False


def apply(template: Template, sections: list[Section]) -> list[Section]:
    """The sections with only the template's rows, in the report's order; empty ones left
    out."""
    result = []
    for section in sections:
        rows = [row for row in section.rows if _wanted(template, row.key)]
        if rows:
            result.append(replace(section, rows=rows))
    return result
