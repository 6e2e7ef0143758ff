"""Demo content of the question box and the knowledge base: the six questions from the LSA's
call for "Werk in de wijk" (seed 002), answered from the domain facts with their sources and
their caution where a fact is uncertain; a few open questions with votes; some articles.

Called by blueprints/demo with one line. Idempotent: a question or article whose title exists is
left alone.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.knowledge.models import (
    Article,
    ArticleVersion,
    Author,
    Comment,
    Question,
    QuestionArticle,
    QuestionStatus,
    Theme,
    Vote,
)
from tenants.identity import hash_password, normalize_email
from tenants.models import NetworkMembership, NetworkRole, User

ADMIN_EMAIL = "netwerk@lsa.example.org"
#: network members who ask, vote and comment (they can log in with the demo password)
MEMBERS = [
    ("lid1@lsa.example.org", "Marloes Dijkstra", "Stadslab033 Amersfoort"),
    ("lid2@lsa.example.org", "Pieter Hoekstra", "'t Luukske, Wellerlooi"),
    ("lid3@lsa.example.org", "Samira Bouzid", "Brede School Delfzijl-Noord"),
    ("lid4@lsa.example.org", "Gerrit Veenstra", "Gemeente Amersfoort"),
]

PW = "[Participatiewet](https://wetten.overheid.nl/BWBR0015703/2026-01-01)"
SOURCES = {
    "pw": f"{PW} — tekst geldig op 1 januari 2026",
    "normen": "[Normenbrief 1 januari 2026, ministerie van SZW](https://www.rijksoverheid.nl/)",
    "sbb": "[SBB: erkend leerbedrijf worden](https://www.s-bb.nl/bedrijven/erkenning)",
    "vog": "[Justis: Gratis VOG voor vrijwilligers]"
           "(https://www.justis.nl/producten/vog/gratis-vog)",
    "vng": "[VNG: vrijwilligersverzekering van gemeenten](https://vng.nl/)",
    "bel": "[Belastingdienst: vrijwilligersvergoeding](https://www.belastingdienst.nl/)",
    "bbz": "[Rijksoverheid: Bbz, zelfstandig ondernemen vanuit de bijstand]"
           "(https://www.rijksoverheid.nl/onderwerpen/zelfstandig-ondernemer)",
    "aw": "[Aanbestedingswet 2012, art. 2.82 (voorbehouden opdrachten)]"
          "(https://wetten.overheid.nl/BWBR0032203)",
    "ob": "[Wet OB 1968, art. 11 lid 1 f](https://wetten.overheid.nl/BWBR0002629)",
    "lsa": "[LSA: Bewonersinitiatief helpt hen die buitenspel staan](https://www.lsabewoners.nl/)",
}

QUESTIONS = [
    {
        "title": "Kun je vrijwilligers de begeleiding laten doen van een leer-werktraject?",
        "body": "Bij ons begeleiden ervaren buurtbewoners de mensen die bij ons werken met "
                "behoud van uitkering. Mag dat, of moet de begeleider betaald personeel zijn?",
        "theme": Theme.BEGELEIDING, "author": 0, "anonymous": False,
        "topic": "Workshop 1 – Begeleiding en aansprakelijkheid", "votes": [1, 2, 3],
        "answer": (
            "**Ja, dat kan.** De Participatiewet (art. 10 lid 3) spreekt van begeleiding op de "
            "werkplek door een erkende jobcoach *of een interne begeleider*. De wet zegt niet "
            "dat die begeleider betaald personeel moet zijn.\n\n"
            "Wel twee kanttekeningen:\n\n"
            "- Wilt u een **SBB-erkend leerbedrijf** zijn, dan vraagt SBB een praktijkopleider "
            "en een geschikte, veilige werkplek. Dat mag een vrijwilliger zijn, zolang die de "
            "rol echt vervult.\n"
            "- Een gemeente kan in haar opdracht of subsidie eigen eisen stellen aan de "
            "begeleiding. Kijk dus in uw afspraken met de gemeente.\n\n"
            "*Let op:* of een gemeente een vrijwillige begeleider accepteert, verschilt per "
            "gemeente; dit is geen landelijke regel."),
        "sources": ["pw", "sbb"],
    },
    {
        "title": "Hoe zit het met verantwoordelijkheid en aansprakelijkheid?",
        "body": "Wie is aansprakelijk als een deelnemer of vrijwilliger bij een klus bij een "
                "bewoner iets kapot maakt of zich bezeert?",
        "theme": Theme.AANSPRAKELIJKHEID, "author": 1, "anonymous": True,
        "topic": "Workshop 1 – Begeleiding en aansprakelijkheid", "votes": [0, 2],
        "answer": (
            "- Een organisatie is in de regel **aansprakelijk voor vrijwilligers die in haar "
            "opdracht werken** (BW 6:162 en verder).\n"
            "- De meeste gemeenten hebben een **vrijwilligersverzekering** (via de VNG) die "
            "meestal ook mensen dekt die een tegenprestatie doen. Niet elke gemeente heeft "
            "die: vraag het na.\n"
            "- Leg afspraken vast in een **vrijwilligersovereenkomst**.\n"
            "- Werkt iemand met kinderen of kwetsbare mensen, vraag dan een **VOG**; die is "
            "gratis via de regeling Gratis VOG. Bewaar alleen *dat* er een VOG is en de "
            "datum, nooit de inhoud.\n\n"
            "*Let op:* wat de gemeentelijke verzekering precies dekt, verschilt per gemeente."),
        "sources": ["vng", "vog"],
    },
    {
        "title": "Kunnen we als leerwerkbedrijf ook kiezen om mensen te begeleiden naar vast "
                 "vrijwilligerswerk?",
        "body": "Niet iedereen kan door naar betaald werk. Telt vast vrijwilligerswerk als een "
                "goede uitkomst, ook voor de gemeente?",
        "theme": Theme.BEGELEIDING, "author": 2, "anonymous": False,
        "topic": "Workshop 2 – Regels en uitkering", "votes": [0, 1, 3],
        "answer": (
            "**Ja.** Sociale activering (Participatiewet art. 6 onder c) mag gericht zijn op "
            "*zelfstandige maatschappelijke participatie*. Vast vrijwilligerswerk is daarmee een "
            "erkende uitkomst.\n\n"
            "- **Tegenprestatie is geen vrijwilligerswerk**: daarvoor geen "
            "vrijwilligersvergoeding. Houd in uw uren bij welk soort werk het is.\n"
            "- Met bijstand mag iemand een vrijwilligersvergoeding houden tot **€ 220 per "
            "maand en € 2.200 per jaar** (art. 31 lid 2 onder k, bedragen 2026). Dit geldt "
            "niet voor jongeren onder 27.\n"
            "- Vanaf 1 januari 2027 vervangt *maatschappelijke participatie* de "
            "tegenprestatie en de sociale activering; 2026 is een overgangsjaar.\n\n"
            "*Let op:* de wijziging per 2027 komt uit publieke pagina's en niet uit de "
            "wettekst zelf; controleer de definitieve regels."),
        "sources": ["pw", "normen", "bel"],
    },
    {
        "title": "Waarom kun je in sommige gemeenten wel en in andere niet ondernemen vanuit "
                 "een uitkering?",
        "body": "In Breda kunnen bewoners met behoud van uitkering een eigen bedrijfje "
                "starten. Bij ons zegt de gemeente dat het niet kan. Hoe zit dat?",
        "theme": Theme.ONDERNEMEN, "author": 3, "anonymous": False,
        "topic": "Workshop 2 – Regels en uitkering", "votes": [1, 2],
        "answer": (
            "Omdat veel in de Participatiewet **aan de gemeente** is gelaten:\n\n"
            "- de gemeenteraad stelt verordeningen vast (art. 8 en 8a);\n"
            "- veel toetsen gaan \"naar het oordeel van het college\";\n"
            "- elke gemeente draagt haar eigen budget voor uitkeringen.\n\n"
            "Voor ondernemen vanuit de bijstand hangt veel af van de vraag of de gemeente de "
            "**voorbereidingsperiode van het Bbz** aanbiedt (die is niet verplicht).\n\n"
            "Voorbeeld: bij ONS Label in Breda runnen zo'n 160 bewoners per jaar tot twee "
            "jaar een eigen bedrijfje met behoud van uitkering.\n\n"
            "*Let op:* het cijfer van ONS komt uit het artikel van de LSA en is niet "
            "onafhankelijk bevestigd."),
        "sources": ["pw", "bbz", "lsa"],
    },
    {
        "title": "Wanneer krijg je een ontheffing van de arbeidsplicht (Participatiewet)?",
        "body": "Een deelnemer zorgt voor haar zieke moeder. Kunnen wij een ontheffing "
                "regelen?",
        "theme": Theme.ONTHEFFING, "author": 0, "anonymous": True,
        "topic": "Workshop 2 – Regels en uitkering", "votes": [1, 2, 3],
        "answer": (
            "**Alleen de gemeente beslist over een ontheffing.** Een coöperatie legt vast wat "
            "de gemeente besloot, maar verleent zelf nooit een ontheffing.\n\n"
            "| grond | artikel | geldt voor | duur |\n"
            "| --- | --- | --- | --- |\n"
            "| dringende redenen (bijv. zorgtaken), per geval | 9 lid 2 | arbeidsplicht en "
            "tegenprestatie (re-integratie blijft) | tijdelijk |\n"
            "| volledig en duurzaam arbeidsongeschikt | 9 lid 5 | alle verplichtingen | zolang "
            "het duurt |\n"
            "| alleenstaande ouder met kind onder 5, op verzoek | 9a | arbeidsplicht (en "
            "tegenprestatie) | tot het kind 5 is, max. 5 jaar |\n\n"
            "Mantelzorg valt meestal onder *dringende redenen* (art. 9 lid 2). Help de "
            "deelnemer het verzoek bij de gemeente te doen.\n\n"
            "Bewaar zo weinig mogelijk: \"ontheffing art. 9 lid 2 tot …\", nooit de reden of "
            "een diagnose (gezondheidsgegevens zijn bijzondere persoonsgegevens)."),
        "sources": ["pw"],
    },
    {
        "title": "Hoe kunnen we betaald krijgen voor de diensten die we leveren als erkend "
                 "leerwerkbedrijf?",
        "body": "Wij leveren de gemeente werkplekken en begeleiding, maar krijgen daar niets "
                "voor. Welke manieren zijn er om betaald te worden?",
        "theme": Theme.FINANCIERING, "author": 2, "anonymous": False,
        "topic": "Workshop 3 – Geld verdienen als leerwerkbedrijf", "votes": [0, 3],
        "answer": (
            "Er zijn vijf gangbare routes:\n\n"
            "1. **Subsidie** van de gemeente (zonder btw).\n"
            "2. **Een opdracht** (contract). Voor sociale diensten geldt een Europese "
            "aanbesteding pas boven € 750.000.\n"
            "3. **Een voorbehouden opdracht** voor organisaties met minstens 30% werknemers "
            "met een afstand tot de arbeidsmarkt (Aanbestedingswet art. 2.82).\n"
            "4. **Social return**: aannemers van de gemeente moeten vaak zo'n 5% van de "
            "opdrachtwaarde sociaal besteden, bijvoorbeeld bij u.\n"
            "5. **Keurmerken** (SBB-erkenning, Blik op Werk) die als eis in een aanbesteding "
            "staan.\n\n"
            "Btw: re-integratiediensten aan een gemeente zijn meestal 21% (de gemeente "
            "verrekent die); welzijnswerk kan vrijgesteld zijn (Wet OB art. 11 lid 1 f).\n\n"
            "*Let op:* \"erkend leerwerkbedrijf\" heeft geen wettelijke definitie. In de "
            "praktijk gaat het om SBB-erkenning, het Blik op Werk-keurmerk of een contract met "
            "de gemeente."),
        "sources": ["aw", "ob", "sbb"],
    },
]

OPEN_QUESTIONS = [
    {"title": "Mag een deelnemer op een proefplaats ook klussen bij bewoners thuis doen?",
     "body": "Wij hebben een klussendienst. Kan iemand op een proefplaats meegaan naar "
             "bewoners, of alleen in ons buurthuis werken?",
     "theme": Theme.UITKERING, "author": 1, "anonymous": True,
     "topic": "Workshop 1 – Begeleiding en aansprakelijkheid", "votes": [0, 2, 3]},
    {"title": "Hoe tellen jullie uitstroom naar werk, en accepteert de gemeente dat cijfer?",
     "body": "Wij zien mensen doorstromen, maar de gemeente vraagt om 'CBS-cijfers'. Hoe "
             "doen jullie dat?",
     "theme": Theme.ANDERS, "author": 3, "anonymous": False, "topic": None, "votes": [1]},
]

EXTRA_ARTICLES = [
    {"title": "Vrijwilligersvergoeding en bijstand in 2026",
     "theme": Theme.UITKERING,
     "body": (
         "Wie bijstand heeft, mag een vrijwilligersvergoeding houden tot **€ 220 per maand** "
         "en **€ 2.200 per jaar** (Participatiewet art. 31 lid 2 onder k, bedragen 2026). "
         "Dat geldt niet voor jongeren onder 27.\n\n"
         "De Belastingdienst hanteert voor een onbelaste vrijwilligersvergoeding dezelfde "
         "grenzen per maand en per jaar. Alle grenzen gelden samen en tellen op over "
         "organisaties heen: wie erboven komt, betaalt belasting over het hele bedrag.\n\n"
         "*Let op:* het uurbedrag voor 2026 is nog niet gevonden (2025: € 5,60 per uur voor "
         "21-plussers, € 3,30 daaronder)."),
     "sources": ["pw", "normen", "bel"]},
    {"title": "De VOG voor vrijwilligers: wat bewaart u wel en niet?",
     "theme": Theme.AANSPRAKELIJKHEID,
     "body": (
         "Vraag een Verklaring Omtrent het Gedrag (VOG) aan voor wie werkt met kinderen of "
         "kwetsbare mensen. Voor geregistreerde organisaties is die gratis via de regeling "
         "Gratis VOG.\n\n"
         "Bewaar alleen **dat** er een VOG is, de datum, en wanneer hij vernieuwd moet worden "
         "(ongeveer elke drie jaar). Bewaar nooit de inhoud: dat zijn strafrechtelijke "
         "gegevens (AVG art. 10)."),
     "sources": ["vog"]},
]
#: the first version of the VOG article, to show the history with a diff
VOG_FIRST_BODY = ("Vraag een Verklaring Omtrent het Gedrag (VOG) aan voor wie werkt met kinderen "
                  "of kwetsbare mensen.\n\nBewaar alleen dat er een VOG is en de datum.")


def _at(day: int, month: int = 9) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=timezone.utc)


def _member(session: Session, email: str, name: str, organisation: str, password: str,
            admin: bool = False) -> User:
    email = normalize_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(password))
        session.add(user)
        session.flush()
    membership = session.scalar(select(NetworkMembership).where(
        NetworkMembership.user_id == user.id))
    if membership is None:
        membership = NetworkMembership(user_id=user.id, organisation=organisation)
        session.add(membership)
    if admin:
        membership.role = NetworkRole.ADMIN
    session.flush()
    return user


def _article(session: Session, *, title, body, theme, sources, author: User,
             question: Question | None = None, checked: date = date(2026, 11, 20)) -> Article:
    article = session.scalar(select(Article).where(Article.title == title))
    if article is not None:
        return article
    source_text = "\n".join(SOURCES[s] for s in sources)
    article = Article(title=title, body=body, theme=theme, sources=source_text,
                      last_checked_on=checked, version=1,
                      question_id=question.id if question else None,
                      created_at=_at(10, 10), updated_at=_at(10, 10))
    session.add(article)
    session.flush()
    session.add(ArticleVersion(article_id=article.id, version=1, title=title, body=body,
                               theme=theme, sources=source_text, last_checked_on=checked,
                               author_id=author.id, created_at=_at(10, 10),
                               note="Gemaakt van een beantwoorde vraag" if question
                               else "Eerste versie"))
    if question is not None:
        session.add(QuestionArticle(question_id=question.id, article_id=article.id))
    session.flush()
    return article


def seed_knowledge(session: Session, password: str) -> None:
    """The question box and the knowledge base of the demo (idempotent)."""
    admin = _member(session, ADMIN_EMAIL, "Henk Postma", "LSA bewoners", password, admin=True)
    members = [_member(session, e, n, o, password) for e, n, o in MEMBERS]
    for n, spec in enumerate(QUESTIONS + OPEN_QUESTIONS):
        if session.scalar(select(Question.id).where(Question.title == spec["title"])):
            continue
        answered = "answer" in spec
        question = Question(
            author_id=members[spec["author"]].id, anonymous=spec["anonymous"],
            title=spec["title"], body=spec["body"], theme=spec["theme"],
            programme_topic=spec["topic"], created_at=_at(1 + 2 * n),
            status=QuestionStatus.BEANTWOORD if answered else QuestionStatus.OPEN,
            answer=spec.get("answer"), answered_by_id=admin.id if answered else None,
            answered_at=_at(9, 10) if answered else None)
        session.add(question)
        session.flush()
        for voter in spec["votes"]:
            session.add(Vote(question_id=question.id, user_id=members[voter].id,
                             created_at=_at(2 + 2 * n)))
        if answered:
            _article(session, title=spec["title"], body=(
                f"## De vraag\n\n{spec['body']}\n\n## Het antwoord\n\n{spec['answer']}"),
                theme=spec["theme"], sources=spec["sources"], author=admin, question=question)
    first = session.scalar(select(Question).where(Question.title == QUESTIONS[0]["title"]))
    if first is not None and session.scalar(select(Comment.id).where(
            Comment.question_id == first.id)) is None:
        session.add(Comment(question_id=first.id, author_id=members[3].id, anonymous=False,
                            created_at=_at(5),
                            body="Bij ons in Amersfoort vragen we wel dat de begeleider een "
                                 "korte training volgt. Dat staat in de subsidieafspraken."))
        session.add(Comment(question_id=first.id, author_id=members[1].id, anonymous=True,
                            created_at=_at(6),
                            body="Wij werken met een vrijwilliger die zelf jobcoach was. Dat "
                                 "werkt goed, maar we zoeken nog een vervanger voor de zomer."))
    if session.scalar(select(Author.id).where(Author.user_id == members[0].id)) is None:
        session.add(Author(user_id=members[0].id, invited_by_id=admin.id))
    vog_spec, money_spec = EXTRA_ARTICLES[1], EXTRA_ARTICLES[0]
    if session.scalar(select(Article.id).where(Article.title == vog_spec["title"])) is None:
        vog = _article(session, title=vog_spec["title"], body=VOG_FIRST_BODY,
                       theme=vog_spec["theme"], sources=vog_spec["sources"],
                       author=members[0], checked=date(2026, 10, 12))
        vog.body, vog.version, vog.updated_at = vog_spec["body"], 2, _at(18, 11)
        vog.last_checked_on = date(2026, 11, 18)
        session.add(ArticleVersion(article_id=vog.id, version=2, title=vog.title,
                                   body=vog.body, theme=vog.theme, sources=vog.sources,
                                   last_checked_on=vog.last_checked_on, author_id=admin.id,
                                   created_at=_at(18, 11),
                                   note="Gratis VOG en de bewaartermijn toegevoegd"))
    _article(session, title=money_spec["title"], body=money_spec["body"],
             theme=money_spec["theme"], sources=money_spec["sources"], author=members[0])
    session.flush()
