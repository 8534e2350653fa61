"""Staff pages of the policy service (/policies/manage/): policies and items, the rule builder and its preview,
publishing and withdrawing with the audit trail, and import/export. Who may see what: staff_services.py."""

from __future__ import annotations

import json
import secrets
from functools import wraps
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.core.errors import ValidationFailed
from app.core.exports import export_sheets
from app.core.forms import show_form_error, with_blank
from app.core.models import history_for
from app.core.pagination import paginate
from app.core.policy_enums import PolicyStatus
from app.core.web import commit_and_redirect
from app.extensions import db
from app.policies import staff_services as staff
from app.policies.fields import FIELDS
from app.policies.importing import check_records, read_jsonl
from app.policies.models import Policy, PolicyItem
from app.policies.rules import RuleError, render_rule, validate_rule
from app.policies.services import import_policies
from app.policies.spreadsheet import check_workbook, jsonl_text, workbook_sheets
from app.policies.staff_attachments import add_attachment, attachment_path, get_attachment, remove_attachment
from app.policies.staff_forms import AttachmentForm, FilterForm, ImportForm, ItemForm, PolicyForm, WithdrawForm
from app.policies.staff_preview import preview_item, qualifying_select
from app.policies.staff_rules import (
    GROUP_LABELS,
    OP_LABELS,
    rule_from_sections,
    sections_from_form,
    sections_from_rule,
    value_choices,
    with_blank_rows,
)

bp = Blueprint("policy_staff", __name__)


def staff_required(view):
    """Authority staff and platform admins; for anybody else the pages do not exist (404)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not staff.is_policy_staff(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/")
@staff_required
def index():
    filters = FilterForm(request.args)
    filters.validate()
    query = staff.staff_policies(current_user, filters.status.data, filters.scope.data, filters.q.data)
    return render_template("policies/staff/index.html", filters=filters, pagination=paginate(query))


@bp.get("/export")
@staff_required
def export():
    filters = FilterForm(request.args)
    filters.validate()
    query = staff.staff_policies(current_user, filters.status.data, filters.scope.data, filters.q.data)
    policies = db.session.scalars(query).all()
    if request.args.get("format") == "jsonl":
        headers = {"Content-Disposition": 'attachment; filename="policies.jsonl"'}
        return Response(jsonl_text(policies), content_type="application/x-ndjson; charset=utf-8", headers=headers)
    return export_sheets(
        "csv" if request.args.get("format") == "csv" else "xlsx", "惠企政策", workbook_sheets(policies)
    )


def _policy_form(policy: Policy | None = None) -> PolicyForm:
    form = PolicyForm(obj=policy)
    form.region.choices = with_blank(staff.place_choices(current_user))
    form.issuing_org_id.choices = with_blank(staff.authority_choices(), "（不指定）")
    if policy is not None and not form.is_submitted():
        form.issuing_org_id.data = str(policy.issuing_org_id or "")
    return form


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create():
    form = _policy_form()
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(16)
    if form.validate_on_submit():
        try:
            policy = staff.create_policy(
                current_user, form.data_for_service(), form.form_token.data or None, form.issuing_org_id.data
            )
        except staff.DuplicatePolicy as dup:
            db.session.rollback()
            flash(dup.message, "info")
            return redirect(url_for(".detail", policy_id=dup.policy.id))
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".detail", policy_id=policy.id), "政策草稿已创建，请添加申报事项")
    return render_template("policies/staff/policy_form.html", form=form, policy=None)


@bp.get("/<int:policy_id>")
@staff_required
def detail(policy_id: int):
    policy = staff.get_policy(policy_id, current_user)
    return render_template(
        "policies/staff/detail.html",
        policy=policy,
        history=history_for("policy", policy.id),
        withdraw_form=WithdrawForm(),
        attachment_form=AttachmentForm(),
        statuses=PolicyStatus,
        editable=policy.status in staff.EDITABLE,
    )


@bp.route("/<int:policy_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(policy_id: int):
    policy = staff.get_policy(policy_id, current_user)
    staff.ensure_editable(policy)
    form = _policy_form(policy)
    if form.validate_on_submit():
        try:
            staff.update_policy(policy, current_user, form.data_for_service(), form.issuing_org_id.data)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".detail", policy_id=policy.id), "政策已保存")
    return render_template("policies/staff/policy_form.html", form=form, policy=policy)


@bp.post("/<int:policy_id>/attachments")
@staff_required
def attachment_add(policy_id: int):
    policy = staff.get_policy(policy_id, current_user)
    form = AttachmentForm()
    if not form.validate():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for(".detail", policy_id=policy.id))
    try:
        add_attachment(policy, form.attachment.data, current_user)
    except ValidationFailed as err:
        db.session.rollback()
        flash(err.message, "danger")
        return redirect(url_for(".detail", policy_id=policy_id))
    return commit_and_redirect(url_for(".detail", policy_id=policy.id), "附件已上传")


@bp.post("/<int:policy_id>/attachments/<int:attachment_id>/delete")
@staff_required
def attachment_delete(policy_id: int, attachment_id: int):
    path = remove_attachment(staff.get_policy(policy_id, current_user), attachment_id)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash("附件已删除", "success")
    return redirect(url_for(".detail", policy_id=policy_id))


@bp.get("/<int:policy_id>/attachments/<int:attachment_id>")
def attachment(policy_id: int, attachment_id: int):
    """A policy's file: anybody's once the policy is published (the public pages link here), else its staff's."""
    found = get_attachment(policy_id, attachment_id, current_user)
    return send_file(
        attachment_path(found), mimetype=found.content_type, as_attachment=True, download_name=found.original_name
    )


