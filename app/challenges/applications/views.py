"""揭榜申报、联合体确认与揭榜邀请: the apply form, the application page, 我的揭榜, the partner's answer, and the
issuer's 推荐揭榜方 with invitations. Views parse input, call one service and commit once."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.decorators import org_member_required
from app.challenges.applications import queries
from app.challenges.applications.eligibility import eligibility_problems
from app.challenges.applications.forms import ApplicationForm, InviteForm
from app.challenges.applications.inputs import budget_total, linkable_postings, partner_choices, wan
from app.challenges.applications.invites import invite_org, item_path, suggestions
from app.challenges.applications.partners import answer_partner, partner_of
from app.challenges.applications.rules import S, edit_refusal, window_refusal
from app.challenges.applications.services import (
    COMMITMENT,
    MAX_FILES,
    DuplicateSubmission,
    Incomplete,
    application_of,
    attachment_path,
    remove_attachment,
    save_application,
    withdraw_application,
)
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import can_manage, is_public
from app.core.errors import ValidationFailed
from app.core.forms import show_form_error
from app.core.uploads import max_bytes
from app.core.web import commit_and_redirect, human_size, parse_id
from app.extensions import db
from app.organizations.models import Organization

bp = Blueprint("challenge_applications", __name__)


@bp.app_template_global()
def challenge_application_count(item: ChallengeItem) -> int:
    """How many applications an item has received (submitted at least once, not withdrawn; never who)."""
    return queries.application_count(item)


@bp.app_template_global()
def my_challenge_application(item: ChallengeItem):
    """The signed-in user's organisation's application for the item, or None (for the item page's button)."""
    if not current_user.is_authenticated or current_user.org_id is None:
        return None
    return application_of(item, current_user.org_id)


bp.add_app_template_global(item_path, "challenge_item_path")
bp.add_app_template_global(wan, "challenge_wan")  # an amount in 万元 as people write it: "12.5", "100"


@bp.app_template_global()
def challenge_budget_total(application) -> Decimal:
    return budget_total(application.budget or [])


def _public_item_or_404(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None or not is_public(item):
        abort(404)
    return item


# --- the apply form ------------------------------------------------------------------------------------


def _render_apply(item, application, form, problems=(), status: int = 200):
    org = current_user.org
    exclude = {org.id, item.batch.issuer_org_id}
    return render_template(
        "challenges/applications/apply.html",
        item=item,
        application=application,
        form=form,
        problems=list(problems),
        eligibility=eligibility_problems(org, item),
        refusal=edit_refusal(application) if application else window_refusal(item),
        partner_names=partner_choices(exclude) if item.consortium_allowed else [],
        commitment=COMMITMENT,
        file_limit=human_size(max_bytes()),
        max_files=MAX_FILES,
    ), status


@bp.route("/items/<int:item_id>/apply", methods=["GET", "POST"])
@org_member_required
def apply(item_id):
    item = _public_item_or_404(item_id)
    org = current_user.org
    if org.id == item.batch.issuer_org_id:
        flash("发榜单位不能揭本单位发布的榜", "warning")
        return redirect(item_path(item))
    application = application_of(item, org.id)
    posted = request.method == "POST"
    form = ApplicationForm.build(item, linkable_postings(org.id), application, posted)
    if not posted:
        form.form_token.data = secrets.token_urlsafe(16)
        return _render_apply(item, application, form)
    if not form.validate():
        return _render_apply(item, application, form, status=422)
    submit = request.form.get("action") == "submit"
    data = form.to_input(item, request.files.getlist("attachments"))
    try:
        application, problems = save_application(
            item, org, current_user, data, submit=submit, form_token=form.form_token.data or None
        )
    except DuplicateSubmission as dup:
        flash(dup.message, "info")
        return redirect(url_for(".view", application_id=dup.application.id))
    except Incomplete as err:
        db.session.rollback()
        return _render_apply(item, application, form, err.problems, 422)
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render_apply(item, application, form, status=422)
    db.session.commit()
    if submit and problems:
        flash("草稿已保存，但还不能提交，请处理下列问题。", "warning")
        form = ApplicationForm.build(item, linkable_postings(org.id), application, False)
        form.form_token.data = secrets.token_urlsafe(16)
        return _render_apply(item, application, form, problems)
    if application.status == S.SUBMITTED:
        message = "申报已提交，发榜单位已收到通知" if submit else "修改已保存，申报保持已提交状态"
        flash(message, "success")
        return redirect(url_for(".view", application_id=application.id))
    flash("已保存" if application.status == S.RETURNED else "草稿已保存", "success")
    return redirect(url_for(".apply", item_id=item.id))


@bp.post("/applications/<int:application_id>/withdraw")
@org_member_required
def withdraw(application_id):
    application = queries.own_or_404(application_id, current_user)
    withdraw_application(application, current_user)
    return commit_and_redirect(url_for(".view", application_id=application.id), "申报已撤回；截止前可重新编辑并提交")


@bp.post("/applications/<int:application_id>/attachments/<int:attachment_id>/delete")
@org_member_required
def delete_attachment(application_id, attachment_id):
    application = queries.own_or_404(application_id, current_user)
    path = remove_attachment(application, attachment_id)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash("附件已删除", "success")
    return redirect(url_for(".apply", item_id=application.item_id) + "#attachments")


# --- reading -------------------------------------------------------------------------------------------


@bp.get("/applications/<int:application_id>")
@login_required
def view(application_id):
    application = queries.viewable_or_404(application_id, current_user)
    lead = queries.is_lead_member(current_user, application)
    return render_template(
        "challenges/applications/view.html",
        application=application,
        lead=lead,
        can_manage_item=can_manage(current_user, application.item.batch),
        editable=lead and edit_refusal(application) is None,
        next_step=queries.next_step(application) if lead else None,
        linked=queries.linked_postings(application),
    )


@bp.get("/applications/<int:application_id>/attachments/<int:attachment_id>")
@login_required
def attachment(application_id, attachment_id):
    application = queries.viewable_or_404(application_id, current_user)
    found = next((a for a in application.attachments if a.id == attachment_id), None)
    if found is None or not attachment_path(found).is_file():
        abort(404)
    resp = send_file(
        attachment_path(found), mimetype=found.content_type, as_attachment=True, download_name=found.original_name
    )
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


@bp.get("/applications/mine")
@org_member_required
def mine():
    org_id = current_user.org_id
    return render_template(
        "challenges/applications/mine.html",
        applications=queries.org_applications(org_id),
        partnerships=queries.org_partnerships(org_id),
        invites=queries.org_invites(org_id),
        next_step=queries.next_step,
        item_of=queries.item_of,
    )


@bp.route("/applications/<int:application_id>/partner", methods=["GET", "POST"])
@org_member_required
def partner(application_id):
    application = queries.get_application(application_id)
    mine_ = partner_of(application, current_user)
    if request.method == "POST":
        answer = request.form.get("answer")
        if answer not in ("confirm", "decline"):
            flash("请选择“确认参与”或“拒绝参与”", "danger")
            return redirect(url_for(".partner", application_id=application.id))
        answer_partner(application, current_user, answer == "confirm")
        message = "已确认参与该联合体" if answer == "confirm" else "已拒绝参与，牵头单位已收到通知"
        return commit_and_redirect(url_for(".partner", application_id=application.id), message)
    return render_template(
        "challenges/applications/partner.html",
        application=application,
        partner=mine_,
        refusal=edit_refusal(application),
    )


# --- the issuer's invitations --------------------------------------------------------------------------


@bp.route("/manage/items/<int:item_id>/invites", methods=["GET", "POST"])
@login_required
def invites(item_id):
    item = queries.managed_item_or_404(item_id, current_user)
    form = InviteForm()
    rows = suggestions(item)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        org = _invited_org(form)
        if org is None:
            form.org_name.errors = ["未找到该机构，请从列表中选择已注册的机构"]
        else:
            reason = next((r.reason for r in rows if r.org.id == org.id), "")
            try:
                invite_org(item, org, current_user, form.message.data or "", reason)
            except ValidationFailed as err:
                show_form_error(form, err)
            else:
                return commit_and_redirect(
                    url_for(".invites", item_id=item.id), f"已邀请“{org.name}”，对方成员已收到通知"
                )
    return render_template(
        "challenges/applications/invites.html",
        item=item,
        rows=rows,
        form=form,
        refusal=window_refusal(item),
        org_names=partner_choices({item.batch.issuer_org_id}),
    ), status


def _invited_org(form: InviteForm) -> Organization | None:
    if (org_id := parse_id(form.org_id.data)) is not None:
        return db.session.get(Organization, org_id)
    name = (form.org_name.data or "").strip()
    return db.session.scalar(db.select(Organization).where(Organization.name == name)) if name else None
