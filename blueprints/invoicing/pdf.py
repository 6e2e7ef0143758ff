"""The invoice and the credit note as a PDF, meeting the Dutch invoice requirements.

Wet OB art. 35a asks for: the supplier's name, address, VAT id (here also the KvK number) and
the customer's name and address; the invoice date and a unique consecutive number; the date of
supply (or the period); per line what was supplied, its quantity, unit price and VAT rate; per
rate the base and the VAT amount; the mention when no VAT is charged (exempt, KOR); the totals.
We add what a customer needs to pay: the due date, the IBAN and the number as payment
reference, and the buyer's own reference when there is one.

A draft prints "CONCEPT — geen factuur" across every page and has no number: it is not an
invoice. A credit note says "Creditnota", names the invoice it credits, and shows the credited
amounts as negative amounts.

`render_invoice_pdf()` reads with document.invoice_document() (snapshots for a sent invoice)
and lays out with ReportLab in the house style of the kernel's PDF kit (tenants.pdf: its
embedded Unicode font prints every name exactly as typed). The document is Dutch whatever the
reader's interface language: 22-11-2026, € 1.234,56.
"""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from babel.numbers import format_currency
from flask import current_app, has_app_context
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
)
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import format_iban
from blueprints.invoicing.document import InvoiceDocument, invoice_document, read_logo
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from blueprints.invoicing.money import VatRate
from tenants.pdf import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    FOOTER_SIZE,
    INK,
    MARGIN,
    MUTED,
    PANEL,
    RULE,
    STYLES,
    document,
    format_day,
    format_hours,
    table_style,
)
from tenants.pdf import p as _p
from tenants.pdf import text as _e

DRAFT_TITLE = "CONCEPT — geen factuur"
WARNING = colors.HexColor("#b3261e")
RECOGNITION_TEXT = {
    "sbb": "SBB erkend leerbedrijf",
    "keurmerk": "Keurmerk",
    "gemeentelijk_contract": "Gecontracteerd door de gemeente",
}
RATE_LABEL = {VatRate.HIGH: "21%", VatRate.LOW: "9%", VatRate.ZERO: "0%",
              VatRate.EXEMPT: "vrijgesteld", VatRate.KOR: "KOR",
              VatRate.REVERSE_CHARGE: "verlegd", VatRate.INTRA_COMMUNITY: "0% ICL"}
COUNTRY = {"NL": "Nederland", "BE": "België", "DE": "Duitsland"}

_RIGHT = ParagraphStyle("invoice_right", parent=STYLES["cell"], alignment=TA_RIGHT)
_HEAD = STYLES["head"]
_HEAD_RIGHT = ParagraphStyle("invoice_head_right", parent=_HEAD, alignment=TA_RIGHT)
_DRAFT = ParagraphStyle("invoice_draft", parent=STYLES["title"], textColor=WARNING)
_BOLD_RIGHT = ParagraphStyle("invoice_bold_right", parent=_RIGHT, fontName=FONT_BOLD)


def euro(cents: int) -> str:
    """Integer cents in Dutch: 123456 -> "€ 1.234,56" (a no-break space after the sign)."""
    return format_currency(Decimal(int(cents)) / 100, "EUR", locale="nl_NL")


def _postcode(value: str | None) -> str:
    value = value or ""
    if len(value) == 6 and value[:4].isdigit() and value[4:].isalpha():
        return f"{value[:4]} {value[4:]}"
    return value


def address_lines(party: dict) -> list[str]:
    place = " ".join(p for p in (_postcode(party.get("postcode")), party.get("city")) if p)
    lines = [line for line in (party.get("street"), place) if line]
    country = (party.get("country_code") or "NL").upper()
    if country != "NL":
        lines.append(COUNTRY.get(country, country))
    return lines


def recognition_text(supplier: dict) -> str | None:
    """E.g. "SBB erkend leerbedrijf, nr. 100234567"; None without a recognition."""
    label = RECOGNITION_TEXT.get(supplier.get("recognition") or "")
    if label is None:
        return None
    reference = supplier.get("recognition_reference")
    if not reference:
        return label
    return f"{label}, nr. {reference}" if supplier.get("recognition") == "sbb" \
        else f"{label}: {reference}"


# --- parts -----------------------------------------------------------------------------------