@bp.post("/<int:policy_id>/publish")
@staff_required
def publish(policy_id: int):
    policy = staff.publish_policy(staff.get_policy(policy_id, current_user), current_user)
    return commit_and_redirect(url_for(".detail", policy_id=policy.id), "政策已发布")


@bp.post("/<int:policy_id>/withdraw")
@staff_required
def withdraw(policy_id: int):
    policy = staff.get_policy(policy_id, current_user)
    form = WithdrawForm()
    if not form.validate():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for(".detail", policy_id=policy.id))
    staff.withdraw_policy(policy, current_user, form.reason.data)
    return commit_and_redirect(url_for(".detail", policy_id=policy.id), "政策已撤回")


def _builder(rules=None) -> dict:
    """What the rule builder template needs: on a POST the rows as posted, else the stored rule's rows; JSON
    mode when the rule nests deeper than the builder shows."""
    json_posted = request.method == "POST" and request.form.get("rule_mode") == "json"
    if request.method == "POST" and not json_posted:
        shown = sections_from_form(request.form)
    else:
        shown = None if json_posted else sections_from_rule(rules)
    context = {
        "fields": FIELDS,
        "op_labels": OP_LABELS,
        "group_labels": GROUP_LABELS,
        "choices": value_choices(),
        "json_mode": shown is None,
        "rule_json": request.form.get("rule_json") if json_posted else _json(rules),
    }
    if shown is not None:
        context["top_op"], context["sections"] = shown[0], with_blank_rows(shown[1])
    return context


def _json(rules) -> str:
    return json.dumps(rules, ensure_ascii=False, indent=1) if rules else ""


def _posted_rule():
    """The rule the page posted: the builder's rows, or the JSON text in JSON mode. Raises RuleError."""
    if request.form.get("rule_mode") == "json":
        return validate_rule(request.form.get("rule_json") or None)
    return validate_rule(rule_from_sections(*sections_from_form(request.form)))


def _save_item(policy: Policy, item: PolicyItem | None, form: ItemForm):
    """Save the item and its rule on a valid POST: a redirect, or the rule's problem (None: shown on the form)."""
    try:
        saved = staff.save_item(policy, item, form.data_for_service(), _posted_rule())
    except RuleError as err:
        db.session.rollback()
        return err.message
    except ValidationFailed as err:
        show_form_error(form, err)
        return None
    target = url_for(".item", policy_id=policy.id, item_id=saved.id)
    return commit_and_redirect(target, f"申报事项已保存。申报条件：{render_rule(saved.rules)}")


def _item_page(policy: Policy, found: PolicyItem | None, form: ItemForm):
    if request.method == "POST":
        staff.ensure_editable(policy)
    rule_error = None
    if form.validate_on_submit():
        result = _save_item(policy, found, form)
        if not isinstance(result, str | None):
            return result
        rule_error = result
    extra = {}
    if found is not None:
        extra = {"preview": preview_item(found), "qualifying": paginate(qualifying_select(found), per_page=20)}
    return render_template(
        "policies/staff/item.html",
        policy=policy,
        item=found,
        form=form,
        rule_error=rule_error,
        editable=policy.status in staff.EDITABLE,
        **extra,
        **_builder(found.rules if found else None),
    )


@bp.route("/<int:policy_id>/items/new", methods=["GET", "POST"])
@staff_required
def new_item(policy_id: int):
    policy = staff.get_policy(policy_id, current_user)
    staff.ensure_editable(policy)
    return _item_page(policy, None, ItemForm())


@bp.route("/<int:policy_id>/items/<int:item_id>", methods=["GET", "POST"])
@staff_required
def item(policy_id: int, item_id: int):
    found = staff.get_item(policy_id, item_id, current_user)
    form = ItemForm(obj=found)
    if not form.is_submitted():
        form.benefit_type.data = found.benefit_type.value
    return _item_page(found.policy, found, form)


@bp.post("/<int:policy_id>/items/<int:item_id>/delete")
@staff_required
def delete_item(policy_id: int, item_id: int):
    found = staff.get_item(policy_id, item_id, current_user)
    staff.delete_item(found)
    return commit_and_redirect(url_for(".detail", policy_id=policy_id), "申报事项已删除")


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def upload():
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read()
        name = Path(form.file.data.filename or "").suffix.lower()
        if name == ".xlsx":
            parsed, errors = check_workbook(data)
            where = lambda n: f"“政策”表第 {n} 行"  # noqa: E731
        else:
            parsed, errors = check_records(read_jsonl(data))
            where = lambda n: f"第 {n} 行"  # noqa: E731
        errors = errors or staff.restrict_import(current_user, parsed, where)
        if not errors:
            count = import_policies(parsed, publish=bool(form.publish.data), actor=current_user)
            items = sum(len(p.items) for p in parsed)
            return commit_and_redirect(url_for(".index"), f"导入完成：{count} 条政策，{items} 个申报事项")
        db.session.rollback()
    return render_template("policies/staff/import.html", form=form, errors=errors)
