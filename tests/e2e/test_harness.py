"""The harness itself: axe finds what it should, so a clean page means something."""
from __future__ import annotations

import pytest

from tests.e2e.axe import check_accessibility

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="nl"><head><title>Fout</title></head><body><main>
<h1>Voorbeeld</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
<p style="color:#bbb;background:#fff" id="faint">Bijna onleesbare tekst.</p>
</main></body></html>"""


def test_axe_fails_on_serious_violations_and_names_them(page):
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(page, "deliberately bad page")
    message = str(failure.value)
    assert "deliberately bad page" in message
    assert "[critical] image-alt" in message and "#no-alt" in message
    assert "[serious] color-contrast" in message and "#faint" in message