def _logo(data: bytes | None):
    if not data:
        return None
    try:
        reader = ImageReader(BytesIO(data))
        width, height = reader.getSize()
    except Exception:  # noqa: BLE001 - a logo that cannot be read is left out, not fatal
        return None
    scale = min(45 * mm / width, 20 * mm / height)
    image = Image(BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def _header(d: InvoiceDocument, logo: bytes | None) -> Table:
    s = d.supplier
    left = []
    image = _logo(logo)
    if image is not None:
        left += [image, Spacer(0, 3)]
    left.append(_p(_e(s.get("legal_name") or ""), "org"))
    left += [_p(_e(line), "small") for line in address_lines(s)]
    facts = []
    if s.get("kvk_number"):
        facts.append(f"KvK {_e(s['kvk_number'])}")
    if s.get("vat_id"):
        facts.append(f"Btw-id {_e(s['vat_id'])}")
    elif d.kor:
        facts.append("Kleineondernemersregeling (KOR)")
    if s.get("iban"):
        facts.append(f"IBAN {_e(format_iban(s['iban']))}")
    if s.get("bic"):
        facts.append(f"BIC {_e(s['bic'])}")
    if s.get("email"):
        facts.append(_e(s["email"]))
    if s.get("phone"):
        facts.append(_e(s["phone"]))
    right = [_p("<br/>".join(facts), "org_right")]
    table = Table([[left, right]], colWidths=[110 * mm, CONTENT_WIDTH - 110 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
    ]))
    return table


def _customer_block(d: InvoiceDocument) -> list:
    c = d.customer
    block = [_p("FACTUUR AAN" if not d.is_credit_note else "CREDITNOTA AAN", "label"),
             Spacer(0, 2), _p(_e(c.get("name") or ""), "party_name")]
    if c.get("contact_name"):
        block.append(_p(f"t.a.v. {_e(c['contact_name'])}", "cell"))
    block += [_p(_e(line), "cell") for line in address_lines(c)]
    ids = []
    if c.get("vat_id"):
        ids.append(f"Btw-id {_e(c['vat_id'])}")
    if c.get("kvk_number"):
        ids.append(f"KvK {_e(c['kvk_number'])}")
    if c.get("oin"):
        ids.append(f"OIN {_e(c['oin'])}")
    if ids:
        block.append(_p(" · ".join(ids), "small"))
    return block


def supply_text(d: InvoiceDocument) -> tuple[str, str]:
    """The label and text of the date of supply (Wet OB art. 35a lid 1 onder g)."""
    if d.period_start and d.period_end:
        return "Periode", f"{format_day(d.period_start)} t/m {format_day(d.period_end)}"
    dates = d.supply_dates
    if len(dates) == 1:
        return "Leverdatum", format_day(dates[0])
    if dates:
        return "Leverdata", f"{format_day(dates[0])} t/m {format_day(dates[-1])}"
    return "Leverdatum", "gelijk aan de factuurdatum"


