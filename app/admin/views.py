"""Admin home, web import (upload → preview → confirm) and export. Platform admins only."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.admin.forms import ExportForm, ImportConfirmForm, ImportUploadForm
from app.admin.services import (
    admin_overview,
    discard_upload,
    find_upload,
    import_upload,
    preview_upload,
    store_upload,
    upload_to_session,
)
from app.auth.decorators import platform_admin_required
from app.core.clock import local_today
from app.core.enums import PostingKind, PostingStatus
from app.core.exports import export_rows
from app.core.web import human_size
from app.extensions import db
from app.postings.importing.exporting import contract_fields, export_table
from app.postings.schema import FIELD_LABELS, KIND_FIELDS

bp = Blueprint("admin", __name__)

SESSION_KEY = "import_upload"
# Queues other packages provide; linked only once their endpoint exists.
QUEUES = {"verification": "organizations.verification_queue", "moderation": "postings.moderation"}


@bp.before_request
@platform_admin_required
def _admins_only():
    """Every page here is for platform admins; the decorator answers 401/403 before any view runs."""


@bp.get("/")
def index():
    links = {name: url_for(endpoint) for name, endpoint in QUEUES.items() if endpoint in current_app.view_functions}
    return render_template("admin/index.html", overview=admin_overview(), links=links)


@bp.route("/import", methods=["GET", "POST"])
def import_start():
    form = ImportUploadForm()
    if form.validate_on_submit():
        discard_upload(find_upload(session.get(SESSION_KEY)))
        session[SESSION_KEY] = upload_to_session(store_upload(form.file.data))
        return redirect(url_for(".import_preview"))
    return render_template(
        "admin/import.html",
        form=form,
        max_size=human_size(current_app.config["IMPORT_MAX_BYTES"]),
        fields=contract_fields(),
        labels=FIELD_LABELS,
        kind_fields=KIND_FIELDS,
    ), (400 if form.errors else 200)


def _current_upload():
    upload = find_upload(session.get(SESSION_KEY))
    if upload is None:
        session.pop(SESSION_KEY, None)
        flash("请先上传要导入的文件", "warning")
    return upload


@bp.get("/import/preview")
def import_preview():
    upload = _current_upload()
    if upload is None:
        return redirect(url_for(".import_start"))
    result = preview_upload(upload)
    return render_template("admin/import_preview.html", upload=upload, result=result, form=ImportConfirmForm())


@bp.post("/import/confirm")
def import_confirm():
    upload = _current_upload()
    if upload is None:
        return redirect(url_for(".import_start"))
    form = ImportConfirmForm()
    summary = import_upload(
        upload,
        publish=form.publish.data,
        verified=form.verified.data,
        skip_invalid=form.skip_invalid.data,
        actor=current_user,
    )
    db.session.commit()
    discard_upload(upload)
    session.pop(SESSION_KEY, None)
    flash(f"导入完成：{summary}", "success")
    return redirect(url_for(".index"))


@bp.post("/import/cancel")
def import_cancel():
    discard_upload(find_upload(session.pop(SESSION_KEY, None)))
    flash("已取消导入，上传的文件已删除", "info")
    return redirect(url_for(".import_start"))


@bp.get("/export")
def export():
    form = ExportForm(request.args)
    fmt = request.args.get("format")
    if fmt and form.validate():
        kind = PostingKind(form.kind.data) if form.kind.data else None
        status = PostingStatus(form.status.data) if form.status.data else None
        headers, rows = export_table(kind, status)
        name = f"联桥信息导出-{kind.label if kind else '全部类别'}-{status.label if status else '全部状态'}-{local_today():%Y%m%d}"
        return export_rows(fmt, name.replace("/", "-"), headers, rows)
    return render_template("admin/export.html", form=form)
