"""The public policy library, 可申报政策 for the logged-in firm with its marks, and the 政策计算器.
Thin: form → service → commit."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import org_member_required
from app.core.clock import local_today
from app.core.errors import ValidationFailed
from app.core.pagination import paginate
from app.core.policy_enums import Verdict
from app.core.web import safe_next
from app.extensions import db, limiter
from app.organizations.profile import FACTS, profile_of
from app.organizations.profile_gaps import missing_facts
from app.policies import firm, firm_marks
from app.policies.calculator import calculate
from app.policies.fields import number_text
from app.policies.firm_forms import ApprovedForm, CalculatorForm, LibraryFilterForm, RatingForm, SwitchForm
from app.policies.rules import render_rule, scoped_rule

bp = Blueprint("policies", __name__)


def _org():
    """The viewer's organisation when a member of one is signed in, else None."""
    return current_user.org if current_user.is_authenticated and current_user.org_id else None


@bp.record_once
def _template_globals(state) -> None:
    """What the policy templates and their macros read (imported macros see globals, not the context)."""
    state.app.jinja_env.globals.update(
        Verdict=Verdict,
        wan=number_text,
        rule_text=lambda item: render_rule(scoped_rule(item.rules, item.policy.region)),
    )


@bp.get("/")
def index():
    form = LibraryFilterForm(formdata=request.args)
    today = local_today()
    pagination = paginate(firm.library_query(form.filters(), today))
    return render_template(
        "policies/index.html", form=form, pagination=pagination, today=today, window=firm.window_state
    )


@bp.get("/<int:policy_id>")
def detail(policy_id):
    policy = firm.get_visible_policy(policy_id)
    org = _org()
    rows = firm.verdicts_for_policy(org, policy) if org else {}
    if org:
        firm_marks.record_views(org, policy.items)
        db.session.commit()
    return render_template(
        "policies/detail.html",
        policy=policy,
        rows=rows,
        today=local_today(),
        window=firm.window_state,
        forms=mark_forms(),
    )


@bp.get("/items/<int:item_id>")
def item(item_id):
    """An item's own address (notices link here): its policy's page, scrolled to it."""
    found = firm.get_visible_item(item_id)
    return redirect(url_for("policies.detail", policy_id=found.policy_id, _anchor=f"item-{found.id}"))


def mark_forms(approved=None, rating=None) -> dict:
    return {
        "switch": SwitchForm(formdata=None),
        "approved": approved or ApprovedForm(formdata=None),
        "rating": rating or RatingForm(formdata=None),
    }


def render_mine(approved=None, rating=None, failed_item=None, status=200):
    org = current_user.org
    rows = firm.my_items(org)
    blocked = firm.blocked_by_fact(rows)
    missing = sorted(missing_facts(profile_of(org)), key=lambda fact: fact not in blocked)  # blocking ones first
    return (
        render_template(
            "policies/mine.html",
            org=org,
            rows=rows,
            by_verdict={v: [r for r in rows if r.verdict == v] for v in Verdict},
            facts=FACTS,
            missing=missing,
            blocked=blocked,
            forms=mark_forms(approved, rating),
            failed_item=failed_item,
            show_ineligible=request.args.get("all") == "1",
        ),
        status,
    )


@bp.get("/mine")
@org_member_required
def mine():
    return render_mine()


def _back(form, item_id: int) -> str:
    fallback = url_for("policies.mine", _anchor=f"item-{item_id}")
    return safe_next(form.next.data, fallback)


def _switch(item_id: int, service, done: str, undone: str):
    form = SwitchForm()
    if not form.validate_on_submit():
        raise ValidationFailed("；".join(form.state.errors) or "页面已过期，请刷新后重试")
    service(current_user.org, item_id, form.on)
    db.session.commit()
    flash(done if form.on else undone, "success" if form.on else "info")
    return redirect(_back(form, item_id))


@bp.post("/items/<int:item_id>/watch")
@org_member_required
def watch(item_id):
    return _switch(item_id, firm_marks.set_watched, "已关注，截止前会提醒您", "已取消关注")


@bp.post("/items/<int:item_id>/applied")
@org_member_required
def applied(item_id):
    return _switch(item_id, firm_marks.set_applied, "已标记为已申报", "已撤销“已申报”标记")


@bp.post("/items/<int:item_id>/approved")
@org_member_required
def approved(item_id):
    form = ApprovedForm()
    if form.validate_on_submit():
        firm_marks.set_approved(current_user.org, item_id, form.amount.data)
        db.session.commit()
        flash("已标记获批，欢迎为这项政策的办理打个分", "success")
        return redirect(_back(form, item_id))
    firm.get_visible_item(item_id)  # a forged id is a 404, not a form error
    return render_mine(approved=form, failed_item=item_id, status=422)


@bp.post("/items/<int:item_id>/approved/cancel")
@org_member_required
def cancel_approved(item_id):
    form = SwitchForm()
    if not form.validate_on_submit():
        raise ValidationFailed("页面已过期，请刷新后重试")
    firm_marks.set_approved(current_user.org, item_id, None)
    db.session.commit()
    flash("已撤销“已获批”标记", "info")
    return redirect(_back(form, item_id))


@bp.post("/items/<int:item_id>/rating")
@org_member_required
def rating(item_id):
    form = RatingForm()
    if form.validate_on_submit():
        firm_marks.rate_item(current_user.org, item_id, int(form.rating.data))
        db.session.commit()
        flash("感谢您的评价", "success")
        return redirect(_back(form, item_id))
    firm.get_visible_item(item_id)
    return render_mine(rating=form, failed_item=item_id, status=422)


@bp.route("/calculator", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CALCULATOR_RATE_LIMIT"], methods=["POST"])
def calculator():
    form = CalculatorForm()
    rows = None
    if form.validate_on_submit():
        rows = calculate(form.answers())
        db.session.commit()
    status = 422 if form.is_submitted() and rows is None else 200
    return render_template("policies/calculator.html", form=form, rows=rows), status


def answer_profile_blocks(org, **extra) -> dict[str, list[dict]]:
    """The 企业画像 page asks (app.organizations.profile_gaps.profile_blocks): which open items each missing fact
    holds at 可能符合."""
    return {
        fact: [
            {
                "title": f"{row.item.title}（{row.item.policy.title}）",
                "url": url_for("policies.item", item_id=row.item.id),
                "sole": sole,
            }
            for row, sole in pairs
        ]
        for fact, pairs in firm.blocked_by_fact(firm.my_items(org)).items()
    }
