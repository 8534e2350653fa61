"""The 赛马制 stage gate: GATE-stage experts score the stage-1 teams (the review area's scoring pages), the
issuer sees the ranking and keeps exactly `teams_kept` (M) teams; the others stop with a recorded reason and
their final payment.

The default is the top M by gate score. The issuer may keep others, with a reason; when the M-th and the
(M+1)-th share a score there is no default and the issuer must choose, with a reason. Exactly M continue:
the service refuses any other number, under the item's lock, and a gate is decided once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.challenges.delivery.access import item_contracts, require_issuer_member, team_org_ids
from app.challenges.delivery.experts import assign_panel, ensure_gate_rubric, freeze_gate_scores, gate_ranking
from app.challenges.delivery.locking import lock_item
from app.challenges.delivery.models import ChallengeContract
from app.challenges.delivery.payments import add_payment, check_room, parse_wan, wan
from app.challenges.delivery.services import awarded_applications
from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import ChallengeMode, ContractStatus, ItemStatus, ReviewStage, TrancheTrigger
from app.core.clock import local_today
from app.core.enums import DockingStage, NotificationKind
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.core.models import record_change
from app.core.web import parse_id
from app.docking.models import DockingRecord
from app.docking.records import FINAL, TEXT_MAX, move_docking_stage
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

REASON_MAX = 1000


@dataclass
class GateRow:
    contract: ChallengeContract
    result: Decimal | None
    complete: int
    scorer_count: int
    rank: int | None
    tied: bool


def stage1_contracts(item: ChallengeItem) -> list[ChallengeContract]:
    """The teams at the gate: active contracts, or all that took part once it is decided."""
    return [c for c in item_contracts(item.id) if c.status == ContractStatus.ACTIVE or c.gate_rank is not None]


def gate_decided(item: ChallengeItem) -> bool:
    return any(c.gate_rank is not None or c.status == ContractStatus.STOPPED_AT_GATE for c in item_contracts(item.id))


def gate_needed(item: ChallengeItem) -> bool:
    """赛马制 with more active teams than the gate keeps, and not decided yet."""
    active = [c for c in item_contracts(item.id) if c.status == ContractStatus.ACTIVE]
    return item.mode == ChallengeMode.HORSE_RACE and not gate_decided(item) and len(active) > item.teams_kept


def gate_rows(item: ChallengeItem) -> list[GateRow]:
    """The stage-1 teams in the GATE ranking's order (unscored teams last)."""
    contracts = {c.application_id: c for c in stage1_contracts(item)}
    rows = [
        GateRow(contracts[t.subject.id], t.result, t.complete, t.scorer_count, t.rank, t.tied)
        for t in gate_ranking(item)
        if t.subject.id in contracts
    ]
    seen = {r.contract.id for r in rows}
    rows += [GateRow(c, None, 0, 0, None, False) for c in contracts.values() if c.id not in seen]
    return rows


def default_keep(rows: list[GateRow], kept: int) -> list[int] | None:
    """The top M contract ids; None when a team is unscored or the cut falls inside a tie."""
    if len(rows) < kept or any(r.result is None for r in rows):
        return None
    if len(rows) > kept and rows[kept - 1].result == rows[kept].result:
        return None
    return [r.contract.id for r in rows[:kept]]


def start_gate(item: ChallengeItem, actor) -> int:
    """Assign GATE-stage experts to every active stage-1 team (the review area's conflict rules apply)."""
    if not gate_needed(item) or item.status != ItemStatus.IMPLEMENTING:
        raise InvalidTransition("当前无需进行赛马阶段评估")
    teams = [c.application for c in item_contracts(item.id) if c.status == ContractStatus.ACTIVE]
    signed = {c.application_id for c in item_contracts(item.id)}
    unsigned = [a.org.name for a in awarded_applications(item) if a.id not in signed]
    if unsigned:
        raise InvalidTransition("以下揭榜团队尚未签订任务书，请签订后再开始阶段评估：" + "、".join(unsigned))
    ensure_gate_rubric(item, actor)
    made = assign_panel(item, ReviewStage.GATE, teams, actor)
    record_change("challenge_item", item.id, "gate", "gate_started", actor, f"分配评估专家 {len(made)} 人次")
    return len(made)


def _clean(text, field: str, label: str, required: bool) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise FieldError(field, f"请填写{label}")
    if len(text) > REASON_MAX:
        raise FieldError(field, f"{label}不能超过{REASON_MAX}个字")
    return text or None


