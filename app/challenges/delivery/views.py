"""任务书、里程碑、拨付、赛马阶段评估与验收: the contract page (team and issuer), the expert's 验收 page, the
public result page, and the issuer's desk (desk.py). Views parse, call one service, commit."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.challenges.delivery import acceptance, desk, milestones, payments
from app.challenges.delivery.access import (
    is_issuer,
    is_team_member,
    issuer_contract,
    item_contracts,
    team_contract,
    team_org_ids,
    visible_contract,
)
from app.challenges.delivery.desk import flash_errors
from app.challenges.delivery.experts import declare, may_open
from app.challenges.delivery.forms import ExpertForm, PaymentForm, ReportForm, ResultForm, ReviewForm
from app.challenges.delivery.models import ChallengeContract
from app.challenges.delivery.services import awarded_applications
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import is_public
from app.core.challenge_enums import ContractStatus, ReviewStage
from app.core.clock import local_today
from app.core.errors import DomainError
from app.core.forms import with_blank
from app.core.web import commit_and_redirect
from app.extensions import db
from app.organizations.models import Organization

bp = Blueprint("challenge_delivery", __name__)

for rule, endpoint, view, methods in desk.RULES:
    bp.add_url_rule(rule, endpoint, login_required(view), methods=methods)


@bp.app_template_global("delivery_url")
def delivery_url(endpoint: str, **values) -> str | None:
    """A link to another challenge area's page, or None while that page does not exist."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@bp.app_template_global("delivery_trail")
def delivery_trail(item) -> list[tuple[str, str]]:
    """The breadcrumb of the issuer's pages for an item: 发榜管理 › the item's desk."""
    links = [
        ("发榜管理", delivery_url("challenge_manage.index")),
        (item.title, delivery_url("challenge_manage.item", item_id=item.id)),
    ]
    return [(label, url) for label, url in links if url]


def _back(contract_id: int, anchor: str = ""):
    return redirect(url_for(".contract", contract_id=contract_id) + anchor)


def _run(contract_id: int, anchor: str, call, message: str):
    """Run one service call for a contract-page form and commit once; a refusal flashes its messages."""
    try:
        call()
    except DomainError as err:
        flash_errors(err)
        return _back(contract_id, anchor)
    return commit_and_redirect(url_for(".contract", contract_id=contract_id) + anchor, message)


@bp.get("/contracts/<int:contract_id>")
@login_required
def contract(contract_id):
    c = visible_contract(contract_id, current_user)
    team, issuer = is_team_member(current_user, c), is_issuer(current_user, c)
    payment_form = PaymentForm()
    payment_form.tranche_id.choices = with_blank(
        [(str(t.id), f"{t.name}（{t.percent}%）") for t in c.item.tranches], "其他（不对应计划款项）"
    )
    payment_form.paid_on.data = local_today().isoformat()
    payment_form.form_token.data = secrets.token_urlsafe(16)
    return render_template(
        "challenges/delivery/contract.html",
        c=c,
        item=c.item,
        team=team,
        issuer=issuer,
        team_orgs=[db.session.get(Organization, i) for i in team_org_ids(c.application)],
        report_form=ReportForm,
        new_token=lambda: secrets.token_urlsafe(16),
        review_form=ReviewForm(),
        payment_form=payment_form,
        plan=payments.plan_rows(c),
        paid=payments.paid_total(c.id),
        result_form=ResultForm(),
        panel=acceptance.panel_of(c) if issuer else None,
        acceptance_open=acceptance.acceptance_open(c),
        indicator_field=milestones.indicator_field,
    )


@bp.post("/contracts/<int:contract_id>/milestones/<int:milestone_id>/report")
@login_required
def report(contract_id, milestone_id):
    c = team_contract(contract_id, current_user)
    m = milestones.milestone_of(c, milestone_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重新提交", "danger")
        return _back(c.id, f"#m{m.id}")
    return _run(
        c.id,
        f"#m{m.id}",
        lambda: milestones.submit_report(
            c, m, current_user, form.body.data, request.form, request.files.getlist("files"), form.form_token.data
        ),
        "里程碑报告已提交，等待发榜方审核",
    )


@bp.post("/contracts/<int:contract_id>/reports/<int:report_id>/review")
@login_required
def review(contract_id, report_id):
    c = issuer_contract(contract_id, current_user)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重新提交", "danger")
        return _back(c.id)
    return _run(
        c.id,
        "#milestones",
        lambda: milestones.review_report(c, report_id, current_user, form.decision.data, form.note.data),
        "审核结果已保存，团队已收到通知",
    )


@bp.post("/contracts/<int:contract_id>/payments")
@login_required
def pay(contract_id):
    c = issuer_contract(contract_id, current_user)
    form = PaymentForm()
    form.tranche_id.choices = []
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重新提交", "danger")
        return _back(c.id, "#payments")
    return _run(
        c.id,
        "#payments",
        lambda: payments.record_payment(
            c,
            current_user,
            tranche_id=form.tranche_id.data,
            amount=form.amount_wan.data,
            paid_on=form.paid_on.data,
            note=form.note.data,
            form_token=form.form_token.data,
        ),
        "拨付已登记",
    )


@bp.get("/contracts/<int:contract_id>/files/<int:file_id>")
@login_required
def report_file(contract_id, file_id):
    c = acceptance.readable_contract(contract_id, current_user)
    item, path = milestones.report_file(c, file_id)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name)


