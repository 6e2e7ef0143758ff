"""The start page of a tenant: what each role comes to do first."""
from __future__ import annotations

from datetime import date

from flask import g, redirect, render_template, url_for
from flask_login import current_user

from blueprints.dashboard import services
from blueprints.helprequests.services import KIND_LABELS as JOB_KIND_LABELS
from blueprints.helprequests.services import undated_requests
from blueprints.hours.lists import waiting_count
from blueprints.trajectories.attention import LABELS as ATTENTION_LABELS
from blueprints.trajectories.attention import attention_counts
from blueprints.trajectories.services import OUTCOME_LABELS, due_evaluations
from tenants.extensions import db
from tenants.models import Role
from tenants.web import tenant_blueprint

bp = tenant_blueprint("dashboard", __name__)


@bp.route("/")
def index():
    role = g.membership.role
    if role == Role.PARTICIPANT:
        return redirect(url_for("trajectories.my_page"))
    today = date.today()
    mine = role == Role.SUPERVISOR
    context = {
        "due": due_evaluations(db.session, current_user if mine else None, today),
        "vogs": services.missing_vogs(db.session, today, current_user if mine else None),
        "undated": undated_requests(db.session),
        "hours_waiting": waiting_count(db.session, current_user.id if mine else None),
        "today": today,
        "job_kind_labels": JOB_KIND_LABELS,
        "attention": attention_counts(db.session, today, current_user if mine else None),
        "attention_labels": ATTENTION_LABELS,
        "mine": mine,
    }
    if mine:
        context["people"] = services.my_people(db.session, current_user)
    else:
        summary = services.admin_summary(db.session, today)
        context["counts"] = summary.team
        context["participants"] = summary.participants
        context["outflow"] = summary.outflow
        context["outcome_labels"] = {k.value: v for k, v in OUTCOME_LABELS.items()}
        context["money"] = summary.money
    return render_template("dashboard/index.html", **context)
