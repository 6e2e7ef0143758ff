"""The network's meeting on a phone (390px): a member registers in two taps; at a full meeting
they join the waiting list, and when a place frees up they take the offer from the meeting
page. The organiser's registrations and check-in pages work on the phone too. Every page is
checked with axe and for sideways scrolling."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from blueprints.network import services
from blueprints.network.models import Registration
from tenants.extensions import db
from tenants.models import NetworkRole
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, url_path
from tests.network.builders import meeting, network_member, person, register

pytestmark = pytest.mark.browser


def _check(page, label: str) -> None:
    page.wait_for_load_state("load")
    check_accessibility(page, f"{label} (phone)")
    assert_fits_the_screen(page, f"{label} (phone)")


def _h1(page):
    return page.get_by_role("heading", level=1)


def test_register_join_the_waiting_list_and_take_an_offer_on_a_phone(app, make, phone_page):
    page = phone_page
    member = network_member(app, make, name="Ingrid Hermans",
                            organisation="'t Luukske, Wellerlooi")
    other = network_member(app, make, name="Bart Wouters")
    open_one = meeting(app, capacity=5, title="Werk in de wijk: voorjaar")
    full_one = meeting(app, capacity=1, title="Werk in de wijk: najaar")
    (taken,) = register(app, other, full_one, person("Bart"))

    log_in(page, member)
    page.goto("/netwerk/")
    expect(_h1(page)).to_have_text("Netwerk Werk in de wijk")
    _check(page, "network start page")

    # Two taps: "Aanmelden" on the meeting, then "Aanmelden" on the prefilled form.
    page.get_by_role("link", name="Werk in de wijk: voorjaar").click()
    expect(page).to_have_url(url_path(f"/netwerk/bijeenkomsten/{open_one}/"))
    _check(page, "meeting page")
    page.get_by_role("link", name="Aanmelden", exact=True).click()
    expect(_h1(page)).to_have_text("Aanmelden")
    _check(page, "registration form")
    page.get_by_role("button", name="Aanmelden").first.click()
    expect(page.get_by_text("Aangemeld. U krijgt een bevestiging")).to_be_visible()
    expect(page.locator("#mijn-kop + .card-list")).to_contain_text("Ingrid Hermans")
    expect(page.locator("#plaatsen")).to_have_text("1/5")
    _check(page, "meeting page after registering")

    # The full meeting: the same two taps put her on the waiting list.
    page.goto(f"/netwerk/bijeenkomsten/{full_one}/")
    expect(page.locator("#plaatsen")).to_have_text("1/1")
    page.get_by_role("link", name="Op de wachtlijst", exact=True).click()
    page.get_by_role("button", name="Op de wachtlijst zetten").first.click()
    expect(page.get_by_text("De bijeenkomst is vol: 1 op de wachtlijst")).to_be_visible()
    expect(page.locator("#plaatsen")).to_have_text("1/1 + 1 wachtend")
    _check(page, "meeting page on the waiting list")

    # Bart cancels: the place is offered to her, and she takes it from the meeting page.
    with app.app_context():
        services.cancel(db.session, taken)
        db.session.commit()
    page.reload()
    expect(page.get_by_text("Er is een plaats voor u vrijgekomen")).to_be_visible()
    _check(page, "meeting page with an offer")
    page.get_by_role("button", name="Plaats aannemen").click()
    expect(page.get_by_text("U heeft de plaats aangenomen. Tot dan!")).to_be_visible()
    expect(page.locator("#plaatsen")).to_have_text("1/1")
    expect(page.locator("#mijn-kop + .card-list")).to_contain_text("Aangemeld")


def test_the_organiser_on_a_phone_raises_capacity_and_checks_people_in(app, make, phone_page):
    page = phone_page
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma",
                           organisation="LSA bewoners")
    member = network_member(app, make)
    m = meeting(app, capacity=2, title="Werk in de wijk: organisator")
    register(app, member, m, *[person(i) for i in range(1, 5)])

    log_in(page, admin)
    page.goto(f"/netwerk/bijeenkomsten/{m}/deelnemers")
    expect(page.locator("#bezetting")).to_have_text("2/2 + 2 wachtend")
    _check(page, "registrations and waiting list")
    page.get_by_role("spinbutton", name=re.compile(r"^Aantal plaatsen")).fill("3")
    page.get_by_role("button", name="Aantal plaatsen opslaan").click()
    expect(page.get_by_text("1 plaatsen aangeboden aan de wachtlijst")).to_be_visible()
    expect(page.locator("#bezetting")).to_have_text("3/3 + 1 wachtend")

    page.goto(f"/netwerk/bijeenkomsten/{m}/aanwezig")
    expect(page.locator("#aanwezig-teller")).to_have_text("0 van 2 aanwezig")
    _check(page, "check-in list")
    page.get_by_role("button", name=re.compile("^Deelnemer 1")).click()
    expect(page.locator("#aanwezig-teller")).to_have_text("1 van 2 aanwezig")
    _check(page, "check-in list after a check-in")


def test_the_members_page_new_meeting_form_and_mailed_links_on_a_phone(app, make, phone_page):
    page = phone_page
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma")
    m = meeting(app, capacity=1, title="Werk in de wijk: links")
    p = person("Link")
    (rid,) = register(app, admin, m, p)
    with app.app_context():
        token = services.registration_token(db.session.get(Registration, rid))

    page.goto(f"/netwerk/aanmelding/{token}/afmelden")  # no login: the mailed link
    expect(page.locator("#status")).to_have_text("U heeft een plaats.")
    _check(page, "cancellation link")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.locator("#status")).to_have_text("U bent afgemeld.")

    log_in(page, admin)
    page.goto("/netwerk/leden")
    expect(_h1(page)).to_have_text("Leden van het netwerk")
    _check(page, "members page")
    page.goto("/netwerk/bijeenkomsten/nieuw")
    expect(_h1(page)).to_have_text("Nieuwe bijeenkomst")
    _check(page, "new meeting form")
    page.goto(f"/netwerk/bijeenkomsten/{m}/")
    expect(page.get_by_role("heading", name="Voor de organisator")).to_be_visible()
    _check(page, "meeting page for the organiser")


def test_a_cooperatives_admin_joins_the_network_from_the_team_page_on_a_phone(make, phone_page):
    from tenants.models import Role

    page = phone_page
    coop = make.tenant(name="Buurtcoöperatie De Kroon")
    admin = make.member(coop, Role.ADMIN, name="Marieke van den Broek")
    log_in(page, admin)
    page.goto(f"/{coop.slug}/team/")
    page.get_by_role("link", name="Aansluiten bij het landelijk netwerk, of opzeggen").click()
    expect(_h1(page)).to_have_text("Netwerk Werk in de wijk")
    _check(page, "joining the network")
    page.get_by_role("button", name="Aansluiten bij het netwerk").click()
    expect(page.get_by_text("Buurtcoöperatie De Kroon is lid van het netwerk.").first
           ).to_be_visible()
    expect(page.get_by_role("button", name="Lidmaatschap opzeggen")).to_be_visible()
    _check(page, "member of the network")