@bp.post("/contracts/<int:contract_id>/acceptance/start")
@login_required
def start_acceptance(contract_id):
    c = issuer_contract(contract_id, current_user)
    return _run(c.id, "#acceptance", lambda: acceptance.start_acceptance(c, current_user), "已分配验收专家")


@bp.post("/contracts/<int:contract_id>/acceptance/result")
@login_required
def acceptance_result(contract_id):
    c = issuer_contract(contract_id, current_user)
    form = ResultForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重新提交", "danger")
        return _back(c.id, "#acceptance")
    return _run(
        c.id,
        "#acceptance",
        lambda: acceptance.record_acceptance(
            c, current_user, result=form.result.data, note=form.note.data, final_amount=form.final_amount.data
        ),
        "验收结论已记录，双方已收到通知",
    )


@bp.route("/contracts/<int:contract_id>/acceptance", methods=["GET", "POST"])
@login_required
def acceptance_page(contract_id):
    c, assignment = acceptance.expert_contract(contract_id, current_user)
    if request.method == "POST":
        if not ExpertForm().validate_on_submit():
            abort(400)
        try:
            if request.form.get("action") == "declare":
                declare(assignment, current_user)
            else:
                acceptance.save_checks(c, assignment, current_user, request.form)
        except DomainError as err:
            flash_errors(err)
            return redirect(url_for(".acceptance_page", contract_id=c.id))
        message = "已签署无利益冲突声明" if request.form.get("action") == "declare" else "验收意见已保存"
        return commit_and_redirect(url_for(".acceptance_page", contract_id=c.id), message)
    return render_template(
        "challenges/delivery/acceptance.html",
        c=c,
        item=c.item,
        assignment=assignment,
        opened=may_open(current_user, c.application),
        checks=acceptance.checks_of(assignment, c),
        decided=c.acceptance_result is not None or c.status != ContractStatus.ACTIVE,
    )


# --- public ------------------------------------------------------------------------------------


def _public_item(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None or not is_public(item):
        abort(404)
    return item


@bp.app_template_global()
def challenge_result_for(item) -> dict | None:
    """For the public item page: the link to the result page and each team's contract status, once the item
    has signed contracts; None before that."""
    contracts = item_contracts(item.id)
    if not contracts:
        return None
    return {
        "url": url_for("challenge_delivery.result", item_id=item.id),
        "teams": [(c.application.org.name, c.status.label) for c in contracts],
    }


@bp.app_template_global()
def challenge_contract_url(application) -> str | None:
    """For the application pages: the link to the application's 任务书 once signed (None before)."""
    contract = db.session.scalar(sa.select(ChallengeContract).filter_by(application_id=application.id))
    return url_for("challenge_delivery.contract", contract_id=contract.id) if contract else None


@bp.app_template_global()
def challenge_acceptance_url(assignment) -> str | None:
    """For the experts' list: where an ACCEPTANCE assignment is worked on (the contract's 验收 page)."""
    if assignment.stage != ReviewStage.ACCEPTANCE:
        return None
    contract = db.session.scalar(sa.select(ChallengeContract).filter_by(application_id=assignment.application_id))
    return url_for("challenge_delivery.acceptance_page", contract_id=contract.id) if contract else None


@bp.get("/items/<int:item_id>/result")
def result(item_id):
    item = _public_item(item_id)
    contracts = item_contracts(item.id)
    return render_template(
        "challenges/delivery/result.html",
        item=item,
        winners=awarded_applications(item),
        contracts=contracts,
        panels={c.id: acceptance.panel_of(c) for c in contracts if c.acceptance_result},
    )
