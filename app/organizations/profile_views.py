"""企业画像 at /orgs/mine/profile: every fact with its source and date, the completeness meter, and the edit form.
Thin: form → update_profile / set_certificates (they check every value first) → commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import org_member_required
from app.core.forms import commit_form
from app.core.policy_enums import ProfileSource
from app.core.web import safe_next
from app.organizations import services
from app.organizations.profile import CERTIFICATE_NAMES, FACTS, profile_of, set_certificates, update_profile
from app.organizations.profile_forms import ProfileForm
from app.organizations.profile_gaps import blocked_items, missing_facts

bp = Blueprint("org_profile", __name__)


def save_profile(org, form: ProfileForm, actor) -> int:
    """The facts the firm changed, stamped 企业填报 and today; the number of facts saved."""
    services.require_org_admin(org, actor)
    values, certificates = form.changes(profile_of(org))
    if values:
        update_profile(org, values, ProfileSource.SELF)
    if certificates is not None:
        set_certificates(org, certificates, ProfileSource.SELF)
    return len(values) + (certificates is not None)


@bp.route("/mine/profile", methods=["GET", "POST"])
@org_member_required
def edit():
    org = current_user.org
    profile = profile_of(org)
    form = ProfileForm()
    if not form.is_submitted():
        form.fill_from(profile)
        form.next.data = request.args.get("next", "")
    if done := commit_form(form, lambda: save_profile(org, form, current_user)):
        flash(
            f"企业画像已保存（更新 {done.result} 项），可申报政策已按新资料重新判断"
            if done.result
            else "企业画像没有改动",
            "success",
        )
        return redirect(safe_next(form.next.data, url_for("org_profile.edit")))
    blocked = blocked_items(org)
    return render_template(
        "organizations/profile.html",
        org=org,
        profile=profile,
        form=form,
        facts=FACTS,
        missing=sorted(missing_facts(profile), key=lambda fact: fact not in blocked),
        blocked=blocked,
        certificate_names=CERTIFICATE_NAMES,
        can_edit=current_user.is_org_admin,
    ), 422 if form.is_submitted() else 200
