"""Markdown to safe HTML for articles, answers and questions.

Two layers, so that neither alone has to be perfect:
1. Markdown is rendered with raw HTML switched off (markdown-it-py, CommonMark): a `<script>`
   typed into an article comes out as text, and markdown-it refuses `javascript:`, `vbscript:`,
   `file:` and `data:` links. Headings move one level down (the page has its own h1).
2. The HTML is then cleaned by nh3 (ammonia) against an allowlist of tags, attributes, CSS
   properties and URL schemes. Anything not on the list is dropped (the content of script-like
   tags with it, other text kept, escaped); links get rel="nofollow noopener".
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
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
#: a table column's alignment is the only style kept
ALLOWED_STYLE = frozenset({"text-align"})
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
#: the page has its own h1: an article's headings start one level lower
RENAME = {"h1": "h2", "h5": "h4", "h6": "h4"}

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("table")
_MARKDOWN.disable("image")  # no images: the CSP allows only our own, and none are stored


def clean_html(html: str) -> str:
    """Keep only allowed tags, attributes, style properties and link schemes."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROP_CONTENT),
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     filter_style_properties=set(ALLOWED_STYLE),
                     url_schemes=set(ALLOWED_SCHEMES), link_rel="nofollow noopener")


def _markdown_html(text: str) -> str:
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = RENAME.get(token.tag, token.tag)
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def render_markdown(text: str | None) -> Markup:
    """Markdown typed by a member or an author, as HTML safe to put in a page."""
    if not text:
        return Markup("")
    return Markup(clean_html(_markdown_html(text)))
