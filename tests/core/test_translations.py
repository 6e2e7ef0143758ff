"""The English catalogue covers every Dutch message in the code, and the committed .mo matches it.

The Dutch strings in the code and templates are the msgids. When these tests fail, run
`make translations` (or the pybabel commands in the Makefile), translate what is new in
translations/en/LC_MESSAGES/messages.po and commit both the .po and the .mo.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Translations

from tests.helpers import post

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
HINT = "run `make translations`, translate the new entries in messages.po and commit the .po and .mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read_po(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _english_catalog():
    return _read_po(EN_PO, locale="en")


def _extract(tmp_path) -> list[str]:
    """The msgids in the code now, extracted exactly as the Makefile does."""
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "--sort-output", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [m.id for m in _read_po(pot) if m.id]


def _msgids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_message_in_the_code_has_an_english_translation(tmp_path):
    extracted = _extract(tmp_path)
    assert len(extracted) > 100, "the extraction found almost nothing: is babel.cfg right?"
    catalog = _english_catalog()
    problems = []
    for msgid in extracted:
        message = catalog.get(msgid)
        key = msgid if isinstance(msgid, str) else msgid[0]
        if message is None:
            problems.append(f"missing:      {key!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy:        {key!r}")
        elif not all(s.strip() for s in _strings(message)):
            problems.append(f"untranslated: {key!r}")
    assert not problems, (
        f"{len(problems)} message(s) in the code lack an English translation "
        f"({HINT}):\n" + "\n".join(problems))


def test_translations_keep_the_placeholders():
    wrong = []
    for message in _english_catalog():
        if not message.id or not message.string:
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_msgids(message))))
        for string in _strings(message):
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                wrong.append(f"{_msgids(message)[0]!r} -> {string!r}")
    assert not wrong, "translations that change the %(name)s placeholders:\n" + "\n".join(wrong)


def test_committed_mo_matches_the_po():
    catalog = _english_catalog()
    # What `pybabel compile` writes: translated, non-fuzzy, non-obsolete messages.
    expected = {}
    for message in catalog:
        if not message.id or message.fuzzy or not all(_strings(message)):
            continue
        if isinstance(message.id, tuple):
            for index, string in enumerate(message.string):
                expected[(message.id[0], index)] = string
        else:
            expected[message.id] = message.string
    compiled = Translations.load(str(TRANSLATIONS), ["en"])
    assert isinstance(compiled, Translations), f"no compiled English catalogue ({HINT})"
    actual = {key: value for key, value in compiled._catalog.items() if key != ""}
    stale = sorted(str(k) for k in expected.keys() ^ actual.keys())
    stale += sorted(str(k) for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not stale, (
        f"translations/en/LC_MESSAGES/messages.mo is out of date with messages.po ({HINT}); "
        f"differs on:\n" + "\n".join(stale[:50]))


def test_language_switch_translates_the_login_page(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="nl"' in html and "Inloggen" in html

    post(client, "/taal", {"lang": "en", "next": "/login"}, token_from="/login")
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Log in" in html and "Forgotten your password?" in html
    assert "Inloggen" not in html and "Wachtwoord vergeten?" not in html

    post(client, "/taal", {"lang": "nl", "next": "/login"}, token_from="/login")
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="nl"' in html and "Inloggen" in html and "Wachtwoord vergeten?" in html
