"""Stored text cannot inject script: known XSS payloads through the Markdown renderer, and
through the pages that show it. The CSP stays strict."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from blueprints.knowledge.markup import ALLOWED_TAGS, clean_html, render_markdown
from tests.helpers import login, post, unique
from tests.knowledge.builders import ask, write

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "\"><img src=x onerror=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "[x](https://ok.example \"\\\" onmouseover=alert(1)\")",
]


def safe_url(url: str) -> bool:
    """The test's own reading of a link target, as a browser would take it: http(s), mailto,
    or a path/anchor on this site (no protocol-relative //host, no backslash tricks)."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").strip()
    if not cleaned:
        return False
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme:
        return scheme in {"http", "https", "mailto"}
    return not cleaned.startswith(("//", "\\", "/\\"))


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = ALLOWED_TAGS | {"ul", "li"}


def _no_script(html: str, tags=SAFE_TAGS) -> None:
    """Parsed as a browser would: only allowed elements, no event handler or style, and every
    link to a safe address. (Escaped text such as `&lt;img onerror=…&gt;` is harmless.)"""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in tags, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, html)
            assert name != "style" or tag in ("th", "td"), (tag, name, html)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert safe_url(value or ""), (tag, name, value)


#: what the page itself adds around the rendered text
PAGE_TAGS = SAFE_TAGS | {"div", "section", "article", "span", "a", "form", "input", "button",
                         "label", "select", "option", "textarea", "dl", "dt", "dd", "details",
                         "summary", "h1", "ol", "nav", "pre"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_render_harmless(payload):
    _no_script(str(render_markdown(payload)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_html_cleaner_alone_stops_them(payload):
    """The second layer holds even if the first (Markdown without raw HTML) let HTML through."""
    _no_script(clean_html(payload))


def test_ordinary_markdown_survives():
    html = str(render_markdown("## Kop\n\n**vet** en *schuin*, [wet](https://wetten.overheid.nl)"
                               "\n\n- een\n- twee\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h2>Kop</h2>" in html and "<strong>vet</strong>" in html
    assert '<a href="https://wetten.overheid.nl" rel="nofollow noopener">wet</a>' in html
    assert "<li>een</li>" in html and "<td>1</td>" in html


@pytest.mark.parametrize("url,ok", [("https://x.nl", True), ("mailto:a@b.nl", True),
                                    ("/netwerk/", True), ("#kop", True),
                                    ("javascript:alert(1)", False), ("//evil.example", False),
                                    (" java\nscript:alert(1)", False), ("data:x", False)])
def test_the_oracle_reads_links_as_a_browser_does(url, ok):
    assert safe_url(url) is ok


def test_payloads_in_questions_comments_and_articles_are_inert_on_the_page(app, client,
                                                                          network):
    admin, members = network
    body = "\n\n".join(PAYLOADS)
    question_id = ask(app, members[1], unique("<script>alert('titel')</script>"), body=body)
    article_id = write(app, admin, unique("<img src=x onerror=alert(1)>"), body=body,
                       sources="[bron](javascript:alert(1))\n<svg onload=alert(1)>")
    login(client, members[0])
    post(client, f"/netwerk/vragen/{question_id}/reageren", {"body": body},
         token_from="/netwerk/vragen/")
    for path in (f"/netwerk/vragen/{question_id}", "/netwerk/vragen/",
                 f"/netwerk/kennisbank/{article_id}", f"/netwerk/kennisbank/{article_id}/versies",
                 "/netwerk/kennisbank/"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
        _no_script(main, tags=PAGE_TAGS)
        assert "<script" not in page.split("</head>", 1)[1].lower().replace(
            '<script src="/static/', "")
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "object-src 'none'" in csp


def test_headings_move_down_and_only_the_alignment_style_stays():
    html = str(render_markdown("# Titel\n\n| a |\n|--:|\n| 1 |"))
    assert "<h2>Titel</h2>" in html and "<h1" not in html
    assert 'style="text-align:right"' in html.replace(": ", ":")
    cleaned = clean_html('<td style="text-align:left;background:url(javascript:alert(1))">x</td>')
    assert "background" not in cleaned and "javascript" not in cleaned
