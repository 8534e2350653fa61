"""验收: a panel of ACCEPTANCE-stage experts marks each 考核指标 of a contract met or not met (with the measured
value); the issuer then records the result 通过 / 不通过 / 终止 with a note and, for 通过, the final payment.

通过 needs the panel's verdict: every 考核指标 met in the view of a strict majority (more than half) of the
experts who completed their checks (every indicator marked), and at least one expert completed. An expert who
has not finished does not count either way, so one late expert cannot block or carry the result. 不通过 and
终止 need only the note. The contract's docking record follows (已完成 for 通过, 已终止 otherwise). Once no
continuing contract of the item is still active, the item is 已验收 if at least one passed, 已终止 if none did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.challenges.delivery.access import (
    is_issuer,
    is_team_member,
    item_contracts,
    require_issuer_member,
    team_org_ids,
)
from app.challenges.delivery.experts import assign_panel, may_open
from app.challenges.delivery.gate import end_docking, gate_needed
from app.challenges.delivery.locking import lock_item
from app.challenges.delivery.models import AcceptanceCheck, ChallengeContract
from app.challenges.delivery.payments import add_payment, parse_wan
from app.challenges.items.models import ChallengeIndicator
from app.challenges.review.models import ChallengeExpert, ReviewAssignment
from app.core.challenge_enums import AcceptanceResult, ContractStatus, ItemStatus, ReviewStage, TrancheTrigger
from app.core.clock import local_today
from app.core.enums import NotificationKind
from app.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

MEASURED_MAX = 100
NOTE_MAX = 500
RESULT_NOTE_MAX = 1000
RESULT_STATUS = {
    AcceptanceResult.PASSED: ContractStatus.PASSED,
    AcceptanceResult.FAILED: ContractStatus.FAILED,
    AcceptanceResult.TERMINATED: ContractStatus.TERMINATED,
}


@dataclass
class IndicatorVerdict:
    indicator: ChallengeIndicator
    met: int = 0
    not_met: int = 0
    measured: list[str] = field(default_factory=list)

    def majority_met(self, completed: int) -> bool:
        return completed > 0 and self.met * 2 > completed


@dataclass
class Panel:
    assigned: int
    completed: int
    verdicts: list[IndicatorVerdict]

    @property
    def all_met(self) -> bool:
        return all(v.majority_met(self.completed) for v in self.verdicts)


def panel_assignments(contract: ChallengeContract) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == contract.application_id,
                ReviewAssignment.stage == ReviewStage.ACCEPTANCE,
                ReviewAssignment.conflict_note.is_(None),
            )
            .order_by(ReviewAssignment.id)
        )
    )


def checks_of(assignment: ReviewAssignment, contract: ChallengeContract) -> dict[int, AcceptanceCheck]:
    rows = db.session.scalars(
        sa.select(AcceptanceCheck).where(
            AcceptanceCheck.assignment_id == assignment.id, AcceptanceCheck.contract_id == contract.id
        )
    )
    return {c.indicator_id: c for c in rows}


def panel_of(contract: ChallengeContract) -> Panel:
    """The panel's verdict per indicator, over the experts who completed."""
    indicators = contract.item.indicators
    verdicts = {i.id: IndicatorVerdict(i) for i in indicators}
    assignments = panel_assignments(contract)
    completed = 0
    for a in assignments:
        checks = checks_of(a, contract)
        if a.submitted_at is None or any(i.id not in checks for i in indicators):
            continue
        completed += 1
        for i in indicators:
            v, check = verdicts[i.id], checks[i.id]
            v.met, v.not_met = v.met + check.met, v.not_met + (not check.met)
            if check.measured:
                v.measured.append(check.measured)
    return Panel(len(assignments), completed, [verdicts[i.id] for i in indicators])


def acceptance_open(contract: ChallengeContract) -> bool:
    """Active, and for 赛马制 past the gate (or no gate needed)."""
    return contract.status == ContractStatus.ACTIVE and not gate_needed(contract.item)


