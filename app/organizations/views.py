"""我的机构 (profile, members, tiers, postings), public organisation pages, and the admin's
verification queue and organisation list. Thin: form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.auth.decorators import org_member_required, platform_admin_required
from app.core.clock import local_today
from app.core.enums import OrgRole, PostingKind, Tier
from app.core.errors import ValidationFailed
from app.core.exports import export_rows
from app.core.forms import commit_form
from app.core.mail import sent_or_link
from app.core.models import history_for, utcnow
from app.core.pagination import paginate
from app.core.web import commit_and_redirect, id_list
from app.extensions import db
from app.organizations import licences, services, verification
from app.organizations.forms import (
    DecisionForm,
    InviteForm,
    LicenceForm,
    OrgFilterForm,
    OrgProfileForm,
    TierForm,
)

bp = Blueprint("organizations", __name__)


def posting_kinds_to_create() -> list:
    """Kinds with a "发布" link; none until the postings feature has its form."""
    if "postings.new" not in current_app.view_functions:
        return []
    return list(PostingKind)


def _dashboard(anchor: str | None = None) -> str:
    return url_for("organizations.dashboard", _anchor=anchor)


def render_dashboard(invite_form=None, tier_form=None, status=200):
    org = current_user.org
    return (
        render_template(
            "organizations/dashboard.html",
            org=org,
            members=services.members_of(org),
            invitations=services.pending_invitations(org) if current_user.is_org_admin else [],
            invite_form=invite_form or InviteForm(formdata=None),
            tier_form=tier_form or TierForm(formdata=None),
            new_kinds=posting_kinds_to_create(),
            history=history_for("organization", org.id),
            now=utcnow(),
            today=local_today(),
        ),
        status,
    )


@bp.get("/mine")
@org_member_required
def dashboard():
    return render_dashboard()


@bp.route("/mine/edit", methods=["GET", "POST"])
@org_member_required
def edit():
    org = current_user.org
    services.require_org_admin(org, current_user)
    form = OrgProfileForm()
    if not form.is_submitted():
        form.fill_from(org)
    if done := commit_form(form, lambda: services.update_organization(org, form.to_profile(), current_user)):
        flash("机构资料已保存" + ("，已重新提交平台认证" if done.result else ""), "success")
        return redirect(_dashboard())
    return render_edit(form)


def render_edit(form=None, licence_form=None, status=200):
    org = current_user.org
    return (
        render_template(
            "organizations/edit.html",
            form=form or _filled_profile_form(org),
            org=org,
            licence_form=licence_form or LicenceForm(formdata=None),
            licence_help=licences.licence_help(),
        ),
        status,
    )


def _filled_profile_form(org) -> OrgProfileForm:
    form = OrgProfileForm(formdata=None)
    form.fill_from(org)
    return form


@bp.post("/mine/licence")
@org_member_required
def upload_licence():
    form = LicenceForm()
    if done := commit_form(form, lambda: licences.upload_licence(current_user.org, form.licence.data, current_user)):
        old_path, resubmitted = done.result
        if old_path is not None:
            old_path.unlink(missing_ok=True)
        flash("营业执照已上传" + ("，已重新提交平台认证" if resubmitted else "，平台认证时将核对"), "success")
        return redirect(_dashboard())
    return render_edit(licence_form=form, status=422)


@bp.get("/<int:org_id>/licence")
def licence(org_id):
    item = licences.get_licence(org_id, current_user)
    resp = send_file(
        licences.licence_path(item), mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.post("/mine/invitations")
@org_member_required
def invite():
    form = InviteForm()
    if done := commit_form(form, lambda: services.invite_member(current_user.org, form.email.data, current_user)):
        invitation, link = done.result
        flash(sent_or_link(invitation.email, link), "success")
        return redirect(_dashboard("members"))
    return render_dashboard(invite_form=form, status=422)


@bp.post("/mine/invitations/<int:invitation_id>/revoke")
@org_member_required
def revoke_invitation(invitation_id):
    services.revoke_invitation(current_user.org, invitation_id, current_user)
    return commit_and_redirect(_dashboard("members"), "邀请已撤销", "info")


@bp.post("/mine/members/<int:user_id>/remove")
@org_member_required
def remove_member(user_id):
    member = services.remove_member(current_user.org, user_id, current_user)
    target = url_for("home.index") if member.id == current_user.id else _dashboard("members")
    return commit_and_redirect(target, f"已将 {member.name} 移出本机构", "info")


@bp.post("/mine/members/<int:user_id>/role")
@org_member_required
def change_role(user_id):
    role = OrgRole.from_any(request.form.get("role"))
    if role is None:
        abort(400)
    member = services.change_member_role(current_user.org, user_id, role, current_user)
    return commit_and_redirect(_dashboard("members"), f"{member.name} 现在是{role.label}")


@bp.post("/mine/tiers")
@org_member_required
def add_tier():
    form = TierForm()
    added = commit_form(
        form,
        lambda: services.add_tier_record(
            current_user.org,
            Tier(form.tier.data),
            form.year.data,
            current_user,
            expires_on=form.expires_on.data,
            certificate_no=form.certificate_no.data,
        ),
    )
    if added:
        flash("梯度培育认定已登记", "success")
        return redirect(_dashboard("tiers"))
    return render_dashboard(tier_form=form, status=422)


@bp.post("/mine/tiers/<int:record_id>/delete")
@org_member_required
def remove_tier(record_id):
    services.remove_tier_record(current_user.org, record_id, current_user)
    return commit_and_redirect(_dashboard("tiers"), "已删除该认定记录", "info")


@bp.get("/<int:org_id>")
def detail(org_id):
    org = services.get_visible_org(org_id, current_user)
    return render_template(
        "organizations/detail.html",
        org=org,
        show_contact=services.can_see_contact(org, current_user),
    )


# --- platform admin ----------------------------------------------------------------------


@bp.get("/admin/")
@platform_admin_required
def admin_list():
    form = OrgFilterForm(formdata=request.args)
    query = verification.organizations_query(**form.filters())
    fmt = request.args.get("format")
    if fmt:
        rows = (verification.export_row(org) for org in db.session.scalars(query))
        return export_rows(fmt, "机构名录", verification.EXPORT_HEADERS, rows)
    return render_template("organizations/admin_list.html", form=form, pagination=paginate(query))


@bp.get("/admin/verification")
@platform_admin_required
def verification_queue():
    orgs = verification.pending_organizations()
    return render_template(
        "organizations/verification.html",
        orgs=orgs,
        form=DecisionForm(formdata=None),
        histories={org.id: history_for("organization", org.id) for org in orgs},
    )


@bp.post("/admin/<int:org_id>/verify")
@platform_admin_required
def verify(org_id):
    org = verification.verify_organization(org_id, current_user)
    return commit_and_redirect(url_for("organizations.verification_queue"), f"已通过“{org.name}”的认证")


@bp.post("/admin/<int:org_id>/reject")
@platform_admin_required
def reject(org_id):
    form = DecisionForm()
    if not form.validate_on_submit():
        raise ValidationFailed("；".join(form.reason.errors) or "请重新提交")
    org = verification.reject_organization(org_id, current_user, form.reason.data)
    return commit_and_redirect(url_for("organizations.verification_queue"), f"已退回“{org.name}”的认证申请", "warning")


@bp.post("/admin/verification/bulk")
@platform_admin_required
def verify_bulk():
    ids = id_list(request.form.getlist("org_id"))
    if not ids:
        flash("请先勾选要通过认证的机构", "warning")
        return redirect(url_for("organizations.verification_queue"))
    count = verification.verify_organizations(ids, current_user)
    return commit_and_redirect(url_for("organizations.verification_queue"), f"已批量通过 {count} 家机构的认证")
