"""Input parsed at the edge, once (tenants/inputs.py, tenants/forms.py): one regression test per
input class that answered 500 on the running product (issue 9, finding 6), on both databases.

PostgreSQL is where a NUL byte in text and an integer beyond 64 bits fail; Unicode digits
("²" passes `str.isdigit()`, `int()` refuses it) and 5,000 digits (`int()` refuses more than
4,300) fail on both.
"""
from __future__ import annotations

import ast
import pathlib
from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.helprequests.models import HelpRequest
from tenants import inputs
from tenants.errors import DomainError
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post

BIG = "9223372036854775808"  # 2**63: one more than PostgreSQL's BIGINT holds
DIGITS_5000 = "1" * 5000
LISTS = ["deelnemers/", "hulpvragen/", "klanten/", "facturen/", "budgetten/", "uren/",
         "facturen/achterstallig", "hulpvragen/week"]


@pytest.fixture
def tenant(make):
    return make.tenant()


@pytest.fixture
def admin_client(app, make, tenant):
    client = app.test_client()
    login(client, make.member(tenant, Role.ADMIN))
    return client


def _calm(response):
    assert response.status_code < 500, response.status_code
    return response


# --- the kernel's parsers ------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["²", "١٢", "𝟗", "1²", BIG, "-1", "0", DIGITS_5000, "1e3", " ",
                                 "", None, "12\x00", "0x10", "+1"])
def test_an_id_is_ascii_digits_in_range_or_nothing(raw):
    assert inputs.to_id(raw) is None


def test_a_plain_id_and_page_parse():
    assert inputs.to_id("915901172233039399") == 915901172233039399
    assert inputs.to_int(str(2**31 - 1)) == 2**31 - 1
    assert inputs.to_int(str(2**31)) is None


@pytest.mark.parametrize("raw", ["2026-02-30", "9999-12-31", "0001-01-01", "1899-12-31",
                                 "٢٠٢٦-٠١-٠١", "2026-1-1", "2026-01-01\x00", ""])
def test_a_date_is_real_and_between_1900_and_2100(raw):
    assert inputs.to_date(raw) is None


def test_text_refuses_control_characters_and_is_normalised():
    with pytest.raises(inputs.InvalidInput, match="stuurteken"):
        inputs.parse_text("Jan\x00de Vries", 100)
    assert inputs.parse_text("Jose\u0301\tline\r\nnext", 100) == "José\tline\r\nnext"
    with pytest.raises(inputs.InvalidInput):
        inputs.parse_text("x" * 101, 100)


@pytest.mark.parametrize("raw", ["1" * 5000, "١٢", "12,345", "NaN", "1E+50", "-5"])
def test_money_refuses_what_is_not_an_amount(raw):
    with pytest.raises(DomainError):
        inputs.parse_money(raw)


def test_money_reads_dutch_amounts():
    assert inputs.parse_money("€ 1.234,5") == 123450
    assert inputs.parse_money("25.00") == 2500
    assert inputs.parse_money("") is None


# --- query parameters of the lists -----------------------------------------------------------

@pytest.mark.parametrize("page", ["%C2%B2", BIG, DIGITS_5000, "-1", "%00"])
def test_a_hostile_page_number_shows_the_first_page(admin_client, tenant, page):
    for path in LISTS:
        response = admin_client.get(f"/{tenant.slug}/{path}?page={page}")
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.parametrize("value", ["%C2%B2", BIG, DIGITS_5000, "%00"])
def test_a_hostile_filter_is_treated_as_absent(admin_client, tenant, value):
    """`wijk`, `begeleider`, `klant` (customer id), `jaar`/`year`, dates and searches."""
    paths = [f"deelnemers/?wijk={value}&begeleider={value}",
             f"hulpvragen/?wijk={value}&van={value}&tot={value}",
             f"hulpvragen/week?wijk={value}&begeleider={value}&week={value}",
             f"uren/?begeleider={value}&van={value}",
             f"facturen/?klant={value}&jaar={value}",
             f"budgetten/?jaar={value}",
             f"team/auditlog?voor={value}",
             f"trajecten/nieuw?deelnemer={value}"]
    for path in paths:
        response = admin_client.get(f"/{tenant.slug}/{path}")
        assert response.status_code in (200, 404), (path, response.status_code)


@pytest.mark.parametrize("year", ["%C2%B2", BIG, DIGITS_5000, "99999"])
def test_a_hostile_export_year_is_refused_calmly(admin_client, tenant, year):
    for path in (f"facturen/export?format=csv&what=invoices&year={year}",
                 f"budgetten/export?jaar={year}&formaat=csv"):
        _calm(admin_client.get(f"/{tenant.slug}/{path}"))


def test_a_nul_byte_in_a_search_finds_nothing_instead_of_failing(admin_client, tenant):
    for path in ("deelnemers/", "hulpvragen/", "klanten/", "facturen/", "budgetten/"):
        response = admin_client.get(f"/{tenant.slug}/{path}?q=Jan%00de")
        assert response.status_code == 200, (path, response.status_code)


# --- forms -------------------------------------------------------------------------------------

PUBLIC_FORM = {"name": "Mevrouw Peters", "street": "Dorpsstraat 1", "postcode": "4811 AA",
               "city": "Breda", "phone": "076-1234567", "kind": "tuin",
               "description": "De heg knippen", "preferred_dates": "dinsdag"}


def _help_requests(session, tenant) -> int:
    with tenant_context(session, tenant.id):
        return session.scalar(select(func.count()).select_from(HelpRequest))


