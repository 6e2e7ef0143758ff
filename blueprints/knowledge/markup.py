"""Markdown to safe HTML for articles, answers and questions.

Two layers, so that neither alone has to be perfect:
1. Markdown is rendered with raw HTML switched off (markdown-it-py, CommonMark): a `<script>`
   typed into an article comes out as text, and markdown-it refuses `javascript:`, `vbscript:`,
   `file:` and `data:` links.
2. The HTML is then cleaned against an allowlist of tags, attributes and URL schemes: with nh3
   when it is installed, else with the standard library's HTML parser below. Anything not on
   the list is dropped (its text kept, escaped); links get rel="nofollow noopener".

Without markdown-it-py the text is shown escaped, paragraph by paragraph.
"""
from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
})
#: tags whose content is dropped with them, not kept as text
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math",
                          "template", "noscript", "title", "textarea", "select"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"}), "ol": frozenset({"start"}),
                      "th": frozenset({"style"}), "td": frozenset({"style"})}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
VOID = frozenset({"br", "hr"})
#: the page has its own h1: an article's headings start one level lower
RENAME = {"h1": "h2", "h5": "h4", "h6": "h4"}


def safe_url(url: str) -> bool:
    """A link target we allow: http(s), mailto, or a path/anchor on this site."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").strip()
    if not cleaned:
        return False
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme:
        return scheme in ALLOWED_SCHEMES
    # no scheme: a relative link; refuse protocol-relative //host and backslash tricks
    return not cleaned.startswith(("//", "\\", "/\\"))


class _Cleaner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        tag = RENAME.get(tag.lower(), tag.lower())
        if tag in DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        kept = []
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            name = name.lower()
            if name not in allowed or value is None:
                continue
            if name == "href" and not safe_url(value):
                continue
            if name == "style" and value.replace(" ", "") not in (
                    "text-align:left", "text-align:right", "text-align:center"):
                continue
            if name == "start" and not value.isdigit():
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "a":
            kept.append(' rel="nofollow noopener"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() in DROP_CONTENT:
            self.dropping -= 1

    def handle_endtag(self, tag):
        tag = RENAME.get(tag.lower(), tag.lower())
        if tag in DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in ALLOWED_TAGS or tag in VOID or tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def clean_html(html: str) -> str:
    """Keep only allowed tags, attributes and link schemes."""
    try:
        import nh3
    except ImportError:
        cleaner = _Cleaner()
        cleaner.feed(html)
        return cleaner.result()
    return nh3.clean(html, tags=set(ALLOWED_TAGS),
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(ALLOWED_SCHEMES), link_rel="nofollow noopener")


def _markdown_html(text: str) -> str:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable("image")  # no images: the CSP allows only our own, and none are stored
    return md.render(text)


def render_markdown(text: str | None) -> Markup:
    """Markdown typed by a member or an author, as HTML safe to put in a page."""
    if not text:
        return Markup("")
    return Markup(clean_html(_markdown_html(text)))
