"""The navigation, built once per tenant, role and language (blueprints/core/navigation.py),
is still right for each request: the role's links, the language, the active page."""
from __future__ import annotations

import re

from tenants.models import Role
from tests.helpers import login, post


def _nav(client, path):
    html = client.get(path).get_data(as_text=True)
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a class="site-nav__link[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    active = re.findall(r'href="([^"]+)" aria-current="page"', nav)
    # the same links twice: folded under "Menu" for a phone, and the full list for a desktop
    half = len(links) // 2
    assert links[:half] == links[half:] and active[:len(active) // 2] == active[len(active) // 2:]
    return links[:half], active[:len(active) // 2]


def test_navigation_per_role_language_and_page(app, make):
    tenant, other = make.tenant(), make.tenant()
    admin_client, coach_client = app.test_client(), app.test_client()
    admin = make.member(tenant, Role.ADMIN)
    make.member(other, Role.ADMIN, user=admin)
    login(admin_client, admin)
    login(coach_client, make.member(tenant, Role.SUPERVISOR))
    t = f"/{tenant.slug}"
    for _ in range(2):
        links, active = _nav(admin_client, f"{t}/deelnemers/")
        assert (f"{t}/facturen/", "Facturen") in links and active == [f"{t}/deelnemers/"]
        links, active = _nav(coach_client, f"{t}/uren/")
        assert all(label != "Facturen" for _, label in links)
        assert active == [f"{t}/uren/"]
        links, _active = _nav(admin_client, f"/{other.slug}/facturen/")
        assert (f"/{other.slug}/facturen/", "Facturen") in links
        assert not any(url.startswith(t + "/") for url, _ in links)
    post(admin_client, "/taal", {"lang": "en", "next": "/"})
    links, active = _nav(admin_client, f"{t}/facturen/")
    assert (f"{t}/facturen/", "Invoices") in links and active == [f"{t}/facturen/"]
    links, _active = _nav(coach_client, f"{t}/uren/")
    assert (f"{t}/deelnemers/", "Deelnemers") in links
