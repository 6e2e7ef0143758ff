"""The question box (/netwerk/vragen/) and the knowledge base (/netwerk/kennisbank/):
network members only; answering, reviewing and inviting authors: network admins only."""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.knowledge import services
from blueprints.knowledge.forms import (
    AnswerForm,
    ArticleForm,
    AuthorForm,
    CommentForm,
    ConfirmForm,
    QuestionForm,
    ReportForm,
)
from blueprints.knowledge.markup import render_markdown
from blueprints.knowledge.models import QuestionStatus, Theme
from tenants import inputs
from tenants.errors import NotFound, PermissionDenied
from tenants.exports import csv_file
from tenants.extensions import db
from tenants.network import is_network_admin, is_network_member
from tenants.web import current_actor, flash_form_errors, refuse, run_service, submit

bp = Blueprint("knowledge", __name__, url_prefix="/netwerk")
FORBIDDEN = {PermissionDenied: 404}


@bp.before_request
@login_required
def require_network_member():
    if not is_network_member(db.session, current_user.id):
        refuse(404, "not a network member")
    g.network_admin = is_network_admin(db.session, current_user.id)
    g.can_write = services.can_write_articles(db.session, current_user.id)
    return None


@bp.app_template_filter("markdown")
def markdown_filter(text):
    return render_markdown(text)


def _common():
    return {"theme_labels": services.THEME_LABELS, "status_labels": services.STATUS_LABELS,
            "themes": list(Theme), "statuses": list(QuestionStatus)}


def _admin_only():
    if not g.network_admin:
        refuse(404, "not a network admin")


def _question_or_404(question_id: int):
    try:
        return services.get_question(db.session, question_id, viewer_is_admin=g.network_admin)
    except NotFound:
        abort(404)


# --- the question box ----------------------------------------------------------------------


@bp.route("/vragen/")
def questions():
    args = {k: inputs.arg_text(k) or "" for k in ("thema", "status", "q", "onderdeel")}
    rows = services.list_questions(db.session, current_user.id, theme=args["thema"] or None,
                                   status=args["status"] or None, search=args["q"] or None,
                                   topic=args["onderdeel"] or None)
    return render_template(
        "knowledge/questions.html", rows=rows, args=args,
        votes_left=services.votes_left(db.session, current_user.id),
        budget=services.VOTE_BUDGET, topics=services.programme_topics(db.session),
        confirm_form=ConfirmForm(), **_common())


@bp.route("/vragen/nieuw", methods=["GET", "POST"])
def ask():
    form = QuestionForm()
    similar = None
    if request.method == "POST":
        if not form.validate_on_submit():
            flash_form_errors(form)
        else:
            similar = services.similar_questions(db.session,
                                                 f"{form.title.data} {form.body.data}"[:300])
            # First step: show similar questions (without JavaScript too); posting again
            # after seeing them, or when there are none, places the question.
            if form.preview.data or (similar and form.checked.data != "1"):
                form.checked.data = "1"
            else:
                question, ok = run_service(
                    lambda: services.submit_question(
                        db.session, current_actor(), title=form.title.data,
                        body=form.body.data, theme=form.theme.data,
                        anonymous=form.anonymous.data),
                    _("Uw vraag is geplaatst."), statuses=FORBIDDEN)
                if ok:
                    return redirect(url_for("knowledge.question", question_id=question.id))
    return render_template("knowledge/ask.html", form=form, similar=similar, **_common())


@bp.route("/vragen/vergelijkbaar")
def similar():
    """The similar questions for a title typed so far (a small list, for the form's script)."""
    text = inputs.arg_text("q", 300) or ""
    return render_template("knowledge/_similar.html",
                           similar=services.similar_questions(db.session, text), **_common())


