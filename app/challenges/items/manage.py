"""发榜方：榜单与挑战项目的编辑、发布与撤回，问题答复，把已发布的揭榜挂帅需求转为榜单项目.

The desk is for the issuing organisation's members and platform admins; another organisation's batch or item is
a 404. Thin: form → service → commit once."""

from __future__ import annotations

import secrets
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.challenges.items import editing, qa, queries, services
from app.challenges.items.forms import AnswerForm, BatchForm, ItemForm, PromoteForm, WithdrawForm
from app.challenges.items.status import current_status
from app.core.errors import ValidationFailed
from app.core.forms import show_form_error
from app.core.models import history_for
from app.core.web import commit_and_redirect, parse_id
from app.extensions import db

bp = Blueprint("challenge_manage", __name__)


def desk_required(view):
    """Members of an organisation and platform admins; for anybody else the desk does not exist (404)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.org_id is None and not current_user.is_platform_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/manage/")
@desk_required
def index():
    return render_template(
        "challenges/manage/index.html",
        batches=queries.desk_batches(current_user),
        promotable=editing.promotable_postings(current_user.org_id),
    )


# --- batches ----------------------------------------------------------------------------------


@bp.route("/manage/batches/new", methods=["GET", "POST"])
@desk_required
def batch_new():
    if current_user.org_id is None:
        flash("平台管理员不代表任何机构，请以发榜单位成员的账号新建榜单", "warning")
        return redirect(url_for(".index"))
    form = BatchForm()
    promote = parse_id(request.args.get("promote"))
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(16)
    if form.validate_on_submit():
        try:
            batch = services.create_batch(current_user.org, current_user, form.data_for_service(), form.form_token.data)
        except services.DuplicateBatch as dup:
            db.session.rollback()
            flash(dup.message, "info")
            return redirect(url_for(".batch", batch_id=dup.batch.id))
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            target = (
                url_for(".promote", posting_id=promote, batch_id=batch.id)
                if promote
                else url_for(".item_new", batch_id=batch.id)
            )
            return commit_and_redirect(target, "榜单草稿已创建，请添加攻关项目")
    return render_template("challenges/manage/batch_form.html", form=form, batch=None)


@bp.get("/manage/batches/<int:batch_id>")
@desk_required
def batch(batch_id: int):
    found = queries.managed_batch_or_404(current_user, batch_id)
    return render_template(
        "challenges/manage/batch.html",
        batch=found,
        withdraw_form=WithdrawForm(formdata=None),
        history=history_for("challenge_batch", found.id),
    )


@bp.route("/manage/batches/<int:batch_id>/edit", methods=["GET", "POST"])
@desk_required
def batch_edit(batch_id: int):
    found = queries.managed_batch_or_404(current_user, batch_id)
    form = BatchForm(obj=found)
    if form.validate_on_submit():
        try:
            services.update_batch(found, current_user, form.data_for_service())
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".batch", batch_id=found.id), "榜单已保存")
    return render_template("challenges/manage/batch_form.html", form=form, batch=found)


@bp.post("/manage/batches/<int:batch_id>/publish")
@desk_required
def batch_publish(batch_id: int):
    found = queries.managed_batch_or_404(current_user, batch_id)
    services.publish_batch(found, current_user)
    return commit_and_redirect(url_for(".batch", batch_id=found.id), "榜单已发布，各项目开始征集揭榜申请")


@bp.post("/manage/batches/<int:batch_id>/withdraw")
@desk_required
def batch_withdraw(batch_id: int):
    found = queries.managed_batch_or_404(current_user, batch_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors) or "请填写撤榜原因", "danger")
        return redirect(url_for(".batch", batch_id=found.id))
    services.withdraw_batch(found, current_user, form.reason.data)
    return commit_and_redirect(url_for(".batch", batch_id=found.id), "榜单已撤回，相关需求已下线", "warning")


# --- items ------------------------------------------------------------------------------------


def _save_item(form: ItemForm, save, done: str):
    """Validate, call the service, commit and go to the item's desk page; None to render the form again."""
    if not form.validate_on_submit():
        return None
    try:
        item = save(form.data_for_service())
    except ValidationFailed as err:
        show_form_error(form, err)
        return None
    return commit_and_redirect(url_for(".item", item_id=item.id), done)