def _facts(d: InvoiceDocument) -> Table:
    kind = "Creditnota" if d.is_credit_note else "Factuur"
    rows = [(f"{kind}nummer", _e(d.number_text) if d.number_text
             else "<i>volgt bij verzenden</i>"),
            (f"{kind}datum", format_day(d.issue_date) if d.issue_date and not d.draft
             else "<i>volgt bij verzenden</i>")]
    if d.is_credit_note and d.credited_number:
        credited = _e(d.credited_number)
        if d.credited_issue_date:
            credited += f" van {format_day(d.credited_issue_date)}"
        rows.append(("Crediteert factuur", credited))
    rows.append(supply_text(d))
    if not d.is_credit_note:
        if d.due_date and not d.draft:
            rows.append(("Vervaldatum", format_day(d.due_date)))
        elif d.payment_term_days is not None:
            rows.append(("Betalingstermijn", f"{d.payment_term_days} dagen"))
    if d.buyer_reference:
        rows.append(("Uw referentie", _e(d.buyer_reference)))
    if d.order_reference:
        rows.append(("Uw ordernummer", _e(d.order_reference)))
    table = Table([[_p(k, "key"), _p(v, "cell")] for k, v in rows],
                  colWidths=[36 * mm, 60 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _addressee_and_facts(d: InvoiceDocument) -> Table:
    table = Table([[_customer_block(d), "", _facts(d)]],
                  colWidths=[CONTENT_WIDTH - 96 * mm - 6 * mm, 6 * mm, 96 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _sign(d: InvoiceDocument) -> int:
    return -1 if d.is_credit_note else 1


def _quantity(value: Decimal) -> str:
    return format_hours(value) if value >= 0 else "-" + format_hours(-value)


def _lines_table(d: InvoiceDocument) -> Table:
    sign = _sign(d)
    several_dates = len(d.supply_dates) > 1
    head = [Paragraph("Omschrijving", _HEAD), Paragraph("Aantal", _HEAD_RIGHT),
            Paragraph("Prijs", _HEAD_RIGHT), Paragraph("Btw", _HEAD_RIGHT),
            Paragraph("Bedrag", _HEAD_RIGHT)]
    body = []
    for line in d.lines:
        text = _e(line.description)
        when = line_period(line) if line.period_start else None
        if when is None and several_dates and line.supply_date:
            when = format_day(line.supply_date)
        if when:
            text += f"<br/><font size=7.5 color='#5a5a5a'>{when}</font>"
        if line.allowance_cents:
            text += (f"<br/><font size=7.5 color='#5a5a5a'>{_e(line.allowance_reason or 'Korting')}"
                     f": -{euro(line.allowance_cents)} (van {euro(line.gross_cents)})</font>")
        body.append([
            _p(text, "cell"),
            Paragraph(f"{_quantity(line.quantity * sign)} {_e(line.unit.value)}", _RIGHT),
            Paragraph(euro(line.unit_price_cents), _RIGHT),
            Paragraph(RATE_LABEL[line.vat_rate], _RIGHT),
            Paragraph(euro(line.net_cents * sign), _RIGHT),
        ])
    if not body:
        body.append([_p("<i>Nog geen regels.</i>", "cell"), "", "", "", ""])
    widths = [CONTENT_WIDTH - 112 * mm, 28 * mm, 26 * mm, 24 * mm, 34 * mm]
    table = Table([head, *body], repeatRows=1, colWidths=widths)
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), PANEL), ("LINEABOVE", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]))
    return table


def line_period(line) -> str | None:
    """A line's period: "03-11-2026 t/m 10-11-2026" for hours over several days, the one day
    for hours on one day."""
    if not line.supply_date:
        return None
    if line.period_start and line.period_start != line.supply_date:
        return f"{format_day(line.period_start)} t/m {format_day(line.supply_date)}"
    return format_day(line.supply_date)


def _minutes_text(minutes: int) -> str:
    return format_hours((Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize())


def hours_story(d: InvoiceDocument) -> list:
    """The hours specification: per participant, per date, per job, with a total per
    participant (nothing when no hours are billed)."""
    if not d.hours:
        return []
    head = [Paragraph("Deelnemer", _HEAD), Paragraph("Datum", _HEAD),
            Paragraph("Klus", _HEAD), Paragraph("Uren", _HEAD_RIGHT)]
    body, total_rows = [], []
    groups: dict[str, list] = {}
    for hour in d.hours:
        groups.setdefault(hour.participant, []).append(hour)
    for name, items in groups.items():
        for index, hour in enumerate(items):
            body.append([_p(_e(name) if index == 0 else "", "cell"),
                         _p(format_day(hour.work_date), "cell"), _p(_e(hour.job), "cell"),
                         Paragraph(_minutes_text(hour.minutes), _RIGHT)])
        body.append([_p(f"<b>Totaal {_e(name)}</b>", "cell"), "", "",
                     Paragraph(f"<b>{_minutes_text(sum(h.minutes for h in items))}</b>",
                               _RIGHT)])
        total_rows.append(len(body))  # the row index in the table (the head is row 0)
    widths = [CONTENT_WIDTH - 100 * mm, 30 * mm, 44 * mm, 26 * mm]
    table = Table([head, *body], repeatRows=1, colWidths=widths)
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), PANEL), ("LINEABOVE", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        *[("LINEBELOW", (0, row), (-1, row), 0.4, RULE) for row in total_rows],
    ]))
    return [_p("Urenspecificatie", "h2"), table]


