"""Pages for the four kinds of posting: lists with filters and export, detail, the create/edit form, owner
actions, attachments, and the moderation queue. Views parse input, call services, commit once."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.decorators import org_member_required, platform_admin_required
from app.core.clock import local_today
from app.core.enums import PostingKind
from app.core.errors import DomainError, ValidationFailed
from app.core.exports import export_rows
from app.core.forms import show_form_error
from app.core.models import history_for
from app.core.pagecache import public_page
from app.core.pagination import paginate
from app.core.uploads import max_bytes
from app.core.web import commit_and_redirect, human_size, id_list, render_error, safe_next
from app.extensions import db
from app.postings import queries
from app.postings.attachments import add_attachment, attachment_path, get_visible_attachment, remove_attachment
from app.postings.forms import FORMS, PostingForm, form_data
from app.postings.listing import (
    EXPORT_MAX_ROWS,
    PostingFilters,
    body_label,
    export_table,
    filtered_postings,
    modes_for,
    posting_facts,
    reward_text,
    sorts_for,
)
from app.postings.models import Posting
from app.postings.queries import (
    can_see_contact,
    get_own_posting,
    get_posting_for_moderation,
    get_visible_posting,
    is_owner,
    is_platform_admin,
    moderation_queue,
)
from app.postings.services import (
    DuplicateSubmission,
    approve_posting,
    approve_postings,
    close_posting,
    create_posting,
    ensure_editable,
    reject_posting,
    reopen_posting,
    submit_posting,
    update_posting,
    withdraw_posting,
)

bp = Blueprint("postings", __name__)


# The organisation pages (a package below this one) show an organisation's postings through these.
@bp.app_template_global()
def org_postings(org_id: int) -> dict:
    """我的机构: the organisation's postings grouped by status."""
    return queries.org_postings_by_status(org_id)


@bp.app_template_global()
def org_public_postings(org_id: int) -> list[Posting]:
    """The organisation's public page: its published postings, latest first."""
    return queries.org_public_postings(org_id)


bp.add_app_template_global(reward_text)  # a 揭榜挂帅 reward on the cards: "50 万元" or "面议"


KIND = "<any({}):kind>".format(", ".join(PostingKind.values()))
ONE = f"/{KIND}/<int:posting_id>"
BULK_MAX = 200


def _detail_url(posting: Posting) -> str:
    return url_for(".detail", kind=posting.kind.value, posting_id=posting.id)


def _org_url(posting: Posting) -> str | None:
    if "organizations.detail" not in current_app.view_functions:
        return None
    return url_for("organizations.detail", org_id=posting.org_id)


@bp.errorhandler(413)
def too_large(_err):
    limit = human_size(current_app.config["MAX_CONTENT_LENGTH"])
    return render_error(
        413, f"提交的内容超过了 {limit} 的上限（单个附件不超过 {human_size(max_bytes())}），请压缩后重试。"
    )


# --- reading --------------------------------------------------------------------------------


@bp.get(f"/{KIND}")
@public_page()
def index(kind):
    kind = PostingKind(kind)
    filters = PostingFilters.from_args(kind, request.args)
    fmt = request.args.get("format")
    stmt = filtered_postings(kind, filters, current_user, export=bool(fmt))
    if fmt:
        postings = db.session.scalars(stmt.limit(EXPORT_MAX_ROWS)).all()
        return export_rows(fmt, f"{kind.label}_{local_today():%Y%m%d}", *export_table(kind, postings))
    return render_template(
        "postings/index.html",
        kind=kind,
        filters=filters,
        pagination=paginate(stmt),
        sorts=sorts_for(kind),
        modes=modes_for(kind),
        can_publish=current_user.is_authenticated and current_user.org_id is not None,
        can_see_all=current_user.is_authenticated
        and (current_user.org_id is not None or current_user.is_platform_admin),
    )


@bp.get(ONE)
@public_page()
def detail(kind, posting_id):
    posting = get_visible_posting(posting_id, current_user, PostingKind(kind))
    owner, admin = is_owner(current_user, posting), is_platform_admin(current_user)
    return render_template(
        "postings/detail.html",
        posting=posting,
        owner=owner,
        admin=admin,
        facts=posting_facts(posting),
        body_label=body_label(posting.kind),
        show_contact=can_see_contact(current_user, posting),
        history=history_for("posting", posting.id) if owner or admin else [],
        org_url=_org_url(posting),
    )


