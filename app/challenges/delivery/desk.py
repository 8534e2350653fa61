"""The issuer's delivery desk for one item: sign each awarded team's 任务书, run the 赛马制 gate, start 验收,
download the ledger. Views parse, call one service, commit; views.py registers them on the blueprint."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.challenges.applications.models import ChallengeApplication
from app.challenges.delivery import exports, gate, services
from app.challenges.delivery.acceptance import acceptance_open, panel_of
from app.challenges.delivery.access import item_contracts
from app.challenges.delivery.forms import GateForm, SignForm
from app.challenges.delivery.models import ChallengeContract
from app.challenges.delivery.payments import item_paid_total
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import managed_or_404
from app.core.challenge_enums import ApplicationStatus
from app.core.clock import local_today
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.forms import show_form_error
from app.core.web import commit_and_redirect, parse_id
from app.extensions import db


def managed_item(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    managed_or_404(current_user, item.batch if item else None)
    return item


def flash_errors(err: DomainError) -> None:
    """A refused action on a page with several forms: every message as a flash (nothing was changed)."""
    db.session.rollback()
    for message in (getattr(err, "errors", None) or {}).values() or [err.message]:
        flash(message, "danger")


def desk(item_id: int):
    item = managed_item(item_id)
    contracts = item_contracts(item.id)
    by_app = {c.application_id: c for c in contracts}
    gate_form = GateForm()
    gate_form.stop_reason.data = gate_form.stop_reason.data or f"阶段评估综合排名未进入前 {item.teams_kept} 名"
    rows = gate.gate_rows(item) if gate.gate_decided(item) or gate.gate_needed(item) else []
    return render_template(
        "challenges/delivery/desk.html",
        item=item,
        awarded=services.awarded_applications(item),
        by_app=by_app,
        contracts=contracts,
        contracted=services.contracted_total(item.id),
        paid=item_paid_total(item.id),
        gate_needed=gate.gate_needed(item),
        gate_decided=gate.gate_decided(item),
        gate_rows=rows,
        default_keep=gate.default_keep(rows, item.teams_kept) or [],
        gate_form=gate_form,
        panels={c.id: panel_of(c) for c in contracts},
        acceptance_open=acceptance_open,
    )


def _application(item: ChallengeItem, application_id: int) -> ChallengeApplication:
    application = db.session.get(ChallengeApplication, application_id)
    if application is None or application.item_id != item.id or application.status != ApplicationStatus.AWARDED:
        raise NotFound()
    return application


def sign(item_id: int, application_id: int):
    item = managed_item(item_id)
    application = _application(item, application_id)
    if signed := db.session.scalar(sa.select(ChallengeContract).filter_by(application_id=application.id)):
        flash("该团队的任务书已经签订", "info")
        return redirect(url_for(".contract", contract_id=signed.id))
    form = SignForm()
    if not form.is_submitted():
        today = local_today()
        form.signed_on.data = today.isoformat()
        form.amount_wan.data = f"{services.default_amount(item):f}"
        plan = services.proposed_milestones(item, application, today)
        while len(form.milestones.entries) < len(plan) + 2:
            form.milestones.append_entry()
        for entry, row in zip(form.milestones.entries, plan, strict=False):
            entry.form.name.data, entry.form.expected.data = row.name, row.expected
            entry.form.due_on.data = row.due_on.isoformat() if row.due_on else ""
            entry.form.tranche_id.data = str(row.tranche_id or "")
    elif form.validate():
        rows = [
            services.MilestoneInput(
                e.form.name.data,
                e.form.due_on.data,
                e.form.expected.data,
                parse_id(e.form.tranche_id.data),
            )
            for e in form.milestones.entries
        ]
        try:
            contract = services.sign_contract(
                item,
                application,
                current_user,
                signed_on=form.signed_on.data,
                amount=form.amount_wan.data,
                milestones=rows,
            )
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(
                url_for(".contract", contract_id=contract.id), "任务书已签订，双方已收到通知；对接记录已登记为已签约"
            )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "challenges/delivery/sign.html",
        item=item,
        application=application,
        form=form,
        tranches={t.id: t for t in item.tranches},
        left=item.funding_wan - services.contracted_total(item.id),
    ), status


def start_gate(item_id: int):
    item = managed_item(item_id)
    try:
        count = gate.start_gate(item, current_user)
    except DomainError as err:
        flash_errors(err)
        return redirect(url_for(".desk", item_id=item.id))
    return commit_and_redirect(url_for(".desk", item_id=item.id), f"已分配阶段评估专家 {count} 人次")


def decide_gate(item_id: int):
    item = managed_item(item_id)
    form = GateForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试", "danger")
        return redirect(url_for(".desk", item_id=item.id))
    amounts = {parse_id(k.removeprefix("final_")): v for k, v in request.form.items() if k.startswith("final_")}
    try:
        gate.decide_gate(
            item,
            current_user,
            keep_ids=request.form.getlist("keep"),
            stop_reason=form.stop_reason.data,
            override_reason=form.override_reason.data,
            final_amounts=amounts,
        )
    except DomainError as err:
        flash_errors(err)
        return redirect(url_for(".desk", item_id=item.id) + "#gate")
    return commit_and_redirect(url_for(".desk", item_id=item.id) + "#gate", "阶段评估结果已确定，各团队已收到通知")


def ledger(item_id: int):
    return exports.ledger(managed_item(item_id))


RULES = (
    ("/manage/items/<int:item_id>/delivery", "desk", desk, ["GET"]),
    ("/manage/items/<int:item_id>/delivery/sign/<int:application_id>", "sign", sign, ["GET", "POST"]),
    ("/manage/items/<int:item_id>/delivery/gate/start", "start_gate", start_gate, ["POST"]),
    ("/manage/items/<int:item_id>/delivery/gate", "decide_gate", decide_gate, ["POST"]),
    ("/manage/items/<int:item_id>/delivery/ledger.xlsx", "ledger", ledger, ["GET"]),
)