@bp.route("/vragen/<int:question_id>")
def question(question_id: int):
    q = _question_or_404(question_id)
    form = AnswerForm(status=q.status.value, programme_topic=q.programme_topic,
                      answer=q.answer)
    articles = services.linked_articles(db.session, q.id)
    if g.network_admin:
        form.articles.choices = [(str(a.id), a.title)
                                 for a in services.search_articles(db.session)]
        form.articles.data = [str(a.id) for a in articles]
    return render_template(
        "knowledge/question.html", q=q,
        author=services.question_author_label(db.session, q, current_user.id),
        votes=services.vote_count(db.session, q.id),
        voted=services.has_voted(db.session, q.id, current_user.id),
        votes_left=services.votes_left(db.session, current_user.id),
        budget=services.VOTE_BUDGET, articles=articles,
        comments=services.visible_comments(db.session, q.id, current_user.id),
        comment_form=CommentForm(), report_form=ReportForm(), answer_form=form,
        confirm_form=ConfirmForm(), **_common())


def _back(question_id: int):
    target = request.form.get("next")
    if target == "list":
        return redirect(url_for("knowledge.questions"))
    return redirect(url_for("knowledge.question", question_id=question_id))


@bp.route("/vragen/<int:question_id>/steunen", methods=["POST"])
def vote(question_id: int):
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.vote(db.session, current_actor(), question_id),
                    _("U steunt deze vraag."), statuses=FORBIDDEN)
    return _back(question_id)


@bp.route("/vragen/<int:question_id>/steun-intrekken", methods=["POST"])
def unvote(question_id: int):
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.unvote(db.session, current_actor(), question_id),
                    _("Uw stem is teruggegeven."), statuses=FORBIDDEN)
    return _back(question_id)


@bp.route("/vragen/<int:question_id>/reageren", methods=["POST"])
def comment(question_id: int):
    form = CommentForm()
    submit(form, lambda: services.add_comment(db.session, current_actor(), question_id,
                                              form.body.data, form.anonymous.data),
           _("Uw reactie is geplaatst."), statuses=FORBIDDEN)
    return _back(question_id)


@bp.route("/vragen/<int:question_id>/melden", methods=["POST"])
@bp.route("/vragen/<int:question_id>/reacties/<int:comment_id>/melden", methods=["POST"])
def report(question_id: int, comment_id: int | None = None):
    form = ReportForm()
    submit(form, lambda: services.report(db.session, current_actor(), question_id,
                                         comment_id, form.reason.data),
           _("Bedankt. Na drie meldingen wordt een bericht verborgen tot de netwerkbeheerder "
             "het heeft bekeken."), statuses=FORBIDDEN)
    try:
        services.get_question(db.session, question_id, viewer_is_admin=g.network_admin)
    except NotFound:  # this report hid the question
        return redirect(url_for("knowledge.questions"))
    return _back(question_id)


@bp.route("/vragen/<int:question_id>/beantwoorden", methods=["POST"])
def answer(question_id: int):
    _admin_only()
    form = AnswerForm()
    form.articles.choices = [(str(a.id), a.title) for a in services.search_articles(db.session)]
    ids = [i for i in (inputs.to_id(v) for v in (form.articles.data or [])) if i is not None]
    submit(form, lambda: services.answer_question(
        db.session, current_actor(), question_id, status=form.status.data,
        answer=form.answer.data, programme_topic=form.programme_topic.data, article_ids=ids),
        _("Het antwoord is opgeslagen."), statuses=FORBIDDEN)
    return _back(question_id)


@bp.route("/vragen/<int:question_id>/artikel", methods=["POST"])
def make_article(question_id: int):
    _admin_only()
    if ConfirmForm().validate_on_submit():
        article, ok = run_service(
            lambda: services.article_from_question(db.session, current_actor(), question_id),
            _("Het artikel is gemaakt. Vul de bronnen aan."), statuses=FORBIDDEN)
        if ok:
            return redirect(url_for("knowledge.edit_article", article_id=article.id))
    return _back(question_id)


@bp.route("/vragen/gemeld")
def reported():
    _admin_only()
    return render_template("knowledge/reported.html",
                           hidden=services.hidden_messages(db.session, current_actor()),
                           confirm_form=ConfirmForm(), **_common())


