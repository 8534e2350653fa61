"""对接 pages: 我的对接 (received / sent / records), sending a request, answering it, the record with its
timeline, stage form, notes and files, and the funnel for organisers. Views parse, call one service, commit."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.decorators import org_member_required, organiser_required
from app.core.clock import local_today
from app.core.enums import DockingRequestStatus, DockingStage, OrgType
from app.core.errors import ValidationFailed
from app.core.exports import export_rows
from app.core.forms import show_form_error
from app.core.industries import SECTIONS
from app.core.pagination import paginate
from app.core.uploads import max_bytes
from app.core.web import commit_and_redirect, human_size
from app.docking import listing
from app.docking.forms import DeclineForm, FileForm, NoteForm, RequestForm, StageForm, optional_id
from app.docking.funnel import SIDES, FunnelFilters, compute_funnel
from app.docking.records import (
    add_docking_file,
    add_docking_note,
    file_path,
    get_party_record,
    get_visible_file,
    get_visible_record,
    is_record_party,
    move_docking_stage,
)
from app.docking.services import (
    DuplicateRequest,
    accept_docking_request,
    awaiting_answer,
    decline_docking_request,
    docking_refusal,
    get_received_request,
    get_sent_request,
    get_visible_request,
    is_party,
    send_docking_request,
    withdraw_docking_request,
)
from app.extensions import db
from app.postings.queries import get_visible_posting

bp = Blueprint("docking", __name__)


@bp.app_template_global()
def docking_entry(posting) -> dict | None:
    """What a posting page offers the viewer: a 发起对接 link, the open request, or why not (None: nothing)."""
    user = current_user
    if not (user.is_authenticated and user.org_id and posting.is_public and posting.org_id != user.org_id):
        return None
    if pending := awaiting_answer(user.org_id, posting.id):
        return {"pending": pending}
    refusal = docking_refusal(user.org, posting)
    return {"refusal": refusal} if refusal else {"url": url_for("docking.new", posting_id=posting.id)}


# --- 我的对接 ---------------------------------------------------------------------------------------


@bp.get("/")
@org_member_required
def mine():
    tab = request.args.get("tab") if request.args.get("tab") in listing.TABS else "received"
    org_id = current_user.org_id
    status = DockingRequestStatus.from_any(request.args.get("status"))
    stage = DockingStage.from_any(request.args.get("stage"))
    records = tab == "records"
    query = listing.records_query(org_id, stage) if records else listing.requests_query(org_id, tab, status)
    return render_template(
        "docking/mine.html",
        tab=tab,
        tabs=listing.TABS,
        status=status,
        stage=stage,
        pagination=paginate(query),
        pending_count=listing.pending_received_count(org_id),
    )


# --- sending ------------------------------------------------------------------------------------


def _render_new(form, target, status=200):
    refusal = docking_refusal(current_user.org, target)
    pending = awaiting_answer(current_user.org_id, target.id)
    return render_template("docking/new.html", form=form, target=target, refusal=refusal, pending=pending), status


@bp.route("/new/<int:posting_id>", methods=["GET", "POST"])
@org_member_required
def new(posting_id):
    target = get_visible_posting(posting_id, current_user)
    form = RequestForm()
    form.own_posting_id.choices = [("", "不关联"), *listing.own_posting_choices(current_user.org_id)]
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(16)
        form.own_posting_id.data = optional_id(request.args.get("own"))
        form.match_id.data = request.args.get("match", "")
    elif form.validate():
        try:
            req = send_docking_request(
                current_user,
                target.id,
                form.message.data,
                own_posting_id=form.own_posting_id.data,
                match_id=form.match_id.data,
                form_token=form.form_token.data,
            )
        except DuplicateRequest as dup:
            db.session.rollback()
            flash(dup.message, "info")
            return redirect(url_for(".request_detail", request_id=dup.request.id))
        except ValidationFailed as err:
            show_form_error(form, err)
            return _render_new(form, target, 422)
        return commit_and_redirect(
            url_for(".request_detail", request_id=req.id), "对接请求已发送，对方答复后您会收到通知"
        )
    return _render_new(form, target, 422 if form.errors else 200)


# --- answering ----------------------------------------------------------------------------------


def _render_request(req, decline_form=None, status=200):
    viewer_is_party = is_party(current_user, req)
    return render_template(
        "docking/request.html",
        req=req,
        received=current_user.belongs_to(req.to_org_id),
        sent=current_user.belongs_to(req.from_org_id),
        show_contact=req.status == DockingRequestStatus.ACCEPTED or not viewer_is_party,
        overdue=req.status == DockingRequestStatus.PENDING and not req.is_open,
        decline_form=decline_form or DeclineForm(formdata=None),
    ), status


@bp.get("/requests/<int:request_id>")
@login_required
def request_detail(request_id):
    return _render_request(get_visible_request(request_id, current_user))


@bp.post("/requests/<int:request_id>/accept")
@org_member_required
def accept(request_id):
    req = get_received_request(request_id, current_user)
    record = accept_docking_request(req, current_user)
    return commit_and_redirect(
        url_for(".record_detail", record_id=record.id), "已接受对接请求，双方的联系方式已互相开放，请尽快联系对方"
    )


@bp.post("/requests/<int:request_id>/decline")
@org_member_required
def decline(request_id):
    req = get_received_request(request_id, current_user)
    form = DeclineForm()
    if not form.validate():
        return _render_request(req, form, 422)
    try:
        decline_docking_request(req, current_user, form.reason.data, form.note.data)
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render_request(get_visible_request(request_id, current_user), form, 422)
    return commit_and_redirect(url_for(".request_detail", request_id=req.id), "已婉拒该对接请求，对方将收到通知")


@bp.post("/requests/<int:request_id>/withdraw")
@org_member_required
def withdraw(request_id):
    req = get_sent_request(request_id, current_user)
    withdraw_docking_request(req, current_user)
    return commit_and_redirect(url_for(".mine", tab="sent"), "已撤回对接请求")


# --- records ------------------------------------------------------------------------------------


def _render_record(record, status=200, **forms):
    stage_form = forms.get("stage_form") or StageForm(formdata=None)
    stage_form.set_stages(record.stage)
    return render_template(
        "docking/record.html",
        record=record,
        req=record.request,
        can_write=is_record_party(current_user, record),
        stage_form=stage_form,
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        file_form=forms.get("file_form") or FileForm(formdata=None),
        file_limit=human_size(max_bytes()),
        today=local_today(),
    ), status


@bp.get("/records/<int:record_id>")
@login_required
def record_detail(record_id):
    return _render_record(get_visible_record(record_id, current_user))


# Each write on a record: the form it reads, its name on the page, the service call, and what it says after.
RECORD_ACTIONS = {
    "stage": (
        StageForm,
        lambda record, f: move_docking_stage(
            record,
            current_user,
            f.stage.data,
            contract_type=f.contract_type.data,
            amount=f.amount_wan.data,
            signed_on=f.signed_on.data,
            completed_on=f.completed_on.data,
            note=f.note.data,
        ),
        "对接阶段已更新，对方将收到通知",
    ),
    "notes": (NoteForm, lambda record, f: add_docking_note(record, current_user, f.text.data), "备注已添加"),
    "files": (FileForm, lambda record, f: add_docking_file(record, current_user, f.attachment.data), "文件已上传"),
}
FORM_NAMES = {"stage": "stage_form", "notes": "note_form", "files": "file_form"}


def _record_action(action: str):
    form_class, call, message = RECORD_ACTIONS[action]

    @org_member_required
    def view(record_id):
        record = get_party_record(record_id, current_user)
        form = form_class()
        if action == "stage":
            form.set_stages(record.stage)
        try:
            call(record, form)
        except ValidationFailed as err:
            show_form_error(form, err)
            return _render_record(get_visible_record(record_id, current_user), 422, **{FORM_NAMES[action]: form})
        return commit_and_redirect(url_for(".record_detail", record_id=record_id, _anchor="timeline"), message)

    return view


for _action in RECORD_ACTIONS:
    bp.add_url_rule(
        f"/records/<int:record_id>/{_action}", f"record_{_action}", _record_action(_action), methods=["POST"]
    )


@bp.get("/records/<int:record_id>/files/<int:file_id>")
@login_required
def record_file(record_id, file_id):
    item = get_visible_file(record_id, file_id, current_user)
    resp = send_file(file_path(item), mimetype=item.content_type, as_attachment=True, download_name=item.original_name)
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


# --- funnel -------------------------------------------------------------------------------------


@bp.get("/funnel")
@organiser_required
def funnel():
    filters = FunnelFilters.from_args(request.args)
    result = compute_funnel(filters)
    if fmt := request.args.get("format"):
        return export_rows(fmt, f"对接漏斗_{filters.start:%Y%m%d}-{filters.end:%Y%m%d}", *result.export_table())
    return render_template(
        "docking/funnel.html",
        filters=filters,
        funnel=result,
        sides=SIDES,
        sections=SECTIONS,
        org_types=OrgType,
    )
