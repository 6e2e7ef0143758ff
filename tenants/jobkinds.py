"""The kinds of small jobs residents ask for (soorten klussen) and their names.

In the kernel because a help request has one (helprequests) and a customer may have a rate per
kind (customers), and customers stands below helprequests. `blueprints.helprequests.models`
re-exports `JobKind`, `blueprints.helprequests.services` the labels as `KIND_LABELS`.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class JobKind(str, enum.Enum):
    #: boodschappen
    GROCERIES = "boodschappen"
    #: tuin
    GARDEN = "tuin"
    #: schutting
    FENCE = "schutting"
    #: klein technisch
    SMALL_REPAIR = "klein_technisch"
    #: schoonmaak
    CLEANING = "schoonmaak"
    #: gezelschap
    COMPANY = "gezelschap"
    #: anders
    OTHER = "anders"


JOB_KIND_LABELS = {
    JobKind.GROCERIES: _l("Boodschappen"), JobKind.GARDEN: _l("Tuin"),
    JobKind.FENCE: _l("Schutting"), JobKind.SMALL_REPAIR: _l("Klein technisch"),
    JobKind.CLEANING: _l("Schoonmaak"), JobKind.COMPANY: _l("Gezelschap"),
    JobKind.OTHER: _l("Anders"),
}
