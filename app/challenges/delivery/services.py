"""任务书: signing the contract of each awarded application (amount, milestones from the plan, the docking
record the funnel counts), and the milestone reminders job.

Services flush, never commit; the view (or the job runner) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa

from app.challenges.applications.models import ChallengeApplication
from app.challenges.delivery.access import require_issuer_member, team_org_ids
from app.challenges.delivery.locking import lock_item
from app.challenges.delivery.models import ChallengeContract, ContractMilestone
from app.challenges.delivery.payments import parse_wan, wan
from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import (
    ApplicationStatus,
    ChallengeMode,
    ContractStatus,
    ItemStatus,
    MilestoneStatus,
    TrancheTrigger,
)
from app.core.clock import form_day, local_date, past_day
from app.core.enums import ContractType, DockingStage, NotificationKind
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.core.models import record_change
from app.core.web import parse_id
from app.docking.records import move_docking_stage, open_agreed_record
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

NAME_MAX = 100
EXPECTED_MAX = 1000
MILESTONES_MAX = 20
REMIND_DAYS = 7
OPEN_MILESTONE = (MilestoneStatus.PENDING, MilestoneStatus.RETURNED)
# What a milestone that releases a tranche asks for, as the form first proposes it.
EXPECTED_AT = {
    TrancheTrigger.MIDTERM: "中期进展报告：各考核指标阶段性达成情况、经费使用情况",
    TrancheTrigger.GATE: "阶段评估材料：阶段目标完成情况、考核指标进展、后续攻关方案",
    TrancheTrigger.ACCEPTANCE: "验收材料：考核指标第三方检测报告、技术总结报告、经费决算",
}


@dataclass
class MilestoneInput:
    name: str
    due_on: date | str | None
    expected: str | None = None
    tranche_id: int | None = None


def awarded_applications(item: ChallengeItem) -> list[ChallengeApplication]:
    return list(
        db.session.scalars(
            sa.select(ChallengeApplication)
            .where(ChallengeApplication.item_id == item.id, ChallengeApplication.status == ApplicationStatus.AWARDED)
            .order_by(ChallengeApplication.rank.nulls_last(), ChallengeApplication.id)
        )
    )


def contracted_total(item_id: int) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ChallengeContract.amount_wan), 0)).where(
            ChallengeContract.item_id == item_id
        )
    ) or Decimal(0)


def default_amount(item: ChallengeItem) -> Decimal:
    """The whole funding for 揭榜挂帅; funding ÷ stage-1 teams (down to the cent) for 赛马制; never more than
    what the contracts signed so far leave."""
    share = item.funding_wan
    if item.mode == ChallengeMode.HORSE_RACE:
        share = (item.funding_wan / max(item.teams_stage1, 1)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return max(min(share, item.funding_wan - contracted_total(item.id)), Decimal(0))


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, 28)


def proposed_milestones(
    item: ChallengeItem, application: ChallengeApplication, signed_on: date
) -> list[MilestoneInput]:
    """The form's first draft: the application's proposed milestones (months after signing), then one
    milestone per tranche that falls due after signing (中期检查 half-way, 验收 at the item's 完成时限)."""
    rows = []
    for m in application.milestones or []:
        months = m.get("months")
        months = parse_id(months)
        months = months if months and months <= 120 else None
        if not m.get("name"):
            continue
        due = _months_later(signed_on, months) if months else None
        rows.append(MilestoneInput(str(m["name"])[:NAME_MAX], due, m.get("deliverable") or None))
    end = max(item.complete_by, signed_on)
    half = signed_on + (end - signed_on) / 2
    for tranche in item.tranches:
        if tranche.trigger == TrancheTrigger.SIGNING:
            continue
        due = end if tranche.trigger == TrancheTrigger.ACCEPTANCE else half
        rows.append(MilestoneInput(tranche.trigger.label, due, EXPECTED_AT[tranche.trigger], tranche.id))
    return sorted(rows, key=lambda r: r.due_on or date.max)


def _clean_milestones(item: ChallengeItem, rows: list[MilestoneInput], signed_on: date) -> list[ContractMilestone]:
    """Blank rows are skipped. Each row needs a name and a due date not before signing; every tranche of the
    plan that falls due after signing needs its milestone."""
    tranche_ids = {t.id for t in item.tranches}
    errors, made = {}, []
    for i, row in enumerate(rows):
        name = (row.name or "").strip()
        if not name and not row.due_on:
            continue
        prefix = f"第 {i + 1} 个里程碑"
        if not name or len(name) > NAME_MAX:
            errors[f"milestones-{i}-name"] = f"{prefix}请填写名称（不超过{NAME_MAX}个字）"
            continue
        try:
            due = parse_due(row.due_on, signed_on)
        except FieldError as err:
            errors[f"milestones-{i}-due_on"] = f"{prefix}“{name}”：{err.message}"
            continue
        expected = (row.expected or "").strip() or None
        if expected and len(expected) > EXPECTED_MAX:
            errors[f"milestones-{i}-expected"] = f"{prefix}的预期成果不能超过{EXPECTED_MAX}个字"
        tranche_id = row.tranche_id if row.tranche_id in tranche_ids else None
        made.append(ContractMilestone(name=name, due_on=due, expected=expected, tranche_id=tranche_id))
    covered = {m.tranche_id for m in made}
    for tranche in item.tranches:
        if tranche.trigger != TrancheTrigger.SIGNING and tranche.id not in covered:
            errors[f"tranche-{tranche.id}"] = f"付款计划中的“{tranche.name}”（{tranche.trigger.label}）须对应一个里程碑"
    if not made:
        errors["milestones"] = "请至少填写一个里程碑"
    if len(made) > MILESTONES_MAX:
        errors["milestones"] = f"里程碑最多{MILESTONES_MAX}个"
    if errors:
        raise ValidationFailed("里程碑有误，请按提示修改", errors=errors)
    made.sort(key=lambda m: m.due_on)
    for position, m in enumerate(made, start=1):
        m.position = position
    return made


def parse_due(value, signed_on: date) -> date:
    day = form_day(value, "due_on", "到期日期")
    if day < signed_on:
        raise FieldError("due_on", "到期日期不能早于任务书签订日期")
    return day


def sign_contract(
    item: ChallengeItem, application: ChallengeApplication, actor, *, signed_on, amount, milestones
) -> ChallengeContract:
    """签订任务书 for an awarded application of an item in 实施中: the amount (万元; the contracts of an item
    never add up to more than its funding, checked under the item's lock) and the milestones. The winner's
    docking record with the issuer on the item's backing need reaches 已签约 with the amount and date, so the
    docking funnel counts the award. Signed by a member of the issuing organisation; both sides are told."""
    require_issuer_member(item.batch, actor)
    if application.item_id != item.id or application.status != ApplicationStatus.AWARDED:
        raise InvalidTransition("只能为揭榜成功的团队签订任务书")
    if item.status != ItemStatus.IMPLEMENTING:
        raise InvalidTransition(f"项目当前状态为“{item.status.label}”，不能签订任务书")
    errors, values = {}, {}
    for field, parse in {
        "signed_on": lambda: past_day(signed_on, "signed_on", "签订日期"),
        "amount_wan": lambda: parse_wan(amount, "amount_wan", "任务书金额"),
    }.items():
        try:
            values[field] = parse()
        except FieldError as err:
            errors.update(err.errors)
    if "signed_on" in values and values["signed_on"] < item.batch.opens_on:
        errors["signed_on"] = "签订日期不能早于榜单发布（征集开始）日期"
    if errors:
        raise ValidationFailed("任务书信息有误，请按提示修改", errors=errors)
    rows = _clean_milestones(item, milestones, values["signed_on"])
    lock_item(item.id)
    if db.session.scalar(sa.select(ChallengeContract.id).filter_by(application_id=application.id)):
        raise InvalidTransition("该团队的任务书已经签订，请勿重复提交")
    left = item.funding_wan - contracted_total(item.id)
    if values["amount_wan"] > left:
        raise FieldError(
            "amount_wan",
            f"各任务书金额之和不能超过项目总经费 {wan(item.funding_wan)} 万元（还可分配 {wan(left)} 万元）",
        )
    contract = ChallengeContract(
        application_id=application.id, item_id=item.id, signed_on=values["signed_on"], amount_wan=values["amount_wan"]
    )
    contract.milestones = rows
    db.session.add(contract)
    db.session.flush()
    record_change("challenge_contract", contract.id, None, ContractStatus.ACTIVE, actor)
    contract.docking_record_id = _sign_docking(item, application, actor, contract)
    _tell_both_sides(
        contract, "signed", f"《{item.title}》任务书已签订", f"任务书金额 {wan(contract.amount_wan)} 万元。"
    )
    return contract


def _sign_docking(item, application, actor, contract) -> int | None:
    posting = item.posting
    if posting is None:
        return None
    message = f"揭榜挂帅项目《{item.title}》揭榜成功，签订任务书。"
    record = open_agreed_record(actor, application.org_id, posting.id, posting.org_id, message)
    if record.stage.rank < DockingStage.SIGNED.rank:
        move_docking_stage(
            record,
            actor,
            DockingStage.SIGNED,
            contract_type=ContractType.CONTRACT_RD.value,
            amount=contract.amount_wan,
            signed_on=contract.signed_on,
            note=message,
        )
    return record.id


def _tell_both_sides(contract: ChallengeContract, what: str, title: str, body: str) -> None:
    orgs = [*team_org_ids(contract.application), contract.item.batch.issuer_org_id]
    notify(
        [uid for org_id in orgs for uid in org_user_ids(org_id)],
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_contract:{contract.id}:{what}",
        title,
        body,
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )


# --- the reminders job ------------------------------------------------------------------------------


def send_milestone_reminders(now: datetime) -> str:
    """Milestones of active contracts not yet submitted (or returned): REMIND_DAYS days before they fall due
    the team is reminded, and once overdue the team and the issuer are told. Each at most once per milestone
    and kind (the notification key), so the job may run any number of times a day."""
    today = local_date(now)
    rows = db.session.scalars(
        sa.select(ContractMilestone)
        .join(ChallengeContract, ContractMilestone.contract_id == ChallengeContract.id)
        .where(
            ChallengeContract.status == ContractStatus.ACTIVE,
            ContractMilestone.status.in_(OPEN_MILESTONE),
            ContractMilestone.due_on <= today + timedelta(days=REMIND_DAYS),
        )
        .order_by(ContractMilestone.id)
    ).all()
    soon = overdue = 0
    for m in rows:
        contract = m.contract
        team = [uid for org_id in team_org_ids(contract.application) for uid in org_user_ids(org_id)]
        link = link_to("challenge_delivery.contract", contract_id=contract.id)
        title = f"《{contract.item.title}》里程碑“{m.name}”"
        if m.due_on < today:
            issuer = org_user_ids(contract.item.batch.issuer_org_id)
            made = notify(
                team + issuer,
                NotificationKind.CHALLENGE_DELIVERY,
                f"challenge_milestone:{m.id}:overdue",
                f"{title}已逾期",
                f"应于 {m.due_on:%Y-%m-%d} 前提交报告，目前尚未提交。",
                link,
            )
            if made:
                m.reminded_on, overdue = today, overdue + 1
        elif notify(
            team,
            NotificationKind.CHALLENGE_DELIVERY,
            f"challenge_milestone:{m.id}:due_soon",
            f"{title}将于 {m.due_on:%Y-%m-%d} 到期",
            "请在到期前提交里程碑报告。",
            link,
        ):
            soon += 1
    db.session.flush()
    return f"到期提醒 {soon} 条，逾期提醒 {overdue} 条"