@bp.route("/manage/batches/<int:batch_id>/items/new", methods=["GET", "POST"])
@desk_required
def item_new(batch_id: int):
    found = queries.managed_batch_or_404(current_user, batch_id)
    form = ItemForm()
    if not form.is_submitted():
        form.fill_rows()
    done = _save_item(form, lambda raw: editing.create_item(found, current_user, raw), "项目已保存")
    return done or render_template("challenges/manage/item_form.html", form=form, batch=found, item=None)


@bp.route("/manage/items/<int:item_id>/edit", methods=["GET", "POST"])
@desk_required
def item_edit(item_id: int):
    found = queries.managed_item_or_404(current_user, item_id)
    form = ItemForm(obj=found)
    if not form.is_submitted():
        form.keywords.data = "；".join(found.keywords or [])
        form.required_certificates.data = "；".join(found.required_certificates or [])
        form.min_tier.data = found.min_tier.value if found.min_tier else ""
        form.mode.data = found.mode.value
        form.fill_rows(found.indicators, found.tranches)
    done = _save_item(form, lambda raw: editing.update_item(found, current_user, raw), "项目已保存")
    return done or render_template("challenges/manage/item_form.html", form=form, batch=found.batch, item=found)


@bp.post("/manage/items/<int:item_id>/delete")
@desk_required
def item_delete(item_id: int):
    found = queries.managed_item_or_404(current_user, item_id)
    batch_id = found.batch_id
    editing.delete_draft_item(found, current_user)
    return commit_and_redirect(url_for(".batch", batch_id=batch_id), "草稿项目已删除")


@bp.get("/manage/items/<int:item_id>")
@desk_required
def item(item_id: int):
    found = queries.managed_item_or_404(current_user, item_id)
    return render_template(
        "challenges/manage/item.html",
        item=found,
        status=current_status(found),
        links=queries.desk_links(found),
        questions=qa.all_questions(found),
        answer_form=AnswerForm(formdata=None),
        history=history_for("challenge_item", found.id),
    )


@bp.post("/manage/items/<int:item_id>/questions/<int:question_id>/answer")
@desk_required
def answer(item_id: int, question_id: int):
    found = queries.managed_item_or_404(current_user, item_id)
    question = qa.question_for_item(found, question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors) or "请填写答复", "danger")
        return redirect(url_for(".item", item_id=found.id, _anchor=f"q{question.id}"))
    qa.answer_question(question, current_user, form.answer.data)
    return commit_and_redirect(url_for(".item", item_id=found.id, _anchor=f"q{question.id}"), "答复已公开")


# --- promoting a need -------------------------------------------------------------------------


@bp.route("/manage/promote/<int:posting_id>", methods=["GET", "POST"])
@desk_required
def promote(posting_id: int):
    posting = editing.promotable_posting(current_user, posting_id)
    batches = editing.promote_batches(posting)
    if not batches:
        flash("请先新建一个榜单，再把该需求转为榜单项目", "info")
        return redirect(url_for(".batch_new", promote=posting.id))
    choice = PromoteForm(batch_id=request.args.get("batch_id"))
    choice.batch_id.choices = [(str(b.id), f"{b.title}（{b.status.label}）") for b in batches]
    form = ItemForm(data=editing.prefill_from_posting(posting)) if request.method == "GET" else ItemForm()
    if not form.is_submitted():
        form.fill_rows()
    if choice.is_submitted() and not choice.validate():
        form.validate()
        return render_template(
            "challenges/manage/item_form.html", form=form, batch=None, item=None, posting=posting, choice=choice
        )
    chosen = next((b for b in batches if str(b.id) == choice.batch_id.data), batches[0])
    done = _save_item(form, lambda raw: editing.create_item(chosen, current_user, raw, posting), "需求已转为榜单项目")
    return done or render_template(
        "challenges/manage/item_form.html", form=form, batch=None, item=None, posting=posting, choice=choice
    )