def start_acceptance(contract: ChallengeContract, actor) -> int:
    """Assign the ACCEPTANCE panel to a continuing contract (the review area's conflict rules apply)."""
    if not acceptance_open(contract):
        raise InvalidTransition("该任务书当前不能组织验收（须在实施中，赛马制须先完成阶段评估）")
    made = assign_panel(contract.item, ReviewStage.ACCEPTANCE, [contract.application], actor)
    if not made and not panel_assignments(contract):
        raise InvalidTransition("专家库中暂无可分配的验收专家（已排除利益冲突），请先补充专家")
    record_change("challenge_contract", contract.id, "acceptance", "panel_assigned", actor, f"{len(made)} 位专家")
    for assignment in made:
        notify(
            assignment.expert.user_id,
            NotificationKind.CHALLENGE_REVIEW,
            f"challenge_acceptance:{assignment.id}",
            f"验收任务：{contract.item.title}",
            "请签署无利益冲突声明后，逐项判断考核指标是否达标。",
            link_to("challenge_delivery.acceptance_page", contract_id=contract.id),
        )
    return len(made)


def expert_assignment(user, contract: ChallengeContract) -> ReviewAssignment | None:
    """This user's ACCEPTANCE assignment on the contract's application (declared or not), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(ReviewAssignment)
        .join(ChallengeExpert, ReviewAssignment.expert_id == ChallengeExpert.id)
        .where(
            ChallengeExpert.user_id == user.id,
            ReviewAssignment.application_id == contract.application_id,
            ReviewAssignment.stage == ReviewStage.ACCEPTANCE,
            ReviewAssignment.conflict_note.is_(None),
        )
    )


def expert_contract(contract_id: int, user) -> tuple[ChallengeContract, ReviewAssignment]:
    """For the acceptance page: a 404 for anyone without an ACCEPTANCE assignment on this contract."""
    contract = db.session.get(ChallengeContract, contract_id)
    assignment = expert_assignment(user, contract) if contract is not None else None
    if assignment is None:
        raise NotFound()
    return contract, assignment


def readable_contract(contract_id: int, user) -> ChallengeContract:
    """The team, the issuer, and an ACCEPTANCE expert who declared no conflict read the reports and files."""
    contract = db.session.get(ChallengeContract, contract_id)
    if contract is None:
        raise NotFound()
    if is_team_member(user, contract) or is_issuer(user, contract):
        return contract
    if expert_assignment(user, contract) is None or not may_open(user, contract.application):
        raise NotFound()
    return contract


def save_checks(contract: ChallengeContract, assignment: ReviewAssignment, actor, values: dict) -> list:
    """An expert who declared no conflict (can_open) marks every 考核指标 met or not met, with the measured
    value and a note; revisable until the issuer records the result."""
    if not may_open(actor, contract.application):
        raise InvalidTransition("请先签署无利益冲突声明")
    if contract.status != ContractStatus.ACTIVE or contract.acceptance_result is not None:
        raise InvalidTransition("该任务书的验收结论已经作出，不能再修改")
    existing, errors, parsed = checks_of(assignment, contract), {}, []
    for i in contract.item.indicators:
        met = str(values.get(f"met_{i.id}") or "")
        measured = str(values.get(f"measured_{i.id}") or "").strip()
        note = str(values.get(f"note_{i.id}") or "").strip()
        if met not in ("1", "0"):
            errors[f"met_{i.id}"] = f"请判断“{i.name}”是否达标"
        if len(measured) > MEASURED_MAX:
            errors[f"measured_{i.id}"] = f"“{i.name}”的实测值不能超过{MEASURED_MAX}个字"
        if len(note) > NOTE_MAX:
            errors[f"note_{i.id}"] = f"“{i.name}”的说明不能超过{NOTE_MAX}个字"
        parsed.append((i, met == "1", measured or None, note or None))
    if errors:
        raise ValidationFailed("验收意见不完整，请按提示修改", errors=errors)
    rows = []
    for i, met, measured, note in parsed:
        row = existing.get(i.id) or AcceptanceCheck(
            contract_id=contract.id, assignment_id=assignment.id, indicator_id=i.id
        )
        row.met, row.measured, row.note, row.checked_at = met, measured, note, utcnow()
        db.session.add(row)
        rows.append(row)
    assignment.submitted_at = utcnow()
    db.session.flush()
    return rows


def record_acceptance(contract: ChallengeContract, actor, *, result, note, final_amount=None) -> ChallengeContract:
    """The issuer's 验收 result (see the module docstring for the rule of 通过)."""
    require_issuer_member(contract.item.batch, actor)
    chosen = AcceptanceResult.from_any(result) if result else None
    if chosen is None:
        raise FieldError("result", "请选择验收结论")
    text = (note or "").strip()
    if not text or len(text) > RESULT_NOTE_MAX:
        raise FieldError("note", f"请填写验收说明（不超过{RESULT_NOTE_MAX}个字）")
    amount = parse_wan(final_amount or "0", "final_amount", "验收结算金额", allow_zero=True)
    lock_item(contract.item_id)
    db.session.refresh(contract)
    if not acceptance_open(contract):
        raise InvalidTransition("该任务书当前不能作出验收结论")
    if chosen == AcceptanceResult.PASSED:
        _require_pass(contract)
        if amount > 0:
            tranche = next((t for t in contract.item.tranches if t.trigger == TrancheTrigger.ACCEPTANCE), None)
            add_payment(contract, actor, amount, local_today(), tranche, "验收结算款")
    status = RESULT_STATUS[chosen]
    contract.status, contract.acceptance_result = status, chosen
    contract.accepted_on, contract.acceptance_note = local_today(), text
    if chosen != AcceptanceResult.PASSED:
        contract.ended_reason = text
    record_change("challenge_contract", contract.id, ContractStatus.ACTIVE, status, actor, text)
    end_docking(contract, actor, f"验收{chosen.label}：{text}", completed=chosen == AcceptanceResult.PASSED)
    _tell(contract, chosen, text)
    settle_item(contract.item, actor)
    db.session.flush()
    return contract


