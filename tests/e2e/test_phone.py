"""The app on a phone (390x844) and a desktop: the main menu folds under "Menu" on a phone
(without JavaScript: a details element), and a participant starts on four big buttons.

Set PHONE_SCREENSHOTS=/some/dir to keep pictures of each page."""
from __future__ import annotations

import os
import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from blueprints.helprequests import services as helprequest_services
from blueprints.helprequests.models import HelpRequest
from blueprints.participants.models import Participant
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, log_in, url_path
from tests.e2e.test_help_requests import planned_world  # noqa: F401
from tests.e2e.test_invoicing import work  # noqa: F401  (the invoicing fixtures, reused)
from tests.e2e.test_invoicing_phone import books  # noqa: F401
from tests.hours.builders import add_person

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("PHONE_SCREENSHOTS")
TILES = ("Uren schrijven", "Mijn klussen", "Mijn plan", "Mijn budget")


def _picture(page, name: str, full_page: bool = False) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=full_page)


@pytest.fixture
def coop(make, session):
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    coach = make.member(tenant, Role.ADMIN, name="Ahmed El Khatib")
    user = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    with tenant_context(session, tenant.id):
        add_person(session, Actor(user_id=coach.id, email=coach.email), "Fatma", "Yılmaz",
                   user=user, supervisor_id=coach.id, starts_on=date(2026, 1, 5))
        session.commit()
    return tenant, coach, user


def _menu(page):
    return page.get_by_role("navigation", name="Hoofdmenu")


