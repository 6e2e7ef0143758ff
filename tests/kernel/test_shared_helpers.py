"""The kernel's shared helpers: money, ISO weeks, the BSN guard, e-mail addresses, the CSV/XLSX
writer. Every feature uses these, so each rule is checked once here."""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from tenants.bsn import contains_bsn
from tenants.emails import is_email
from tenants.errors import DomainError
from tenants.exports import Money, csv_file, xlsx_file
from tenants.money import amount_text, format_money, parse_money
from tenants.weeks import monday_of, parse_week, week_key


@pytest.mark.parametrize("typed,cents", [
    ("25", 2500), ("12,50", 1250), ("12,5", 1250), ("€ 1.234,5", 123450), ("12.345,67", 1234567),
    ("25.00", 2500), ("12.500", 1250000), ("\u00a012,00 ", 1200), ("0,05", 5), ("", None),
    (None, None), ("100.000,00", 10_000_000),
])
def test_money_as_typed_in_dutch(typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed", [
    "12,345", "abc", "-5", "1,2,3", "5,", ",5", "1.23.4", "12.34.56", "١٢", "２５", "1e3",
    "0.137",  # not a thousands group: refused rather than read as € 137
])
def test_money_that_is_no_amount_is_refused(typed):
    with pytest.raises(DomainError, match="bedrag in euro"):
        parse_money(typed)


def test_money_above_the_limit_is_a_typing_error():
    with pytest.raises(DomainError, match="te hoog"):
        parse_money("100.000,01")
    assert parse_money("250", max_cents=25000) == 25000


def test_money_is_shown_as_before(app):
    with app.test_request_context():
        assert format_money(123456) == "€\u00a01.234,56"
        assert format_money(-5) == "€\u00a0-0,05"
    assert amount_text(123456) == "1234,56" and amount_text(-1234) == "-12,34"
    assert amount_text(None) == "" and parse_money(amount_text(987654)) == 987654


def test_iso_weeks():
    today = date(2026, 11, 26)
    assert monday_of(today) == date(2026, 11, 23)
    assert parse_week("2026-W53", today) == date(2026, 12, 28)
    assert parse_week("2025-W53", today) == date(2026, 11, 23)  # no such week: this week
    assert parse_week("2026-W٤٨", today) == date(2026, 11, 23)  # ASCII digits only
    assert week_key(date(2027, 1, 4)) == "2027-W01"


@pytest.mark.parametrize("text", [
    "BSN 111222333", "bsn: 111 222 333", "111.222.333", "111-22-2333",
    "BSN 1112\u200b22333",  # a zero-width space inside (finding 11 of #9)
    "1\u200c1\u200d1\u20602\u00ad22333",  # joiners, word joiner, soft hyphen
    "\u202a111222333\u202c",  # direction marks around it
    "１１１２２２３３３",  # full-width digits
    "١١١٢٢٢٣٣٣",  # Arabic-Indic digits
    "111\u00a0222\u00a0333",  # no-break spaces
])
def test_a_bsn_is_found_however_it_is_written(text):
    assert contains_bsn(text)


@pytest.mark.parametrize("text", [
    None, "", "111222334", "1112223330", "0111222333", "000000000", "tel 06 12345678",
    "IBAN NL91ABNA0417164300",
])
def test_no_bsn_where_there_is_none(text):
    assert not contains_bsn(text)


@pytest.mark.parametrize("address,ok", [
    ("naam@example.org", True), ("jan.de.vries+wijk@devaart.example.org", True),
    ("josé@bücher.example.org", True), ("naam@example", False), ("naam@@example.org", False),
    ("naam example.org", False), ("naam@example..org", False), ("", False), (None, False),
    ("<script>@example.org", False),
])
def test_email_addresses_are_checked_by_email_validator(address, ok):
    assert is_email(address) is ok


def test_the_csv_writer_guards_formulas_and_keeps_numbers():
    body, count = csv_file(["Naam", "Telefoon", "Bedrag", "Datum", "Kenmerk"], [
        ["=HYPERLINK(\"http://evil\")", "+31 6 12345678", Money(-1234), date(2026, 3, 24),
         "-bank 123"],
        ["@SUM(A1)", "\tx", Money(5), None, "\r=1+1"],
    ])
    assert count == 2 and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "+31 6 12345678", "-12,34",
                       "24-03-2026", "'-bank 123"]
    assert rows[2] == ["'@SUM(A1)", "'\tx", "0,05", "", "'\r=1+1"]


def test_the_xlsx_writer_stores_text_as_text_and_amounts_as_numbers():
    body, count = xlsx_file(["Naam", "Bedrag", "Datum"], [
        ["=HYPERLINK(\"http://evil\")", Money(123456), date(2026, 3, 24)]], "Lijst")
    assert count == 1
    sheet = openpyxl.load_workbook(io.BytesIO(body))["Lijst"]
    name, amount, day = sheet[2]
    assert (name.value, name.data_type) == ("=HYPERLINK(\"http://evil\")", "s")
    assert float(amount.value) == 1234.56 and amount.number_format == "#,##0.00"
    assert day.value.date() == date(2026, 3, 24)
