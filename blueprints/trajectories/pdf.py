"""The agreement (overeenkomst) as a PDF: participant, host supervisor and job coach sign it.

`agreement_data()` reads everything the document shows into a frozen `AgreementData` of plain
values (scoped queries, the session's tenant set); `agreement_pdf()` lays it out with ReportLab
and touches no database. The document is Dutch whatever the reader's interface language: it is
signed as a Dutch agreement, so labels are taken in Dutch and the body text is not translated.

The house style, the embedded Unicode font (names print exactly as typed) and the Dutch dates
(dd-mm-yyyy) and hours (9,5) come from the kernel's PDF kit, tenants.pdf.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from io import BytesIO

from flask_babel import force_locale
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.participants.models import Benefit, HostOrganisation, Neighbourhood
from blueprints.trajectories.models import (
    Evaluation,
    LearningGoal,
    Trajectory,
    TrajectoryKind,
)
from blueprints.trajectories.services import FUNDING_LABELS, KIND_LABELS, participant_of
from tenants.models import Tenant, User
from tenants.pdf import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    FOOTER_SIZE,
    INK,
    MARGIN,
    MUTED,
    PANEL,
    RULE,
    document,
    format_day,
    format_hours,
    table_style,
)
from tenants.pdf import p as _p
from tenants.pdf import text as _e

#: Kinds with a wage (an employment contract); every other kind is work with the benefit kept.
PAID_KINDS = frozenset({TrajectoryKind.BASIC_JOB, TrajectoryKind.SHELTERED})
BENEFIT_TEXT = {
    Benefit.BIJSTAND: "bijstand volgens de Participatiewet",
    Benefit.WW: "WW",
    Benefit.WAJONG: "Wajong",
    Benefit.IOAW: "IOAW",
    Benefit.IOAZ: "IOAZ",
    Benefit.BBZ: "Bbz (bijstand voor zelfstandigen)",
    Benefit.WIA: "WIA",
    Benefit.ZW: "Ziektewet",
    Benefit.ANW: "Anw",
}


@dataclass(frozen=True)
class AgreementData:
    """Everything the agreement shows, as plain values (no ORM objects, no lazy strings)."""

    tenant_name: str
    tenant_kvk: str | None
    tenant_municipality: str | None
    kind: str  # TrajectoryKind value
    kind_label: str
    paid: bool
    participant_name: str
    participant_address: tuple[str, ...]
    participant_neighbourhood: str | None
    participant_benefit: str | None  # None: no benefit
    host_name: str | None  # None: the cooperative itself
    host_address: tuple[str, ...]
    host_supervisor_name: str | None
    host_supervisor_contact: tuple[str, ...]  # e-mail, phone
    host_insurance_covered: bool | None  # None without a host
    vog_required: bool
    participant_vog_date: date | None
    coach_name: str | None
    coach_email: str | None
    starts_on: date
    planned_end_on: date | None
    hours_per_week: Decimal
    build_up: tuple[tuple[date, Decimal], ...]
    funding_label: str
    goals: tuple[tuple[str, str | None], ...]
    next_evaluation_on: date | None
    generated_on: date


def _address(street: str | None, postcode: str | None, city: str | None) -> tuple[str, ...]:
    place = " ".join(p for p in (postcode, city) if p)
    return tuple(p for p in (street, place) if p)


def agreement_data(session: Session, trajectory: Trajectory,
                   today: date | None = None) -> AgreementData:
    """Read the agreement's contents for `trajectory` (the session's tenant must be set)."""
    participant = participant_of(session, trajectory)
    tenant = session.scalar(select(Tenant).where(Tenant.id == trajectory.tenant_id))
    host = None
    if trajectory.host_organisation_id is not None:
        host = session.scalar(select(HostOrganisation).where(
            HostOrganisation.id == trajectory.host_organisation_id))
    wijk = None
    if participant.neighbourhood_id is not None:
        wijk = session.scalar(select(Neighbourhood.name).where(
            Neighbourhood.id == participant.neighbourhood_id))
    coach = None
    if trajectory.job_coach_id is not None:
        coach = session.scalar(select(User).where(User.id == trajectory.job_coach_id))
    goals = session.execute(select(LearningGoal.title, LearningGoal.description).where(
        LearningGoal.trajectory_id == trajectory.id).order_by(LearningGoal.created_at,
                                                              LearningGoal.id)).all()
    next_evaluation = session.scalar(select(Evaluation.planned_on).where(
        Evaluation.trajectory_id == trajectory.id, Evaluation.held_on.is_(None))
        .order_by(Evaluation.planned_on).limit(1))
    # The trajectory names the supervisor at the host; without one, the host's contact person.
    supervisor_name = trajectory.host_supervisor_name
    supervisor_contact = (trajectory.host_supervisor_contact,) \
        if trajectory.host_supervisor_contact else ()
    if host is not None and supervisor_name is None:
        supervisor_name = host.contact_name
        supervisor_contact = supervisor_contact or tuple(
            c for c in (host.contact_email, host.contact_phone) if c)
    with force_locale("nl"):
        kind_label = str(KIND_LABELS[trajectory.kind])
        funding_label = str(FUNDING_LABELS[trajectory.funding])
    return AgreementData(
        tenant_name=tenant.name,
        tenant_kvk=tenant.kvk_number or None,
        tenant_municipality=tenant.municipality.name if tenant.municipality else None,
        kind=trajectory.kind.value,
        kind_label=kind_label,
        paid=trajectory.kind in PAID_KINDS,
        participant_name=participant.full_name,
        participant_address=_address(participant.street, participant.postcode, participant.city),
        participant_neighbourhood=wijk,
        participant_benefit=BENEFIT_TEXT.get(participant.benefit),
        host_name=host.name if host else None,
        host_address=_address(host.street, host.postcode, host.city) if host else (),
        host_supervisor_name=supervisor_name,
        host_supervisor_contact=supervisor_contact,
        host_insurance_covered=host.insurance_covered if host else None,
        vog_required=bool(host and host.vog_required),
        participant_vog_date=participant.vog_date if participant.vog_present else None,
        coach_name=coach.name if coach else None,
        coach_email=coach.email if coach else None,
        starts_on=trajectory.starts_on,
        planned_end_on=trajectory.planned_end_on,
        hours_per_week=Decimal(trajectory.hours_per_week),
        build_up=tuple((date.fromisoformat(s["from"]), Decimal(s["hours"]))
                       for s in trajectory.build_up or []),
        funding_label=funding_label,
        goals=tuple((title, description) for title, description in goals),
        next_evaluation_on=next_evaluation,
        generated_on=today or date.today(),
    )


# --- layout ---------------------------------------------------------------------------------

def _bullets(items: list[str]) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(item, "cell"), leftIndent=12, bulletColor=ACCENT) for item in items],
        bulletType="bullet", start="\u2022", leftIndent=12, bulletFontName=FONT,
        bulletFontSize=9,
        spaceBefore=2, spaceAfter=2)


def _numbered(items: list[str]) -> ListFlowable:
    return ListFlowable([ListItem(_p(item, "cell"), leftIndent=16) for item in items],
                        bulletType="1", bulletFormat="%s.", leftIndent=16,
                        bulletFontName=FONT, bulletFontSize=9.5)


class _Section:
    """Numbers the headings as they are added."""

    def __init__(self):
        self.number = 0

    def __call__(self, title: str) -> Paragraph:
        self.number += 1
        return _p(f"{self.number}. {_e(title)}", "h2")


def _header(d: AgreementData) -> Table:
    facts = []
    if d.tenant_kvk:
        facts.append(f"KvK {_e(d.tenant_kvk)}")
    if d.tenant_municipality:
        facts.append(f"gemeente {_e(d.tenant_municipality)}")
    left = [_p(_e(d.tenant_name), "org")]
    if facts:
        left.append(_p(" · ".join(facts), "small"))
    right = [_p(f"Opgesteld op {format_day(d.generated_on)}", "org_right")]
    table = Table([[left, right]], colWidths=[120 * mm, CONTENT_WIDTH - 120 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
    ]))
    return table


def _party(label: str, name: str | None, lines: list[str], contact: list[str],
           called: str) -> list:
    cell = [_p(_e(label).upper(), "label"), Spacer(0, 2),
            _p(_e(name) if name else "<i>nog niet bekend</i>", "party_name")]
    cell += [_p(line, "cell") for line in lines]
    cell += [_p(line, "contact") for line in contact]
    cell += [Spacer(0, 3), _p(f"hierna: {called}", "small")]
    return cell


def _parties(d: AgreementData) -> Table:
    participant = [_e(x) for x in d.participant_address]
    if d.participant_neighbourhood:
        participant.append(f"wijk {_e(d.participant_neighbourhood)}")

    if d.host_name:
        host_name = d.host_name
        host = [_e(x) for x in d.host_address]
    else:
        host_name = f"{d.tenant_name} (de coöperatie zelf)"
        host = []
    if d.host_supervisor_name:
        host.append(f"begeleider: {_e(d.host_supervisor_name)}")
    host_contact = [_e(c) for c in d.host_supervisor_contact]

    coach = [f"namens {_e(d.tenant_name)}"]
    coach_contact = [_e(d.coach_email)] if d.coach_email else []

    width = (CONTENT_WIDTH - 2 * 4 * mm) / 3
    table = Table([[_party("Deelnemer", d.participant_name, participant, [], "de deelnemer"),
                    "",
                    _party("Inzetorganisatie", host_name, host, host_contact,
                           "de inzetorganisatie" if d.host_name else "de coöperatie"),
                    "",
                    _party("Jobcoach", d.coach_name, coach, coach_contact, "de jobcoach")]],
                  colWidths=[width, 4 * mm, width, 4 * mm, width])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[("BACKGROUND", (c, 0), (c, 0), PANEL) for c in (0, 2, 4)],
        *[("LINEABOVE", (c, 0), (c, 0), 1.5, ACCENT) for c in (0, 2, 4)],
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        *[(p, (c, 0), (c, 0), 0) for c in (1, 3) for p in ("LEFTPADDING", "RIGHTPADDING")],
    ]))
    return table


def _schedule(d: AgreementData) -> str:
    """The build-up as text, in the order it applies (see services.agreed_hours_on)."""
    steps = [(d.starts_on, d.hours_per_week)]
    for start, hours in sorted(d.build_up):
        if start <= steps[-1][0]:
            steps[-1] = (steps[-1][0], hours)
        else:
            steps.append((start, hours))
    return "<br/>".join(f"vanaf {format_day(start)}: {format_hours(hours)} uur per week"
                        for start, hours in steps)


def _work_table(d: AgreementData) -> Table:
    place = (", ".join([d.host_name, *d.host_address]) if d.host_name
             else f"bij {d.tenant_name}" + (f", in de wijk {d.participant_neighbourhood}"
                                            if d.participant_neighbourhood else ""))
    rows = [
        ("Soort traject", _e(d.kind_label)),
        ("Startdatum", format_day(d.starts_on)),
        ("Geplande einddatum", format_day(d.planned_end_on) or "geen; loopt tot beëindiging"),
        ("Uren per week", f"{format_hours(d.hours_per_week)} uur"),
    ]
    if d.build_up:
        rows.append(("Opbouw van de uren", _schedule(d)))
    rows += [
        ("Werkplek", _e(place)),
        ("Begeleiding op de werkvloer", _e(d.host_supervisor_name or "de jobcoach")),
        ("Financiering", _e(d.funding_label)),
    ]
    table = Table([[_p(k, "key"), _p(v, "cell")] for k, v in rows],
                  colWidths=[52 * mm, CONTENT_WIDTH - 52 * mm])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _pay_text(d: AgreementData) -> list[str]:
    if d.paid:
        return ["De deelnemer krijgt voor dit werk loon op grond van een arbeidsovereenkomst. "
                "Die arbeidsovereenkomst regelt loon, vakantie en ziekte; deze overeenkomst "
                "regelt het werk en de begeleiding."]
    if d.participant_benefit:
        text = [f"De deelnemer werkt <b>met behoud van uitkering</b> "
                f"({_e(d.participant_benefit)}). Dit is geen arbeidsovereenkomst: de deelnemer "
                "ontvangt geen loon van de coöperatie of de inzetorganisatie, zodat de uitkering "
                "niet in gevaar komt.",
                "De deelnemer meldt dit traject aan de uitkeringsinstantie als die daarom vraagt "
                "(informatieplicht); de jobcoach helpt daarbij."]
    else:
        text = ["Dit is geen arbeidsovereenkomst: de deelnemer ontvangt voor dit werk geen loon."]
    if d.kind == TrajectoryKind.COUNTER_PERFORMANCE.value:
        text.append("Een tegenprestatie is geen vrijwilligerswerk: er hoort geen "
                    "vrijwilligersvergoeding bij.")
    return text


def _evaluation_text(d: AgreementData) -> list[str]:
    who = "de begeleider van de inzetorganisatie" if d.host_name else "de coöperatie"
    if d.kind == TrajectoryKind.TRIAL_PLACE.value:
        text = [f"Aan het eind van de proefplaats (na 2 maanden) bespreken de deelnemer, {who} "
                "en de jobcoach of de proefplaats leidt tot werk, of dat zij wordt verlengd "
                "(met ten hoogste 4 maanden, Pw art. 8a lid 2 onder d)."]
    else:
        text = [f"De jobcoach evalueert het traject ten minste eens per drie maanden met de "
                f"deelnemer en {who}: de leerdoelen, de uren en hoe het met de deelnemer gaat."]
    if d.kind == TrajectoryKind.PARTICIPATION_PLACE.value:
        text.append("Na 9 maanden volgt de wettelijke evaluatie. Een participatieplaats duurt "
                    "ten hoogste 2 jaar, met twee keer een jaar verlenging (Pw art. 10a).")
    if d.next_evaluation_on:
        text.append(f"De eerstvolgende evaluatie staat gepland op "
                    f"{format_day(d.next_evaluation_on)}.")
    return text


def _insurance_text(d: AgreementData) -> list[str]:
    if d.host_name is None:
        text = ["De coöperatie zorgt dat de deelnemer tijdens het werk verzekerd is tegen "
                "ongevallen en wettelijke aansprakelijkheid."]
    elif d.host_insurance_covered:
        text = [f"{_e(d.host_name)} valt onder de gemeentelijke vrijwilligersverzekering: de "
                "deelnemer is tijdens het werk verzekerd tegen ongevallen en wettelijke "
                "aansprakelijkheid."]
    else:
        text = [f"{_e(d.host_name)} valt <b>niet</b> onder de gemeentelijke "
                "vrijwilligersverzekering en zorgt zelf voor een ongevallen- en "
                "aansprakelijkheidsverzekering die de deelnemer tijdens het werk dekt."]
    if d.vog_required:
        where = _e(d.host_name) if d.host_name else "De coöperatie"
        if d.participant_vog_date:
            text.append(f"{where} vraagt een Verklaring Omtrent het Gedrag (VOG). De deelnemer "
                        f"heeft een VOG van {format_day(d.participant_vog_date)}.")
        else:
            text.append(f"{where} vraagt een Verklaring Omtrent het Gedrag (VOG). De deelnemer "
                        "levert die aan vóór de start; zonder VOG begint het werk niet.")
    return text


def _expectations(d: AgreementData) -> list[str]:
    host = _e(d.host_name) if d.host_name else "De coöperatie"
    return [
        "<b>De deelnemer</b> komt op de afgesproken tijden, werkt mee aan de leerdoelen en meldt "
        "ziekte of afwezigheid vóór aanvang bij de begeleider.",
        f"<b>{host}</b> biedt passend en veilig werk, wijst een vaste begeleider aan en "
        "laat de jobcoach weten als er iets speelt.",
        "<b>De jobcoach</b> begeleidt de deelnemer, houdt contact met alle partijen, keurt de "
        "uren goed en legt de evaluaties vast.",
    ]


def _signatures(d: AgreementData) -> Table:
    host_signer = d.host_supervisor_name or ""
    blocks = [("Deelnemer", d.participant_name),
              ("Namens de inzetorganisatie" if d.host_name else "Namens de coöperatie",
               host_signer),
              ("Jobcoach", d.coach_name or "")]
    width = (CONTENT_WIDTH - 2 * 6 * mm) / 3
    cells = []
    for label, name in blocks:
        cells.append([
            _p(_e(label).upper(), "label"), Spacer(0, 3),
            _p(f"Naam: {_e(name)}" if name else "Naam:", "cell"),
            Spacer(0, 8),
            _p("Datum: ____________________", "cell"),
            Spacer(0, 8),
            _p("Handtekening:", "cell"),
            Spacer(0, 16 * mm),
        ])
    table = Table([[cells[0], "", cells[1], "", cells[2]]],
                  colWidths=[width, 6 * mm, width, 6 * mm, width])
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        *[("LINEBELOW", (c, 0), (c, 0), 0.8, INK) for c in (0, 2, 4)],
    ]))
    return table


class _NumberedCanvas(canvas.Canvas):
    """Draws the footer once the number of pages is known ("pagina 1 van 2")."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width = A4[0]
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        self.setFont(FONT, FOOTER_SIZE)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(width - MARGIN, 10 * mm,
                             f"pagina {self._pageNumber} van {total}")
        self.restoreState()


