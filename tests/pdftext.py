"""The text of a PDF as a reader sees it, for assertions: pypdf extracts it from the page
contents (the embedded font's ToUnicode map turns glyphs back into characters), page by page."""
from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """Every page's text, pages separated by a form feed."""
    return "\f".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
