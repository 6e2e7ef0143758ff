"""The navigation per role, computed for the base layout."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenants.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _item(label, endpoint, **values) -> NavItem:
    url = url_for(endpoint, **values)
    return NavItem(str(label), url, _active(url))


def _optional(items: list[NavItem], label, endpoint) -> None:
    """Add a link when the endpoint exists (features register their pages)."""
    from flask import current_app

    if endpoint in current_app.view_functions:
        items.append(_item(label, endpoint))


#: The network's area (/netwerk/): its pages share one menu.
NETWORK_BLUEPRINTS = ("network", "knowledge")

#: Per app, (label, url) lists by everything they depend on, oldest dropped first: built once,
#: not per request (a dozen url_for calls and lazy labels were about a millisecond of every page).
_LINKS_MAX = 2048


def _active(url: str) -> bool:
    return request.path == url or (url.rstrip("/") != "" and request.path.startswith(url)
                                   and url.count("/") > 2)


def navigation() -> list[NavItem]:
    """Links for the current user in the current tenant (or area)."""
    if not current_user.is_authenticated:
        return []
    membership, tenant = g.get("membership"), g.get("tenant")
    municipality = g.get("municipality")
    operator = bool(getattr(current_user, "is_platform_operator", False)
                    and request.blueprint == "operator")
    locale = get_locale()
    key = (request.script_root, str(locale) if locale else "",
           tenant.slug if tenant is not None and membership is not None else None,
           membership.role if tenant is not None and membership is not None else None,
           municipality.id if municipality is not None else None,
           g.get("municipal_role") if municipality is not None else None, operator,
           request.blueprint in NETWORK_BLUEPRINTS)
    cache = current_app.extensions.setdefault("wijkwerk_navigation", OrderedDict())
    links = cache.get(key)
    if links is None:
        links = tuple((item.label, item.url) for item in _build())
        cache[key] = links
        while len(cache) > _LINKS_MAX:
            try:
                cache.popitem(last=False)
            except KeyError:  # another thread emptied it
                break
    return [NavItem(label, url, _active(url)) for label, url in links]


def _build() -> list[NavItem]:
    items: list[NavItem] = []
    membership = g.get("membership")
    tenant = g.get("tenant")
    if tenant is not None and membership is not None and membership.role == Role.BOARD:
        # a board member (bestuur) reads the reports and nothing else of the tenant
        _optional(items, _l("Rapportage"), "reports.index")
        _optional(items, _l("Waarde van het werk"), "reports.value_page")
    elif tenant is not None and membership is not None:
        items.append(_item(_l("Start"), "dashboard.index"))
        if membership.role == Role.PARTICIPANT:
            items.append(_item(_l("Mijn pagina"), "trajectories.my_page"))
            items.append(_item(_l("Mijn uren"), "hours.mine"))
            items.append(_item(_l("Mijn klussen"), "helprequests.my_jobs"))
            _optional(items, _l("Mijn budget"), "budgets.mine")
        if membership.role.rank >= Role.SUPERVISOR.rank:
            items.append(_item(_l("Deelnemers"), "participants.index"))
            items.append(_item(_l("Trajecten"), "trajectories.index"))
            items.append(_item(_l("Inzetorganisaties"), "participants.hosts"))
            items.append(_item(_l("Uren"), "hours.review"))
            items.append(_item(_l("Hulpvragen"), "helprequests.index"))
            _optional(items, _l("Opleidingsbudgetten"), "budgets.index")
        if membership.role.rank >= Role.ADMIN.rank:
            _optional(items, _l("Klanten"), "customers.index")
            _optional(items, _l("Facturen"), "invoicing.index")
            _optional(items, _l("Rapportage"), "reports.index")
            items.append(_item(_l("Team"), "team.members"))
            items.append(_item(_l("Auditlog"), "auditlog.index"))
            items.append(_item(_l("Privacy"), "privacy.retention"))
            _optional(items, _l("Abonnement"), "billing.index")
    municipality = g.get("municipality")
    if municipality is not None:
        items.append(_item(_l("Rapportages"), "municipality.index"))
        if g.get("municipal_role") == "consulent":
            _optional(items, _l("Cliënten"), "municipality_clients.clients")
        _optional(items, _l("Collega's"), "municipality_clients.colleagues")
        _optional(items, _l("API-sleutels"), "municipality_clients.api_tokens")
    if request.blueprint in NETWORK_BLUEPRINTS:
        items.append(_item(_l("Netwerk"), "network.index"))
        _optional(items, _l("Vragen"), "knowledge.questions")
        _optional(items, _l("Kennisbank"), "knowledge.articles")
    if getattr(current_user, "is_platform_operator", False) and request.blueprint == "operator":
        items.append(_item(_l("Organisaties"), "operator.tenants"))
        items.append(_item(_l("Gemeenten"), "operator.municipalities"))
        items.append(_item(_l("Gezondheid"), "operator.health_page"))
    items.append(_item(_l("Mijn account"), "auth.account"))
    return items