def vat_rows(d: InvoiceDocument) -> list[tuple[str, int]]:
    """Per rate: the base and the VAT amount (exempt and KOR: the base at 0)."""
    sign = _sign(d)
    rows = []
    for t in d.totals.per_rate:
        if t.rate in (VatRate.HIGH, VatRate.LOW, VatRate.ZERO):
            rows.append((f"Btw {RATE_LABEL[t.rate]} over {euro(t.base_cents * sign)}",
                         t.vat_cents * sign))
        elif t.rate == VatRate.EXEMPT:
            rows.append((f"Vrijgesteld van btw: {euro(t.base_cents * sign)}", 0))
        elif t.rate == VatRate.REVERSE_CHARGE:
            rows.append((f"Btw verlegd: {euro(t.base_cents * sign)}", 0))
        elif t.rate == VatRate.INTRA_COMMUNITY:
            rows.append((f"Intracommunautaire levering (0%): {euro(t.base_cents * sign)}", 0))
        else:
            rows.append((f"Geen btw (KOR): {euro(t.base_cents * sign)}", 0))
    return rows


def _totals_table(d: InvoiceDocument) -> Table:
    sign = _sign(d)
    rows = []
    if d.totals.allowance_cents:  # a discount on the whole invoice, at the rate it lowers
        rows += [("Totaal regels", d.totals.lines_cents * sign, False),
                 (f"{_e(d.allowance_reason or 'Korting')} ({RATE_LABEL[d.allowance_rate]})",
                  -d.totals.allowance_cents * sign, False)]
    rows.append(("Totaal excl. btw", d.totals.excl_cents * sign, False))
    rows += [(label, amount, False) for label, amount in vat_rows(d)]
    rows.append(("Totaal btw", d.totals.vat_cents * sign, False))
    rows.append(("Totaal gecrediteerd" if d.is_credit_note else "Totaal te betalen",
                 d.totals.incl_cents * sign, True))
    data = [[Paragraph(f"<b>{label}</b>" if bold else label, _RIGHT),
             Paragraph(euro(amount), _BOLD_RIGHT if bold else _RIGHT)]
            for label, amount, bold in rows]
    table = Table(data, colWidths=[CONTENT_WIDTH - 34 * mm, 34 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
    ]))
    return table


def mentions(d: InvoiceDocument) -> list[str]:
    """The texts the law asks for when a line carries no VAT (exempt, KOR)."""
    texts = [t.rate.mention for t in d.totals.per_rate if t.rate.mention]
    if d.kor and VatRate.KOR.mention not in texts:
        texts.append(VatRate.KOR.mention)
    return texts


def payment_text(d: InvoiceDocument) -> str:
    s = d.supplier
    name = _e(s.get("legal_name") or "")
    iban = f"<b>{_e(format_iban(s['iban'])).replace(' ', '&nbsp;')}</b>" if s.get("iban") else "<i>(IBAN ontbreekt)</i>"
    bic = f" (BIC {_e(s['bic'])})" if s.get("bic") else ""
    if d.is_credit_note:
        original = f"factuur {_e(d.credited_number)}" if d.credited_number else "uw factuur"
        return (f"Het bedrag van {euro(d.totals.incl_cents)} wordt verrekend met {original}. "
                "Heeft u die factuur al betaald, dan betalen wij het bedrag aan u terug.")
    reference = f"<b>{_e(d.number_text)}</b>" if d.number_text else "het factuurnummer"
    if d.due_date and not d.draft:
        when = f"uiterlijk {format_day(d.due_date)}"
    elif d.payment_term_days is not None:
        when = f"binnen {d.payment_term_days} dagen na de factuurdatum"
    else:
        when = "binnen de betalingstermijn"
    return (f"Wij verzoeken u het bedrag van <b>{euro(d.totals.incl_cents)}</b> {when} over te "
            f"maken op IBAN {iban}{bic} ten name van {name}, onder vermelding van {reference}.")


def _watermark(canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.7, 0.15, 0.12, alpha=0.12))
    canvas.setFont(FONT_BOLD, 90)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -30, text)
    canvas.restoreState()


def pay_online_text(url: str) -> str:
    """The line under the payment instruction when the invoice can be paid online."""
    link = escape(url, {'"': "&quot;"})
    return f'Betaal online met iDEAL of kaart: <link href="{link}">{link}</link>'


