"""The network's question box on a phone (390 px): a member asks a question after seeing the
similar ones, supports a question, and reads an answer; axe finds nothing on the way and
nothing scrolls sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, field, log_in
from tests.helpers import unique
from tests.knowledge.builders import answer, ask
from tests.knowledge.conftest import network  # noqa: F401  (the network test world)

pytestmark = pytest.mark.browser


def test_a_member_asks_supports_and_reads_an_answer_on_a_phone(app, new_context, network):
    admin, members = network
    word = unique("mantelzorgontheffing")
    similar_id = ask(app, members[1], f"Wanneer geldt een {word} voor deelnemers?",
                     theme="ontheffing")
    answer(app, admin, similar_id, text="Alleen de **gemeente** beslist (art. 9 lid 2).")
    other_id = ask(app, members[2], unique("Wie betaalt de vrijwilligersverzekering"),
                   theme="aansprakelijkheid")
    page = new_context(**PHONE).new_page()
    log_in(page, members[0])

    page.goto("/netwerk/vragen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vragen voor Werk in de wijk")
    expect(page.get_by_text("U heeft nog 5 stemmen over.")).to_be_visible()
    check_accessibility(page, "question box (phone)")
    assert_fits_the_screen(page, "question box (phone)")

    page.get_by_role("link", name="Vraag stellen").click()
    title = f"Hoe vraag je een {word} aan?"
    field(page, "Titel van uw vraag").fill(title)
    # while typing (with JavaScript): the similar question shows above the form at once
    expect(page.get_by_role("region", name="Vergelijkbare vragen").get_by_role(
        "link", name=f"Wanneer geldt een {word} voor deelnemers?")).to_be_visible()
    field(page, "Uw vraag").fill("Een deelnemer zorgt voor haar moeder.")
    field(page, "Thema").select_option(label="Ontheffing")
    page.get_by_role("button", name="Zoek vergelijkbare vragen").click()
    similar = page.get_by_role("region", name="Vergelijkbare vragen")
    expect(similar.get_by_role("link", name=f"Wanneer geldt een {word} voor deelnemers?")
           ).to_be_visible()
    check_accessibility(page, "similar questions (phone)")
    assert_fits_the_screen(page, "similar questions (phone)")
    page.get_by_role("button", name="Vraag plaatsen").click()
    expect(page.get_by_text("Uw vraag is geplaatst.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.goto(f"/netwerk/vragen/{other_id}")
    page.get_by_role("button", name="Steunen", exact=True).click()
    expect(page.get_by_text("U steunt deze vraag.")).to_be_visible()
    expect(page.get_by_text("U heeft nog 4 stemmen over.")).to_be_visible()
    expect(page.get_by_role("button", name="Steun intrekken")).to_be_visible()

    page.goto(f"/netwerk/vragen/?q={word}&status=beantwoord")
    page.get_by_role("link", name=f"Wanneer geldt een {word} voor deelnemers?").click()
    answer_region = page.get_by_role("region", name="Antwoord")
    expect(answer_region).to_contain_text("Alleen de gemeente beslist (art. 9 lid 2).")
    expect(answer_region.locator("strong")).to_have_text("gemeente")
    check_accessibility(page, "an answered question (phone)")
    assert_fits_the_screen(page, "an answered question (phone)")


def test_the_knowledge_base_and_an_article_history_on_a_phone(app, new_context, network):
    from tests.knowledge.builders import write

    admin, members = network
    title = unique("Vrijwilligersvergoeding en bijstand")
    article_id = write(app, admin, title, body="## Bedragen\n\n- € 220 per maand\n- € 2.200 "
                       "per jaar\n\n| jaar | per maand |\n|---|---|\n| 2025 | € 210 |",
                       theme="uitkering_en_regels",
                       sources="[Participatiewet art. 31](https://wetten.overheid.nl/BWBR0015703)")
    page = new_context(**PHONE).new_page()
    log_in(page, admin)
    page.goto(f"/netwerk/kennisbank/{article_id}/bewerken")
    field(page, "Tekst").fill("## Bedragen 2026\n\n- € 220 per maand\n- € 2.200 per jaar")
    field(page, "Wat is er gewijzigd?").fill("Tabel weg, kop met jaartal")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het artikel is bijgewerkt.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Bedragen 2026")).to_be_visible()
    expect(page.get_by_role("link", name="Participatiewet art. 31")).to_be_visible()
    check_accessibility(page, "article (phone)")
    assert_fits_the_screen(page, "article (phone)")
    page.get_by_role("link", name="versie 2, geschiedenis").click()
    expect(page.get_by_text("Tabel weg, kop met jaartal")).to_be_visible()
    check_accessibility(page, "article history (phone)")
    assert_fits_the_screen(page, "article history (phone)")
    page.goto("/netwerk/kennisbank/?thema=uitkering_en_regels")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    check_accessibility(page, "knowledge base (phone)")
    assert_fits_the_screen(page, "knowledge base (phone)")
    question_id = ask(app, members[1], unique("Vraag voor de beheerder"), anonymous=True)
    page.goto(f"/netwerk/vragen/{question_id}")
    expect(page.get_by_role("heading", name="Beantwoorden (netwerkbeheer)")).to_be_visible()
    check_accessibility(page, "question with the answer form (phone)")
    assert_fits_the_screen(page, "question with the answer form (phone)")
    page.goto("/netwerk/vragen/gemeld")
    check_accessibility(page, "reported messages (phone)")
