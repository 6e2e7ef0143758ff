"""The public page where residents ask for help (no account): the form and the thanks page.
It shows the cooperative's name and the form, nothing else of the tenant."""
from __future__ import annotations

from datetime import date

from flask import current_app, g, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _

from blueprints.helprequests import services
from blueprints.helprequests.forms import PublicRequestForm
from blueprints.helprequests.models import HelpRequest, JobKind
from blueprints.helprequests.routes.blueprint import _mail, bp
from tenants import hooks
from tenants.extensions import db, limiter
from tenants.models import TenantStatus
from tenants.urls import absolute_url
from tenants.web import current_actor, flash_form_errors, public_tenant_view, run_service

THANKS_KEY = "help_request_thanks"
#: The whole public form is a few kilobytes; the app-wide limit (10 MB, for uploads) is far
#: too generous for a page anyone can post to. URL-encoded forms are read at once, so only the
#: body size bounds them.
PUBLIC_FORM_MAX_BYTES = 64 * 1024


@bp.url_value_preprocessor
def _limit_public_body(endpoint, values):
    # URL value preprocessors run before any before_request hook, so this limit is in place
    # before the CSRF check reads the form: a larger body is refused with 413, unread.
    if endpoint == "helprequests.public_form":
        request.max_content_length = PUBLIC_FORM_MAX_BYTES


def _public_data(form: PublicRequestForm) -> services.PublicRequestData:
    return services.PublicRequestData(
        name=form.name.data or "", kind=JobKind(form.kind.data),
        description=form.description.data or "", street=form.street.data,
        postcode=form.postcode.data, city=form.city.data, phone=form.phone.data,
        email=form.email.data, preferred_dates=form.preferred_dates.data,
        idempotency_key=form.idempotency_key.data)


def _thanks(reference: str):
    web_session[THANKS_KEY] = {"tenant": g.tenant.slug, "reference": reference}
    return redirect(url_for("helprequests.public_thanks"))


def _inbox_notice(help_request: HelpRequest):
    """The cooperative's inbox: a short mail to its admins (no personal data in it).

    Everything is read now and the mails leave when the returned function is called (after
    the commit, when the request's objects are expired and the database may be gone)."""
    link = absolute_url("helprequests.show", help_request_id=help_request.id)
    reference = help_request.reference
    kind = services.KIND_LABELS[help_request.kind]
    recipients = [(user.email, user.locale) for user in services.inbox_users(db.session)]

    def send() -> None:
        for email, locale in recipients:
            _mail(email, locale, lambda: _("Nieuwe hulpvraag %(ref)s", ref=reference),
                  "help_request_received", reference=reference, kind=kind, link=link)

    return send


def _confirmation(help_request: HelpRequest):
    """The resident's confirmation, when they gave an e-mail address: the reference, what
    happens next and the cooperative's phone number (when its settings have one). Read now,
    sent when the returned function is called (after the commit), like the inbox notice."""
    address = help_request.email
    if not address:
        return None
    context = {"reference": help_request.reference, "name": help_request.requester_name,
               "kind": services.KIND_LABELS[help_request.kind], "tenant_name": g.tenant.name,
               "phone": hooks.cooperative_phone.ask(db.session)}

    def send() -> None:
        _mail(address, None,
              lambda: _("Uw hulpvraag %(ref)s is ontvangen", ref=context["reference"]),
              "help_request_confirmation", **context)

    return send


@bp.route("/hulp-vragen", methods=["GET", "POST"])
@public_tenant_view
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def public_form():
    """Open to anyone: shows the cooperative's name and the form, nothing else of the tenant."""
    if g.tenant.status == TenantStatus.READ_ONLY:
        return render_template("helprequests/public_form.html", form=None)
    form = PublicRequestForm()
    if request.method == "POST" and (form.website.data or "").strip():
        # A bot filled in the honeypot: answer exactly as for a real request, keep nothing.
        return _thanks(services.plausible_reference(db.session, date.today()))
    if form.validate_on_submit():
        # The answer is made before the commit (in `receive`): afterwards nothing is read, so
        # a database gone by then cannot turn a stored request into an error page (the
        # resident would send it again). The form's key makes a second send harmless.
        def receive():
            help_request = services.receive_request(db.session, current_actor(),
                                                    _public_data(form))
            repeated = help_request.repeated
            return (help_request.reference, g.tenant.slug,
                    url_for("helprequests.public_thanks"),
                    None if repeated else _inbox_notice(help_request),
                    None if repeated else _confirmation(help_request))

        answer, ok = run_service(receive, None)
        if ok:
            reference, slug, thanks, tell_inbox, confirm = answer
            web_session[THANKS_KEY] = {"tenant": slug, "reference": reference}
            if tell_inbox is not None:
                tell_inbox()
            if confirm is not None:
                confirm()
            return redirect(thanks)
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("helprequests/public_form.html", form=form), \
        (400 if request.method == "POST" else 200)


@bp.route("/hulp-vragen/bedankt")
@public_tenant_view
def public_thanks():
    data = web_session.get(THANKS_KEY) or {}
    if data.get("tenant") != g.tenant.slug:
        return redirect(url_for("helprequests.public_form"))
    return render_template("helprequests/public_thanks.html", reference=data.get("reference"))