def invoice_pdf(d: InvoiceDocument, logo: bytes | None = None, compress: bool = True,
                pay_url: str | None = None) -> bytes:
    """The document as PDF bytes; touches no database. `compress=False` gives a deterministic,
    uncompressed file whose text can be searched as bytes (tests). `pay_url`: the invoice's
    online pay link, printed under the payment instruction."""
    kind = "Creditnota" if d.is_credit_note else "Factuur"
    title = DRAFT_TITLE if d.draft else f"{kind} {d.number_text}"
    s = d.supplier
    buffer = BytesIO()
    doc = document(buffer, title=title, author=s.get("legal_name") or "",
                   subject=f"{kind} aan {d.customer.get('name') or ''}", compress=compress)
    story = [_header(d, logo)]
    if d.draft:
        story += [_p(DRAFT_TITLE, _DRAFT),
                  _p("Dit is een concept om te controleren. Het krijgt een factuurnummer en "
                     "een factuurdatum als het wordt verzonden.", "subtitle")]
    else:
        story.append(_p(_e(title), "title"))
        if d.is_credit_note and d.credited_number:
            credited = f"Creditnota op factuur {_e(d.credited_number)}"
            if d.credited_issue_date:
                credited += f" van {format_day(d.credited_issue_date)}"
            story.append(_p(credited, "subtitle"))
        else:
            story.append(Spacer(0, 6))
    story += [_addressee_and_facts(d), Spacer(0, 10), _lines_table(d), Spacer(0, 4),
              _totals_table(d)]
    notes = [_p(_e(text), "small") for text in mentions(d)]
    if notes:
        story += [Spacer(0, 4), *notes]
    payment = [_p("Betaling", "h2"), _p(payment_text(d))]
    if pay_url and not d.draft and not d.is_credit_note:
        payment.append(_p(pay_online_text(pay_url)))
    story += [KeepTogether(payment)]
    recognition = recognition_text(s)
    if recognition:
        story.append(_p(_e(recognition), "body"))
    if d.note:
        story += [_p("Opmerking", "h2"), _p(_e(d.note).replace("\n", "<br/>"))]
    story += hours_story(d)
    identity = " · ".join(p for p in (
        s.get("legal_name") or "", f"KvK {s['kvk_number']}" if s.get("kvk_number") else "")
        if p)
    own_text = s.get("footer_text") or ""

    def _fit(canvas, text: str, width: float) -> str:
        """`text` cut (with …) to fit `width` points in the footer font."""
        while text and canvas.stringWidth(text, FONT, FOOTER_SIZE) > width:
            text = text[:-2].rstrip() + "…"
        return text

    def on_page(canvas, template):
        if d.draft:
            _watermark(canvas, "CONCEPT")
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        label = f"{DRAFT_TITLE if d.draft else title} · pagina {template.page}"
        right = A4[0] - MARGIN
        canvas.drawRightString(right, 10 * mm, label)
        room = right - MARGIN - canvas.stringWidth(label, FONT, FOOTER_SIZE) - 6 * mm
        canvas.drawString(MARGIN, 10 * mm, _fit(canvas, identity, room))
        if own_text:  # the tenant's own footer (terms, thanks) on a line of its own
            canvas.drawString(MARGIN, 6.5 * mm, _fit(canvas, own_text, right - MARGIN))
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _default_root() -> Path | None:
    if not has_app_context():
        return None
    from tenants.storage import uploads_root

    return uploads_root(current_app.instance_path)


def _pay_url(session: Session, invoice: Invoice) -> str | None:
    """The online pay link when online payment offers one for this invoice (the onlinepay
    blueprint registers it in app.extensions; without it, or outside an app, none)."""
    if not has_app_context():
        return None
    offer = current_app.extensions.get("wijkwerk.invoice_pay_url")
    return offer(session, invoice) if offer is not None else None


def render_invoice_pdf(session: Session, invoice: Invoice, *, storage_root: Path | None = None,
                       compress: bool = True) -> bytes:
    """The PDF of `invoice` (a draft prints as a CONCEPT without a number; an invoice that can
    be paid online carries its pay link)."""
    d = invoice_document(session, invoice)
    logo = read_logo(session, d, storage_root or _default_root())
    return invoice_pdf(d, logo, compress=compress, pay_url=_pay_url(session, invoice))


def file_name(invoice: Invoice) -> str:
    """factuur-F2026-00042.pdf, creditnota-C2026-00003.pdf, factuur-concept-<id>.pdf."""
    kind = "creditnota" if invoice.kind == InvoiceKind.CREDIT_NOTE else "factuur"
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number_text:
        return f"{kind}-concept-{invoice.id}.pdf"
    return f"{kind}-{invoice.number_text}.pdf"