@bp.route("/vragen/<int:question_id>/beoordelen", methods=["POST"])
@bp.route("/vragen/<int:question_id>/reacties/<int:comment_id>/beoordelen", methods=["POST"])
def review(question_id: int, comment_id: int | None = None):
    _admin_only()
    keep = request.form.get("besluit") == "tonen"
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.review(db.session, current_actor(), question_id,
                                            comment_id, keep),
                    _("Het bericht is weer zichtbaar.") if keep
                    else _("Het bericht is verwijderd."), statuses=FORBIDDEN)
    return redirect(url_for("knowledge.reported"))


@bp.route("/vragen/export.csv")
def export():
    headers, rows = services.export_rows(db.session, current_user.id)
    content, _count = csv_file(headers, rows)
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="vragen-werk-in-de-wijk.csv"'})


# --- the knowledge base ----------------------------------------------------------------------


@bp.route("/kennisbank/")
def articles():
    args = {k: inputs.arg_text(k) or "" for k in ("thema", "q")}
    return render_template(
        "knowledge/articles.html", args=args,
        articles=services.search_articles(db.session, search=args["q"] or None,
                                          theme=args["thema"] or None),
        authors=services.authors(db.session) if g.network_admin else [],
        author_form=AuthorForm(), confirm_form=ConfirmForm(), **_common())


def _writer_only():
    if not g.can_write:
        refuse(404, "not a knowledge author")


@bp.route("/kennisbank/nieuw", methods=["GET", "POST"])
def new_article():
    _writer_only()
    form = ArticleForm()
    if request.method == "POST":
        article, ok = None, False
        if form.validate_on_submit():
            article, ok = run_service(lambda: services.create_article(
                db.session, current_actor(), title=form.title.data, body=form.body.data,
                theme=form.theme.data, sources=form.sources.data,
                last_checked_on=form.last_checked_on.data, note=form.note.data),
                _("Het artikel is opgeslagen."), statuses=FORBIDDEN)
        else:
            flash_form_errors(form)
        if ok:
            return redirect(url_for("knowledge.article", article_id=article.id))
    return render_template("knowledge/article_form.html", form=form, article=None, **_common())


def _article_or_404(article_id: int):
    try:
        return services.get_article(db.session, article_id)
    except NotFound:
        abort(404)


@bp.route("/kennisbank/<int:article_id>")
def article(article_id: int):
    a = _article_or_404(article_id)
    return render_template("knowledge/article.html", a=a,
                           questions=services.article_questions(db.session, a.id),
                           **_common())


@bp.route("/kennisbank/<int:article_id>/bewerken", methods=["GET", "POST"])
def edit_article(article_id: int):
    _writer_only()
    a = _article_or_404(article_id)
    form = ArticleForm(obj=a if request.method == "GET" else None)
    if request.method == "GET":
        form.theme.data = a.theme.value
    else:
        ok = False
        if form.validate_on_submit():
            _result, ok = run_service(lambda: services.update_article(
                db.session, current_actor(), article_id, title=form.title.data,
                body=form.body.data, theme=form.theme.data, sources=form.sources.data,
                last_checked_on=form.last_checked_on.data, note=form.note.data),
                _("Het artikel is bijgewerkt."), statuses=FORBIDDEN)
        else:
            flash_form_errors(form)
        if ok:
            return redirect(url_for("knowledge.article", article_id=article_id))
    return render_template("knowledge/article_form.html", form=form, article=a, **_common())


@bp.route("/kennisbank/<int:article_id>/versies")
def history(article_id: int):
    a = _article_or_404(article_id)
    return render_template("knowledge/history.html", a=a,
                           versions=services.article_history(db.session, article_id),
                           **_common())


@bp.route("/kennisbank/auteurs", methods=["POST"])
def invite_author():
    _admin_only()
    form = AuthorForm()
    submit(form, lambda: services.invite_author(db.session, current_actor(), form.email.data),
           lambda user: _("%(name)s kan nu artikelen schrijven.", name=user.name),
           statuses=FORBIDDEN)
    return redirect(url_for("knowledge.articles"))


@bp.route("/kennisbank/auteurs/<int:user_id>/verwijderen", methods=["POST"])
def remove_author(user_id: int):
    _admin_only()
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.remove_author(db.session, current_actor(), user_id),
                    _("De auteur is verwijderd."), statuses=FORBIDDEN)
    return redirect(url_for("knowledge.articles"))