def test_the_menu_folds_on_a_phone(new_context, coop):
    tenant, coach, _user = coop
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    log_in(page, coach)
    page.goto(f"/{tenant.slug}/")
    menu = _menu(page)
    toggle = menu.get_by_text("Menu", exact=True)
    # folded: only the "Menu" button is in the first screen, no link of the menu is shown
    expect(toggle).to_be_visible()
    expect(menu.get_by_role("link")).to_have_count(0)
    height = page.evaluate("() => document.querySelector('.site-header').offsetHeight")
    assert height <= 844 * 0.25, f"the header takes {height}px of an 844px screen"
    _picture(page, "coordinator-phone-folded")
    toggle.click()  # no JavaScript: the browser's own details element opens it
    expect(menu.get_by_role("link", name="Facturen", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Start", exact=True)).to_have_attribute(
        "aria-current", "page")
    _picture(page, "coordinator-phone-open")
    assert_fits_the_screen(page, "start page, menu open (phone)")
    menu.get_by_role("link", name="Facturen", exact=True).click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/facturen/"))
    expect(_menu(page).get_by_role("link")).to_have_count(0)  # folded again on the next page


def test_the_menu_by_keyboard_and_axe(new_context, coop):
    tenant, coach, _user = coop
    page = new_context(**PHONE).new_page()
    log_in(page, coach)
    page.goto(f"/{tenant.slug}/")
    check_accessibility(page, "start page, menu folded (phone)")
    summary = _menu(page).locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(_menu(page).locator("details")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(_menu(page).get_by_role("link", name="Start", exact=True)).to_be_focused()
    check_accessibility(page, "start page, menu open (phone)")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(_menu(page).get_by_role("link")).to_have_count(0)


def test_the_full_menu_on_a_desktop(page, coop):
    tenant, coach, _user = coop
    log_in(page, coach)
    page.goto(f"/{tenant.slug}/")
    menu = _menu(page)
    expect(menu.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(menu.get_by_role("link", name="Facturen", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Auditlog", exact=True)).to_be_visible()
    _picture(page, "coordinator-desktop")
    check_accessibility(page, "start page (desktop)")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_participant_starts_on_four_big_buttons(request, coop, device):
    tenant, _coach, user = coop
    page = request.getfixturevalue("phone_page" if device == "phone" else "page")
    log_in(page, user)
    page.goto(f"/{tenant.slug}/")
    expect(page).to_have_url(url_path(f"/{tenant.slug}/mijn"))
    tiles = page.get_by_role("list", name="Snel naar")
    height = page.viewport_size["height"]
    for label in TILES:
        tile = tiles.get_by_role("link", name=label)
        expect(tile).to_be_visible()
        box = tile.bounding_box()
        assert box["y"] + box["height"] <= height, f"{label} is below the first screen"
        assert box["height"] >= 88 and box["width"] >= 120, f"{label} is not a big button: {box}"
    _picture(page, f"participant-home-{device}")
    check_accessibility(page, f"participant home ({device})")
    assert_fits_the_screen(page, f"participant home ({device})")
    tiles.get_by_role("link", name="Uren schrijven").click()
    expect(page).to_have_url(re.compile(rf"/{tenant.slug}/uren/mijn#schrijven-kop$"))
    expect(page.get_by_role("heading", name="Uren schrijven")).to_be_in_viewport()
    page.go_back()
    tiles.get_by_role("link", name="Mijn klussen").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/mijn/klussen"))
    page.go_back()
    tiles.get_by_role("link", name="Mijn budget").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("budget")
    page.go_back()
    tiles.get_by_role("link", name="Mijn plan").click()
    expect(page.get_by_role("heading", name="Mijn plan")).to_be_in_viewport()


def test_the_invoice_list_shows_its_totals_on_a_phone(phone_page, work, books):  # noqa: F811
    """No sideways scrolling and no clipped amount, also with six-figure totals."""
    page = phone_page
    log_in(page, work.admin)
    page.goto(f"/{work.tenant.slug}/facturen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturen")
    # the largest amounts a cooperative's year could show, written into the page as it is
    page.evaluate("""() => {
      for (const dd of document.querySelectorAll('.stat dd')) dd.textContent = '€\u00a0123.456,78';
      for (const td of document.querySelectorAll('td[data-label="Bedrag"]'))
        td.textContent = '€\u00a0123.456,78';
    }""")
    _picture(page, "invoice-list-phone", full_page=True)
    assert_fits_the_screen(page, "invoice list with large totals (phone)")
    clipped = page.evaluate("""() => [...document.querySelectorAll('.stat, .stat dd, td')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent.trim())""")
    assert clipped == [], f"clipped on a phone: {clipped}"
    for dd in page.locator(".stat dd").all():
        box = dd.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 390, box
        assert box["height"] < 40, f"the amount wraps: {box}"  # one line, not "€" above it
    check_accessibility(page, "invoice list (phone)")


_BORDERS = """() => Object.fromEntries([...document.querySelectorAll(
    'form textarea, form input.utrecht-textbox, form input[type=radio]')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.name + (el.type === 'radio' ? ':' + el.value : ''),
                getComputedStyle(el).borderTopColor + ' ' + getComputedStyle(el).borderTopWidth]))"""


def _red(border: str) -> bool:
    r, g, b = (int(n) for n in re.findall(r"\d+", border)[:3])
    return r > 150 and g < 80 and b < 80


def test_the_public_form_is_not_red_before_anything_is_typed(phone_page, make):
    page = phone_page
    tenant = make.tenant(name="Kluswinkel Lelystad")
    page.goto(f"/{tenant.slug}/hulp-vragen")
    borders = page.evaluate(_BORDERS)
    assert {"name", "description", "kind:anders"} <= set(borders)
    assert {name: b for name, b in borders.items() if _red(b)} == {}
    _picture(page, "public-form-phone")
    page.get_by_role("button", name="Hulpvraag versturen").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    # the alert is in the DOM before the answer's style sheets have loaded: wait for them
    page.wait_for_load_state("load")
    after = page.evaluate(_BORDERS)
    # after a submit the missing fields are marked (what was typed is not)
    assert _red(after["description"]) and _red(after["street"])
    assert not _red(after["preferred_dates"])
    _picture(page, "public-form-errors-phone")


def test_a_job_card_has_a_map_link_and_writes_hours_for_that_job(phone_page, planned_world,
                                                                 session):  # noqa: F811
    tenant, coach, account, reference = planned_world
    with tenant_context(session, tenant.id):
        r = session.scalar(select(HelpRequest).where(HelpRequest.reference == reference))
        me = session.scalar(select(Participant).where(Participant.user_id == account.id))
        helprequest_services.plan_request(session, Actor(user_id=coach.id), r, date.today(),
                                          [me.id], at=time(10, 0), minutes=120)
        session.commit()
        job_id = r.id
    page = phone_page
    log_in(page, account)
    page.goto(f"/{tenant.slug}/mijn/klussen")
    card = page.get_by_role("listitem").filter(has_text=reference)
    expect(card).to_contain_text("Om 10:00 · ongeveer 2 uur")
    kaart = card.get_by_role("link", name="Op de kaart (OpenStreetMap)")
    expect(kaart).to_have_attribute("href", re.compile(
        r"^https://www\.openstreetmap\.org/search\?query=Lindenlaan%204"))
    _picture(page, "job-card-phone", full_page=True)
    check_accessibility(page, "job card (phone)")
    assert_fits_the_screen(page, "job card (phone)")
    card.get_by_role("link", name=re.compile("^Uren schrijven voor deze klus")).click()
    expect(page).to_have_url(re.compile(rf"/uren/mijn\?klus={job_id}#schrijven-kop$"))
    expect(page.get_by_label("Hulpvraag (optioneel)")).to_have_value(str(job_id))


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_coordinator_plans_a_time_and_a_duration(request, planned_world,
                                                     device):  # noqa: F811
    tenant, coach, _account, reference = planned_world
    page = request.getfixturevalue("phone_page" if device == "phone" else "page")
    log_in(page, coach)
    page.goto(f"/{tenant.slug}/hulpvragen/")
    page.get_by_role("link", name=reference).click()
    page.get_by_label("Fatma Yilmaz", exact=True).check()
    page.get_by_label("Hoe laat (optioneel)").fill("14:30")
    page.get_by_label("Hoe lang (optioneel)").select_option(label="1,5 uur")
    check_accessibility(page, f"planning with time and duration ({device})")
    assert_fits_the_screen(page, f"planning with time and duration ({device})")
    page.get_by_role("button", name=re.compile(r"^Inplannen op ")).click()
    expect(page.get_by_text(re.compile(r"De klus is ingepland op"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"om 14:30 · 1,5 uur"))).to_be_visible()
    _picture(page, f"planned-with-time-{device}", full_page=True)