def _require_pass(contract: ChallengeContract) -> None:
    panel = panel_of(contract)
    if panel.completed == 0:
        raise InvalidTransition("尚无专家完成验收意见，不能作出“通过”结论")
    short = [v.indicator.name for v in panel.verdicts if not v.majority_met(panel.completed)]
    if short:
        raise InvalidTransition(
            f"以下考核指标未获过半数已完成验收专家（{panel.completed} 位）认定达标，不能作出“通过”结论："
            + "、".join(short)
        )


def settle_item(item, actor) -> None:
    """Once every continuing contract has its result: 已验收 if any passed, 已终止 if none did."""
    continuing = [c for c in item_contracts(item.id) if c.status != ContractStatus.STOPPED_AT_GATE]
    if not continuing or any(c.status == ContractStatus.ACTIVE for c in continuing):
        return
    target = ItemStatus.ACCEPTED if any(c.status == ContractStatus.PASSED for c in continuing) else ItemStatus.ENDED
    if item.status != target:
        record_change("challenge_item", item.id, item.status, target, actor)
        item.status = target
        if target == ItemStatus.ENDED:
            item.failed_reason = "；".join(f"{c.application.org.name}：{c.acceptance_note}" for c in continuing)


def _tell(contract: ChallengeContract, result: AcceptanceResult, note: str) -> None:
    orgs = [*team_org_ids(contract.application), contract.item.batch.issuer_org_id]
    notify(
        [uid for org_id in orgs for uid in org_user_ids(org_id)],
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_contract:{contract.id}:acceptance",
        f"《{contract.item.title}》验收结论：{result.label}",
        note,
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )
