"""榜单、挑战项目与问答的公开页面. Thin: form → service → commit."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.challenges.items import describe, qa, queries
from app.challenges.items.forms import FilterForm, QuestionForm
from app.challenges.items.status import accepting_applications, current_status
from app.core.errors import ValidationFailed
from app.core.forms import show_form_error
from app.core.pagecache import public_page
from app.extensions import db, limiter

bp = Blueprint("challenges", __name__)
APPLY = "challenge_applications.apply"


@bp.record_once
def _template_globals(state) -> None:
    """What the challenge templates (every area's) may call."""
    state.app.jinja_env.globals.update(
        challenge_status=current_status,
        challenge_badge=lambda status: queries.BADGE.get(status, "text-bg-secondary"),
        challenge_accepting=accepting_applications,
        challenge_money=describe.wan,
        challenge_mode_text=describe.mode_text,
        challenge_conditions=describe.condition_lines,
        challenge_plan=describe.plan_lines,
        challenge_has_endpoint=queries.has_endpoint,
        challenge_history_label=describe.history_label,
    )


@bp.get("/")
@public_page()
def index():
    filters = FilterForm(request.args)
    filters.validate()
    status = filters.status.data if not filters.status.errors else None
    mode = filters.mode.data if not filters.mode.errors else None
    return render_template("challenges/index.html", filters=filters, rows=queries.public_batches(status, mode))


@bp.get("/batches/<int:batch_id>")
@public_page()
def batch(batch_id: int):
    return render_template("challenges/batch.html", row=queries.public_batch_or_404(batch_id))


def _question_form() -> QuestionForm | None:
    """The ask form for a signed-in member of an organisation, else None (the page invites them to sign in)."""
    if not (current_user.is_authenticated and current_user.org_id):
        return None
    form = QuestionForm()
    if not form.is_submitted():
        form.form_token.data = secrets.token_urlsafe(16)
    return form


def _render_item(item, form, status: int = 200):
    is_issuer = current_user.is_authenticated and current_user.org_id == item.batch.issuer_org_id
    # Visitors are asked to sign in on the way; a signed-in person of no organisation, or the issuer, cannot 揭榜.
    may_apply = not current_user.is_authenticated or (current_user.org_id is not None and not is_issuer)
    can_apply = may_apply and accepting_applications(item) and APPLY in current_app.view_functions
    page = render_template(
        "challenges/item.html",
        item=item,
        status=current_status(item),
        answered=qa.answered_questions(item),
        own_open=qa.own_open_questions(item, current_user),
        form=form,
        apply_url=url_for(APPLY, item_id=item.id) if can_apply else None,
        is_issuer=is_issuer,
    )
    return page, status


@bp.get("/items/<int:item_id>")
@public_page()
def item(item_id: int):
    return _render_item(queries.public_item_or_404(item_id), _question_form())


@bp.post("/items/<int:item_id>/questions")
@login_required
@limiter.limit("30/hour", methods=["POST"])
def ask(item_id: int):
    item = queries.public_item_or_404(item_id)
    form = _question_form()
    if form is None:
        flash("请以机构成员身份登录后提问", "warning")
        return redirect(url_for(".item", item_id=item.id, _anchor="qa"))
    if form.validate_on_submit():
        try:
            qa.ask_question(item, current_user, form.body.data, form.form_token.data or None)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            db.session.commit()
            flash("问题已提交，发榜方答复后将向所有人公开（不显示提问单位）", "success")
            return redirect(url_for(".item", item_id=item.id, _anchor="qa"))
    return _render_item(item, form, 422)