@pytest.mark.parametrize("field", ["name", "description", "street", "preferred_dates"])
def test_a_nul_byte_in_the_public_help_request_form_is_refused_in_dutch(
        client, session, tenant, field):
    token = csrf_token(client, f"/{tenant.slug}/hulp-vragen")
    data = dict(PUBLIC_FORM, csrf_token=token)
    data[field] = "De heg\x00 knippen"
    response = client.post(f"/{tenant.slug}/hulp-vragen", data=data)
    assert response.status_code in (200, 400)
    assert "stuurteken" in response.get_data(as_text=True)
    assert _help_requests(session, tenant) == 0


def test_the_public_form_still_takes_a_normal_request_and_normalises_it(
        client, session, tenant):
    token = csrf_token(client, f"/{tenant.slug}/hulp-vragen")
    data = dict(PUBLIC_FORM, csrf_token=token, name="Jose\u0301 Peters")
    response = client.post(f"/{tenant.slug}/hulp-vragen", data=data)
    assert response.status_code == 302
    with tenant_context(session, tenant.id):
        assert session.scalar(select(HelpRequest.requester_name)) == "José Peters"


@pytest.mark.parametrize("customer", ["²", BIG, DIGITS_5000])
def test_a_hostile_customer_on_the_help_request_form_is_refused(
        admin_client, session, tenant, customer):
    data = {"source": "telefoon", "name": "Mevrouw Peters", "street": "Dorpsstraat 1",
            "kind": "tuin", "description": "Heg", "payer": "bewoner",
            "price_agreement": "gratis", "customer": customer}
    response = post(admin_client, f"/{tenant.slug}/hulpvragen/nieuw", data)
    _calm(response)
    assert _help_requests(session, tenant) == 0


@pytest.mark.parametrize("entry", ["²", BIG, DIGITS_5000, "١٢"])
def test_the_approval_form_takes_hostile_entry_ids_calmly(admin_client, tenant, entry):
    response = post(admin_client, f"/{tenant.slug}/uren/goedkeuren",
                    {"entry": [entry, entry], f"version-{entry}": entry})
    assert response.status_code == 302


@pytest.mark.parametrize("cell", [f"u-{DIGITS_5000}-2026-03-02", "u-١٢-2026-03-02",
                                  f"u-{BIG}-2026-03-02", "u-1-9999-12-31"])
def test_the_week_grid_takes_hostile_cell_names_calmly(admin_client, tenant, cell):
    _calm(post(admin_client, f"/{tenant.slug}/uren/week", {cell: "2"}))


def test_a_hostile_week_answers_this_week(admin_client, tenant):
    for week in ("9999-W52", "٢٠٢٦-W01", "0000-W01"):
        for path in ("uren/week", "hulpvragen/week"):
            assert admin_client.get(f"/{tenant.slug}/{path}?week={week}").status_code == 200


def test_a_form_refuses_a_control_character_in_dutch_and_unicode_digits_in_a_number(
        admin_client, tenant):
    response = post(admin_client, f"/{tenant.slug}/deelnemers/nieuw", {
        "first_name": "Jan\x1b", "last_name": "de Vries", "available_hours": "١٢"})
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "stuurteken" in text
    assert "cijfers 0 tot en met 9" in text


def test_an_impossible_date_in_a_form_is_refused_in_dutch(admin_client, tenant):
    response = post(admin_client, f"/{tenant.slug}/deelnemers/nieuw", {
        "first_name": "Jan", "last_name": "de Vries", "date_of_birth": "9999-12-31"})
    assert "tussen 1900 en 2100" in response.get_data(as_text=True)


# --- the rule holds for every form -------------------------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: the API-token form belongs to the API's owner (its parameters are parsed there)
NOT_YET: set[str] = set()


def test_every_form_derives_from_the_base_form():
    offenders = []
    for path in sorted((ROOT / "blueprints").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel in NOT_YET:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", None)) for b in node.bases}
                if "FlaskForm" in bases or "Form" in bases:
                    offenders.append(f"{rel}:{node.lineno} {node.name}")
    assert not offenders, "derive from tenants.forms.BaseForm: " + ", ".join(offenders)


def _form_classes():
    import importlib

    from tenants.forms import BaseForm

    for path in sorted((ROOT / "blueprints").rglob("forms.py")):
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(set(subclasses(BaseForm)), key=lambda c: (c.__module__, c.__name__))


def test_every_text_field_a_person_types_in_declares_its_length():
    """The limit a form shows (maxlength) and checks is the column's; a hidden field gets the
    base form's default."""
    from wtforms import HiddenField, PasswordField, StringField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import Length

    missing, checked = [], 0
    for form_class in _form_classes():
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if not (isinstance(unbound, UnboundField)
                    and issubclass(unbound.field_class, StringField)
                    and not issubclass(unbound.field_class, (PasswordField, HiddenField))):
                continue
            validators = unbound.kwargs.get("validators") or ()
            checked += 1
            if not any(isinstance(v, Length) and v.max > 0 for v in validators):
                missing.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert checked > 50
    assert not missing, missing


def test_the_base_form_limits_a_field_that_declares_nothing(app):
    from wtforms import HiddenField, StringField
    from werkzeug.datastructures import MultiDict

    from tenants.forms import DEFAULT_MAX_LENGTH, BaseForm

    class Form(BaseForm):
        hidden = HiddenField()
        text = StringField()

    with app.test_request_context():
        form = Form(MultiDict({"hidden": "x" * (DEFAULT_MAX_LENGTH + 1), "text": "e\u0301"}),
                    meta={"csrf": False})
        assert not form.validate()
        assert "hidden" in form.errors and "text" not in form.errors
        assert form.text.data == "\u00e9"


def test_dates_a_page_shows_for_today_are_within_range():
    assert inputs.DATE_MIN < date.today() < inputs.DATE_MAX