def _check_keep(item, rows, keep_ids, override_reason) -> tuple[list[int], str | None]:
    ids = {r.contract.id for r in rows}
    keep = sorted({i for i in map(parse_id, keep_ids) if i in ids})
    if len(keep) != item.teams_kept:
        raise FieldError("keep", f"须选择恰好 {item.teams_kept} 个团队进入下一阶段（现选 {len(keep)} 个）")
    default = default_keep(rows, item.teams_kept)
    if default is None:
        label = "并列时的取舍理由"
    elif sorted(default) != keep:
        label = "与评估排名不一致的理由"
    else:
        return keep, None
    return keep, _clean(override_reason, "override_reason", label, True)


def decide_gate(
    item: ChallengeItem, actor, *, keep_ids, stop_reason, override_reason=None, final_amounts: dict
) -> list[ChallengeContract]:
    """Keep exactly M teams; the others → 阶段评估未入围 with the reason and their final payment (0 or more
    万元, within the contract's amount and the item's funding). Every team's gate score and rank are kept."""
    require_issuer_member(item.batch, actor)
    lock_item(item.id)
    if not gate_needed(item):
        raise InvalidTransition("阶段评估已经完成或无需进行")
    rows = gate_rows(item)
    if any(r.result is None for r in rows):
        raise InvalidTransition("还有团队没有完成评估打分，不能作出决定")
    keep, override = _check_keep(item, rows, keep_ids, override_reason)
    reason = _clean(stop_reason, "stop_reason", "未入围团队的终止原因", True)
    stopped = [r.contract for r in rows if r.contract.id not in keep]
    amounts, errors = {}, {}
    for c in stopped:
        try:
            amounts[c.id] = parse_wan(final_amounts.get(c.id) or "0", f"final_{c.id}", "结算金额", allow_zero=True)
            check_room(c, amounts[c.id])
        except FieldError as err:
            errors[f"final_{c.id}"] = f"{c.application.org.name}：{err.message}"
    if errors:
        raise ValidationFailed("结算金额有误，请按提示修改", errors=errors)
    freeze_gate_scores(item, actor)
    for r in rows:
        r.contract.gate_score, r.contract.gate_rank = str(r.result), r.rank
    record_change("challenge_item", item.id, "gate_started", "gate_decided", actor, override)
    for c in stopped:
        _stop(c, actor, reason, amounts[c.id])
    for c in (r.contract for r in rows if r.contract.id in keep):
        _tell_team(
            c, "gate_kept", f"《{item.title}》赛马阶段评估：进入下一阶段", "恭喜，贵团队通过阶段评估，请继续推进任务。"
        )
    db.session.flush()
    return stopped


def _stop(contract: ChallengeContract, actor, reason: str, amount: Decimal) -> None:
    contract.status, contract.ended_reason = ContractStatus.STOPPED_AT_GATE, reason
    record_change(
        "challenge_contract", contract.id, ContractStatus.ACTIVE, ContractStatus.STOPPED_AT_GATE, actor, reason
    )
    if amount > 0:
        tranche = next((t for t in contract.item.tranches if t.trigger == TrancheTrigger.GATE), None)
        add_payment(contract, actor, amount, local_today(), tranche, "阶段评估未入围结算款")
    end_docking(contract, actor, f"赛马阶段评估未入围：{reason}")
    _tell_team(
        contract,
        "gate_stopped",
        f"《{contract.item.title}》赛马阶段评估：未入围",
        f"原因：{reason}。结算金额 {wan(amount)} 万元。",
    )


def end_docking(contract: ChallengeContract, actor, note: str, *, completed: bool = False) -> None:
    """Move the contract's docking record to 已完成 (验收通过) or 已终止, if it is not final already."""
    record = db.session.get(DockingRecord, contract.docking_record_id) if contract.docking_record_id else None
    if record is None or record.stage in FINAL:
        return
    note = note[:TEXT_MAX]
    if completed and record.stage == DockingStage.SIGNED:
        move_docking_stage(record, actor, DockingStage.COMPLETED, completed_on=local_today(), note=note)
    elif not completed:
        move_docking_stage(record, actor, DockingStage.TERMINATED, note=note)


def _tell_team(contract: ChallengeContract, what: str, title: str, body: str) -> None:
    notify(
        [uid for org_id in team_org_ids(contract.application) for uid in org_user_ids(org_id)],
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_contract:{contract.id}:{what}",
        title,
        body,
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )
