"""The registration pages: the registrant registers, edits or cancels the organisation's registration and
sees 我的报名; the organiser works through the approval queue."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.decorators import organiser_required
from app.core.enums import RegistrationStatus
from app.core.errors import ValidationFailed
from app.core.forms import show_form_error
from app.core.web import commit_and_redirect, id_list
from app.events.event_roles import registration_open, registration_refusal
from app.events.forms import submitted
from app.events.listing import event_registrations
from app.events.registration.approvals import approve_registrations, reject_registrations
from app.events.registration.forms import DecisionForm, RegistrationForm
from app.events.registration.services import (
    AlreadyRegistered,
    cancel_registration,
    get_own_registration,
    live_registration,
    org_registrations,
    register_for_event,
    update_registration,
)
from app.events.services import get_managed_event, get_visible_event
from app.extensions import db

bp = Blueprint("registration", __name__)
BULK_MAX = 200
RESULT = {
    "confirmed": ("报名成功！电子票已生成，可在“我的报名”中查看", "success"),
    "waitlisted": ("名额已满，您的报名已进入候补名单，有空位时将按顺序自动转正并通知您", "warning"),
    "pending": ("报名已提交，等待主办方审核，审核结果将通知您", "info"),
}


def _render(form, event, reg=None, status=200):
    return render_template("events/registration/register.html", form=form, event=event, reg=reg), status


# --- the registrant -----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/register", methods=["GET", "POST"])
@login_required
def register(event_id):
    event = get_visible_event(event_id, current_user)
    if refusal := registration_refusal(event, current_user):
        flash(refusal, "warning")
        return redirect(url_for("events.detail", event_id=event.id))
    existing = live_registration(event, current_user.org_id) if request.method == "GET" else None
    if existing is not None:  # a repeated POST goes on to the service, which knows its form token
        flash("本机构已报名该活动，可在此修改报名信息", "info")
        return redirect(url_for(".edit", registration_id=existing.id))
    form = RegistrationForm.for_registration(
        event, None, current_user, request.form if request.method == "POST" else None
    )
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(16)
        return _render(form, event)
    if not form.validate():
        return _render(form, event, status=422)
    try:
        reg, created = register_for_event(
            event.id,
            current_user,
            form.people(),
            form.category_id(),
            form.note.data,
            form.form_token.data or None,
            session_ids=form.session_ids(),
        )
    except AlreadyRegistered as err:
        db.session.rollback()
        flash("本机构已报名该活动，可在此修改报名信息", "info")
        return redirect(url_for(".edit", registration_id=err.registration.id))
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render(form, event, status=422)
    if not created:
        flash("该报名已经提交过了，请勿重复提交", "info")
        return redirect(url_for(".mine"))
    return commit_and_redirect(url_for(".mine"), *RESULT[reg.status.value])


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@login_required
def edit(registration_id):
    reg = get_own_registration(registration_id, current_user)
    event = reg.event
    if not reg.is_live or not registration_open(event):
        flash("报名已截止或该报名已结束，不能再修改", "warning")
        return redirect(url_for(".mine"))
    form = RegistrationForm.for_registration(
        event, reg, current_user, request.form if request.method == "POST" else None
    )
    if request.method == "POST" and form.validate():
        try:
            promoted = update_registration(
                reg, current_user, form.people(), form.category_id(), form.note.data, session_ids=form.session_ids()
            )
        except ValidationFailed as err:
            show_form_error(form, err)
            return _render(form, event, reg, 422)
        message = "报名信息已更新" if not promoted else "报名信息已更新，空出的名额已分配给候补单位"
        return commit_and_redirect(url_for(".mine"), message)
    return _render(form, event, reg, 422 if request.method == "POST" else 200)


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id):
    reg = get_own_registration(registration_id, current_user)
    cancel_registration(reg, current_user)
    return commit_and_redirect(url_for(".mine"), "报名已取消，如需参加可重新报名")


@bp.get("/mine")
@login_required
def mine():
    registrations = org_registrations(current_user.org_id) if current_user.org_id else []
    return render_template("events/registration/mine.html", registrations=registrations)


# --- the organiser's approval queue -------------------------------------------------------------------


@bp.get("/<int:event_id>/approvals")
@organiser_required
def approvals(event_id):
    event = get_managed_event(event_id, current_user)
    return render_template(
        "events/registration/approvals.html",
        event=event,
        pending=event_registrations(event, RegistrationStatus.PENDING),
        form=DecisionForm(),
    )


@bp.post("/<int:event_id>/approvals")
@organiser_required
def decide(event_id):
    event = get_managed_event(event_id, current_user)
    form = submitted(DecisionForm)
    back = url_for(".approvals", event_id=event.id)
    ids = id_list(form.ids.data or [])[:BULK_MAX]
    if not ids:
        flash("请先勾选要审核的报名", "warning")
        return redirect(back)
    if form.rejecting():
        done, problems = reject_registrations(event, ids, current_user, form.reason.data)
        message = f"已将 {len(done)} 个报名标记为未通过"
    else:
        done, problems = approve_registrations(event, ids, current_user)
        message = f"已审核通过 {len(done)} 个报名"
    db.session.commit()
    flash(message, "success")
    for problem in problems:
        flash(problem, "warning")
    return redirect(back)
