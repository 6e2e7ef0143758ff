"""The house style of every PDF the app makes (agreement, hour statement, invoice): fonts, colours,
page margins, paragraph styles and the Dutch formatting of dates and hours.

Names are printed exactly as typed: the text is set in DejaVu Sans Condensed, a TrueType font
shipped in `tenants/data/fonts/` (version, licence and why condensed in its README) and embedded
in each PDF as a subset of the glyphs used. It covers Latin, Greek, Cyrillic, Turkish, Polish, Czech, Hungarian, the euro
sign, dashes and common symbols (✓), so "Şükrü Yılmaz-Łęcka" is not transliterated and no glyph
is silently drawn from a symbol font. The app does not use the machine's fonts.

Feature modules lay out their own documents with these building blocks; this module reads no
database and imports no feature.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

FONT_DIR = Path(__file__).parent / "data" / "fonts"

#: Font names as ReportLab knows them (registered below).
FONT = "DejaVuSansCondensed"
FONT_BOLD = "DejaVuSansCondensed-Bold"
FONT_ITALIC = "DejaVuSansCondensed-Oblique"
FONT_BOLD_ITALIC = "DejaVuSansCondensed-BoldOblique"


def register_fonts() -> None:
    """Register the embedded fonts with ReportLab once; `<b>` and `<i>` in a Paragraph pick the
    bold and oblique faces."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)


register_fonts()


# --- formatting -----------------------------------------------------------------------------

def format_day(day: date | None) -> str:
    """22-11-2026; "" for no date."""
    return day.strftime("%d-%m-%Y") if day else ""


def format_hours(hours: Decimal) -> str:
    """Decimal("9.5") -> "9,5"; Decimal("12.0") -> "12"."""
    hours = Decimal(hours)
    text = str(hours.quantize(Decimal(1))) if hours == hours.to_integral_value() \
        else format(hours.normalize(), "f")
    return text.replace(".", ",")


def text(value) -> str:
    """User text for a Paragraph: shown exactly as typed, markup characters escaped."""
    return escape(str(value))


# --- layout ---------------------------------------------------------------------------------

INK = colors.HexColor("#1b1b1b")
ACCENT = colors.HexColor("#1f3a5f")
MUTED = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#c8ced6")
PANEL = colors.HexColor("#f2f4f7")
MARGIN = 20 * mm
#: The frame's width: the page less its margins and the frame's own padding (6 pt a side).
CONTENT_WIDTH = A4[0] - 2 * MARGIN - 2 * 6
#: Size of the footer line every document draws.
FOOTER_SIZE = 7.5

_base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK)
STYLES = {
    "body": ParagraphStyle("body", parent=_base, spaceAfter=4),
    "cell": _base,
    "small": ParagraphStyle("small", parent=_base, fontSize=8.5, leading=11.5, textColor=MUTED),
    "org": ParagraphStyle("org", parent=_base, fontName=FONT_BOLD, fontSize=11,
                          leading=14, textColor=ACCENT),
    "org_right": ParagraphStyle("org_right", parent=_base, fontSize=8.5, leading=11.5,
                                textColor=MUTED, alignment=TA_RIGHT),
    "title": ParagraphStyle("title", parent=_base, fontName=FONT_BOLD, fontSize=18,
                            leading=22, spaceBefore=10, spaceAfter=2),
    "subtitle": ParagraphStyle("subtitle", parent=_base, fontSize=10.5, leading=14,
                               textColor=MUTED, spaceAfter=8),
    "h2": ParagraphStyle("h2", parent=_base, fontName=FONT_BOLD, fontSize=11.5,
                         leading=15, textColor=ACCENT, spaceBefore=12, spaceAfter=4,
                         keepWithNext=1),
    "label": ParagraphStyle("label", parent=_base, fontSize=8, leading=10, textColor=MUTED),
    "party_name": ParagraphStyle("party_name", parent=_base, fontName=FONT_BOLD,
                                 fontSize=10.5, leading=14),
    "contact": ParagraphStyle("contact", parent=_base, fontSize=8, leading=11,
                              splitLongWords=1),
    "key": ParagraphStyle("key", parent=_base, textColor=MUTED),
    #: a table's column heading
    "head": ParagraphStyle("head", parent=_base, fontName=FONT_BOLD, fontSize=8.5,
                           leading=10.5),
}


def p(markup: str, style: str | ParagraphStyle = "body") -> Paragraph:
    """A Paragraph of `markup` (user text inside it must have gone through `text()`)."""
    return Paragraph(markup, STYLES[style] if isinstance(style, str) else style)


def table_style(commands: list) -> TableStyle:
    """A TableStyle whose plain-text cells are set in the house font too (ReportLab's default
    is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def document(buffer: BytesIO, *, title: str, author: str, subject: str,
             compress: bool = True) -> SimpleDocTemplate:
    """An A4 document in the house margins and font (also the canvas's initial font, so the PDF
    declares no base font). `compress=False` gives a deterministic, uncompressed file (tests)."""
    return SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
        bottomMargin=22 * mm, title=title, author=author, subject=subject, creator="Wijkwerk",
        lang="nl-NL", pageCompression=1 if compress else 0, invariant=0 if compress else 1,
        initialFontName=FONT)