@bp.get(f"{ONE}/attachments/<int:attachment_id>")
def attachment(kind, posting_id, attachment_id):
    item = get_visible_attachment(posting_id, attachment_id, current_user, PostingKind(kind))
    resp = send_file(
        attachment_path(item), mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


# --- writing --------------------------------------------------------------------------------


def _render_form(form: PostingForm, posting: Posting | None, status: int = 200):
    return render_template(
        "postings/form.html", form=form, kind=form.kind, posting=posting, attachment_limit=human_size(max_bytes())
    ), status


def _show_invalid(form: PostingForm, err: ValidationFailed, posting: Posting | None):
    show_form_error(form, err)
    return _render_form(form, posting, 422)


def _attach(form: PostingForm, posting: Posting) -> None:
    upload = form["attachment"].data if "attachment" in form else None
    if upload:
        add_attachment(posting, upload, current_user)


def _submit_message(changed: bool) -> tuple[str, str]:
    if changed:
        return "已提交审核，平台审核通过后将公开发布。", "success"
    return "该信息已在审核中，无需重复提交。", "info"


def _saved(posting: Posting, message: str):
    """Commit the save; with the 提交审核 button also submit, keeping the draft if submitting is refused."""
    if request.form.get("action") == "submit":
        try:
            flash(*_submit_message(submit_posting(posting, current_user)))
        except DomainError as err:
            flash(f"{message}，但暂未提交审核：{err.message}", "warning")
    else:
        flash(message, "success")
    db.session.commit()
    return redirect(_detail_url(posting))


@bp.route(f"/{KIND}/new", methods=["GET", "POST"])
@org_member_required
def new(kind):
    form = FORMS[PostingKind(kind)]()
    org = current_user.org
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(16)
        form.industry.data, form.region.data = org.industry or "", org.region or ""
    elif form.validate():
        try:
            posting = create_posting(form.kind, org, current_user, form.raw(), form_token=form.form_token.data or None)
            _attach(form, posting)
        except DuplicateSubmission as dup:
            flash(dup.message, "info")
            return redirect(_detail_url(dup.posting))
        except ValidationFailed as err:
            return _show_invalid(form, err, None)
        return _saved(posting, "草稿已保存")
    return _render_form(form, None)


@bp.route(f"{ONE}/edit", methods=["GET", "POST"])
@login_required
def edit(kind, posting_id):
    posting = get_own_posting(posting_id, current_user, PostingKind(kind))
    ensure_editable(posting)
    form = FORMS[posting.kind](data=form_data(posting))
    if form.is_submitted() and form.validate():
        try:
            update_posting(posting, current_user, form.raw())
            _attach(form, posting)
        except ValidationFailed as err:
            return _show_invalid(form, err, posting)
        return _saved(posting, "修改已保存，公开页面已同步更新" if posting.is_public else "已保存")
    return _render_form(form, posting)


@bp.post(f"{ONE}/submit")
@login_required
def submit(kind, posting_id):
    posting = get_own_posting(posting_id, current_user, PostingKind(kind))
    changed = submit_posting(posting, current_user)
    return commit_and_redirect(_detail_url(posting), *_submit_message(changed))


# The owner's other buttons on the detail page (endpoint and path = the key): the service each calls and
# what it says afterwards.
OWNER_ACTIONS = {
    "withdraw": (withdraw_posting, "已撤回审核，现为草稿，可继续修改"),
    "close": (close_posting, "已关闭，该信息不再公开展示"),
    "reopen": (reopen_posting, "已转为草稿，修改后可重新提交审核"),
}


def _owner_action(service, message: str):
    @login_required
    def view(kind, posting_id):
        posting = get_own_posting(posting_id, current_user, PostingKind(kind))
        service(posting, current_user)
        return commit_and_redirect(_detail_url(posting), message)

    return view


for _name, (_service, _message) in OWNER_ACTIONS.items():
    bp.add_url_rule(f"{ONE}/{_name}", _name, _owner_action(_service, _message), methods=["POST"])


@bp.post(f"{ONE}/attachments/<int:attachment_id>/delete")
@login_required
def attachment_delete(kind, posting_id, attachment_id):
    posting = get_own_posting(posting_id, current_user, PostingKind(kind))
    path = remove_attachment(posting, attachment_id, current_user)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash("附件已删除", "success")
    return redirect(url_for(".edit", kind=posting.kind.value, posting_id=posting.id))


# --- moderation -------------------------------------------------------------------------------


def _back_to_queue() -> str:
    return safe_next(request.form.get("next"), url_for(".moderation"))


@bp.get("/admin/moderation")
@platform_admin_required
def moderation():
    return render_template("postings/moderation.html", pagination=paginate(moderation_queue()))


@bp.post(f"{ONE}/approve")
@platform_admin_required
def approve(kind, posting_id):
    posting = get_posting_for_moderation(posting_id, current_user, PostingKind(kind))
    approve_posting(posting, current_user)
    return commit_and_redirect(_back_to_queue(), f"《{posting.title}》已审核通过并公开发布")


@bp.post(f"{ONE}/reject")
@platform_admin_required
def reject(kind, posting_id):
    posting = get_posting_for_moderation(posting_id, current_user, PostingKind(kind))
    reject_posting(posting, current_user, request.form.get("reason"))
    return commit_and_redirect(_back_to_queue(), f"《{posting.title}》已退回，发布方将看到退回原因")


@bp.post("/admin/moderation/approve")
@platform_admin_required
def bulk_approve():
    ids = id_list(request.form.getlist("ids"))[:BULK_MAX]
    if not ids:
        flash("请先勾选要通过的信息", "warning")
        return redirect(url_for(".moderation"))
    approved, problems = approve_postings(ids, current_user)
    db.session.commit()
    flash(f"已审核通过 {len(approved)} 条", "success")
    for problem in problems:
        flash(problem, "warning")
    return redirect(url_for(".moderation"))