def agreement_pdf(data: AgreementData, compress: bool = True) -> bytes:
    """The agreement as PDF bytes. `compress=False` gives a deterministic, uncompressed file
    whose text can be searched as bytes (tests)."""
    d = data
    buffer = BytesIO()
    kind_title = d.kind_label[:1].lower() + d.kind_label[1:]
    doc = document(buffer, title=f"Overeenkomst {kind_title}", author=d.tenant_name,
                   subject="Overeenkomst tussen deelnemer, inzetorganisatie en jobcoach",
                   compress=compress)
    section = _Section()
    story = [
        _header(d),
        _p(f"Overeenkomst {_e(kind_title)}", "title"),
        _p("Afspraken over werk en begeleiding tussen deelnemer, "
           + ("inzetorganisatie" if d.host_name else "coöperatie") + " en jobcoach", "subtitle"),
        section("Partijen"),
        _parties(d),
        section("Het werk"),
        _work_table(d),
        section("Loon en uitkering"),
        *[_p(t) for t in _pay_text(d)],
        section("Leerdoelen"),
    ]
    if d.goals:
        story.append(_numbered([
            f"<b>{_e(title)}</b>" + (f"<br/>{_e(description)}" if description else "")
            for title, description in d.goals]))
    else:
        story.append(_p("Er zijn nog geen leerdoelen vastgelegd. De jobcoach legt ze in de "
                        "eerste weken samen met de deelnemer vast."))
    story += [
        section("Wat partijen van elkaar mogen verwachten"),
        _bullets(_expectations(d)),
        section("Evaluatie"),
        *[_p(t) for t in _evaluation_text(d)],
        section("Verzekering en VOG" if d.vog_required else "Verzekering"),
        *[_p(t) for t in _insurance_text(d)],
        section("Privacy"),
        _p("De coöperatie legt alleen vast wat nodig is voor de begeleiding: contactgegevens, "
           "uren, leerdoelen en evaluaties. <b>Wijkwerk bewaart geen BSN.</b> Gegevens over de "
           "voortgang van de deelnemer gaan alleen naar de gemeente als de deelnemer daar "
           "schriftelijk toestemming voor geeft (Pw art. 65). De deelnemer mag de eigen "
           "gegevens altijd inzien."),
        section("Einde van de overeenkomst"),
        _p((f"De overeenkomst eindigt op {format_day(d.planned_end_on)}"
            if d.planned_end_on else "De overeenkomst loopt tot zij wordt beëindigd")
           + ", of eerder als de deelnemer betaald werk of een opleiding vindt. Elke partij kan "
           "de overeenkomst tussentijds beëindigen door dat schriftelijk (ook per e-mail) aan "
           "de andere partijen te laten weten; de jobcoach bespreekt dat eerst met de "
           "deelnemer. Bij het einde legt de jobcoach vast waar de deelnemer naartoe gaat. Bij "
           "een verschil van mening bemiddelt de coöperatie."),
        KeepTogether([
            section("Ondertekening"),
            _p("Partijen verklaren deze overeenkomst te hebben gelezen en gaan ermee akkoord."),
            Spacer(0, 8),
            _signatures(d),
        ]),
    ]
    footer = f"{d.tenant_name} · Overeenkomst {kind_title} · {d.participant_name}"
    doc.build(story, canvasmaker=partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()
