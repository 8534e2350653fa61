"""Booth pages: the organiser's layout, applications and booth list download, the exhibitor's application,
and the public floor list."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.enums import BoothSize
from app.core.exports import export_sheets
from app.core.forms import commit_form
from app.core.web import commit_and_redirect, id_list
from app.events.booths.exports import BOOTH_EXPORT_NAME, booth_table
from app.events.booths.forms import AssignForm, BoothApplyForm, BoothBatchForm, RejectForm
from app.events.booths.services import (
    BoothRequest,
    applications_for,
    apply_for_booth,
    assign_booth,
    create_booths,
    delete_booth,
    event_booths,
    exhibitor_refusal,
    floor_plan,
    free_booths,
    own_applications,
    reject_application,
    showcase_choices,
    visible_showcase,
    withdraw_application,
)
from app.events.exports import export_name
from app.events.forms import first_error
from app.events.services import can_manage, get_managed_event, get_visible_event

bp = Blueprint("booths", __name__)
BOOTHS = "/<int:event_id>/booths"
APPLICATION = f"{BOOTHS}/applications/<int:application_id>"


def _manage_url(event_id: int) -> str:
    return url_for(".manage", event_id=event_id)


@bp.route(BOOTHS, methods=["GET", "POST"])
@login_required
def manage(event_id):
    event = get_managed_event(event_id, current_user)
    form = BoothBatchForm()
    data = form.data
    done = commit_form(
        form,
        lambda: create_booths(
            event, data["numbers"], data["zone"], BoothSize(data["size"]), data["area_m2"], data["note"], current_user
        ),
    )
    if done:
        flash(f"已创建 {len(done.result)} 个展位", "success")
        return redirect(_manage_url(event.id))
    free = free_booths(event)
    return render_template(
        "events/booths/manage.html",
        event=event,
        form=form,
        booths=event_booths(event),
        applications=applications_for(event),
        free_booths=free,
        reject_form=RejectForm(formdata=None),
        assign_form=AssignForm(formdata=None),
        visible_showcase=visible_showcase,
    ), 422 if form.errors else 200


@bp.post(f"{BOOTHS}/<int:booth_id>/delete")
@login_required
def delete(event_id, booth_id):
    event = get_managed_event(event_id, current_user)
    delete_booth(event, booth_id, current_user)
    return commit_and_redirect(_manage_url(event.id), "展位已删除")


@bp.post(f"{APPLICATION}/assign")
@login_required
def assign(event_id, application_id):
    event = get_managed_event(event_id, current_user)
    form = AssignForm()
    booth_ids = id_list([form.booth_id.data or ""])
    if not booth_ids:
        flash("请选择展位", "danger")
        return redirect(_manage_url(event.id))
    booth = assign_booth(event, application_id, booth_ids[0], current_user, allow_extra=form.allow_extra.data)
    return commit_and_redirect(_manage_url(event.id), f"已分配展位 {booth.number}")


@bp.post(f"{APPLICATION}/reject")
@login_required
def reject(event_id, application_id):
    event = get_managed_event(event_id, current_user)
    form = RejectForm()
    if not form.validate():
        flash(first_error(form), "danger")
        return redirect(_manage_url(event.id))
    reject_application(event, application_id, form.reason.data, current_user)
    return commit_and_redirect(_manage_url(event.id), "已回复：展位申请未通过")


@bp.route(f"{BOOTHS}/apply", methods=["GET", "POST"])
@login_required
def apply(event_id):
    event = get_visible_event(event_id, current_user)
    refusal = exhibitor_refusal(event, current_user)
    choices = showcase_choices(current_user.org_id) if current_user.org_id and not refusal else []
    form = BoothApplyForm()
    form.postings.choices = [(str(p.id), f"{p.kind.label} · {p.title}") for p in choices]
    if form.is_submitted() and refusal:
        flash(refusal, "danger")
        return redirect(url_for(".apply", event_id=event.id))
    done = commit_form(
        form,
        lambda: apply_for_booth(
            event,
            current_user,
            BoothRequest(
                preferred_zone=form.preferred_zone.data,
                preferred_size=BoothSize(form.preferred_size.data) if form.preferred_size.data else None,
                note=form.note.data,
                posting_ids=id_list(form.postings.data or []),
            ),
        ),
    )
    if done:
        flash("展位申请已提交，请等待主办方分配", "success")
        return redirect(url_for(".apply", event_id=event.id))
    applications = own_applications(event, current_user.org_id) if current_user.org_id else []
    return render_template(
        "events/booths/apply.html",
        event=event,
        form=form,
        refusal=refusal,
        applications=applications,
        has_choices=bool(choices),
    ), 422 if form.errors else 200


@bp.post(f"{APPLICATION}/withdraw")
@login_required
def withdraw(event_id, application_id):
    event = get_visible_event(event_id, current_user)
    withdraw_application(event, application_id, current_user)
    return commit_and_redirect(url_for(".apply", event_id=event.id), "展位申请已撤回")


@bp.get("/<int:event_id>/floor")
def floor(event_id):
    event = get_visible_event(event_id, current_user)
    query = request.args.get("q", "").strip()[:50]
    return render_template(
        "events/booths/floor.html",
        event=event,
        zones=floor_plan(event, query),
        query=query,
        visible_showcase=visible_showcase,
        can_manage=can_manage(current_user, event),
    )


@bp.get("/<int:event_id>/exports/booths.<any(xlsx, csv):fmt>")
@login_required
def export(event_id, fmt):
    event = get_managed_event(event_id, current_user)
    return export_sheets(fmt, export_name(event, BOOTH_EXPORT_NAME), [booth_table(event)])
