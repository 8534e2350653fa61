"""Demo delivery of the awarded challenges, through the delivery services and dated back from the load day:

- 兆瓦级碱性电解水制氢装备（赛马制）: three teams signed 任务书 four months ago, their first payments made; one
  team's first milestone report waits for the issuer's review; the stage gate is due in under two weeks.
- 乳酸菌发酵剂国产化菌株选育（揭榜挂帅）: 益康生物's contract ran its course: every milestone approved, every
  payment made, a three-expert 验收 panel found every 考核指标 met, 验收通过 ten days ago (public result page).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.challenges.delivery.acceptance import record_acceptance
from app.challenges.delivery.models import AcceptanceCheck, ChallengeContract, MilestoneReport
from app.challenges.delivery.payments import add_payment
from app.challenges.delivery.services import proposed_milestones, sign_contract
from app.challenges.review.models import ReviewAssignment
from app.core.challenge_enums import ApplicationStatus, MilestoneStatus, ReviewStage, TrancheTrigger
from app.demo.dating import dated
from app.docking.models import DockingRecord, DockingRequest
from app.extensions import db


def seed_challenge_delivery(items, applications, experts, actor, today: date, now: datetime) -> dict[str, int]:
    contracts = []
    race = items["electrolyser"]
    for (key, _), application in applications.items():
        if key == "electrolyser" and application.status == ApplicationStatus.AWARDED:
            contracts.append(_signed(race, application, actor, today - timedelta(days=130), Decimal(300), now))
    gate_tranche = next(t for t in race.tranches if t.trigger == TrancheTrigger.GATE)
    for contract in contracts:
        gate = next(m for m in contract.milestones if m.tranche_id == gate_tranche.id)
        gate.due_on = today + timedelta(days=12)
        for position, milestone in enumerate(sorted(contract.milestones, key=lambda m: m.due_on), start=1):
            milestone.position = position
    first = min(contracts[0].milestones, key=lambda m: m.due_on)
    db.session.add(
        MilestoneReport(
            milestone_id=first.id, body="已完成 200 Nm³/h 小试电解槽的搭建与 500 小时运行，直流电耗 4.41 kWh/Nm³，"
            "正在优化隔膜与极板间距；附小试运行报告与第三方检测报告。",
            indicator_values={str(race.indicators[1].id): "4.41"}, submitted_by_id=contracts[0].application.created_by_id,
            submitted_at=now - timedelta(days=2), review_status=MilestoneStatus.SUBMITTED,
        )
    )  # fmt: skip
    first.status = MilestoneStatus.SUBMITTED

    starter = items["starter"]
    winner = next(a for (k, _), a in applications.items() if k == "starter" and a.status == ApplicationStatus.AWARDED)
    contract = _signed(starter, winner, actor, today - timedelta(days=150), Decimal(200), now)
    _ran_its_course(contract, today, now, actor)
    _accepted(contract, [experts[k] for k in ("expert4", "expert2", "expert1")], actor, today, now)
    db.session.flush()
    return {"challenge_contracts": len(contracts) + 1}


def _signed(item, application, actor, signed_on: date, amount: Decimal, now: datetime) -> ChallengeContract:
    """The 任务书 as the desk signs it, with the signing payment (首付款) ten days later."""
    when = datetime.combine(signed_on, datetime.min.time()) + timedelta(hours=2)
    with dated(when, now):
        contract = sign_contract(
            item, application, actor, signed_on=signed_on, amount=amount,
            milestones=proposed_milestones(item, application, signed_on),
        )  # fmt: skip
    # The award was docked when it was signed (written past the ORM, whose onupdate would stamp today again).
    db.session.flush()
    record = db.session.get(DockingRecord, contract.docking_record_id)
    db.session.execute(
        sa.update(DockingRecord).where(DockingRecord.id == record.id).values(created_at=when, updated_at=when)
    )
    db.session.execute(
        sa.update(DockingRequest)
        .where(DockingRequest.id == record.request_id)
        .values(created_at=when, answered_at=when, expires_at=when + timedelta(days=14))
    )
    db.session.expire(record)
    db.session.expire(record.request)
    signing = next(t for t in item.tranches if t.trigger == TrancheTrigger.SIGNING)
    with dated(when + timedelta(days=10), now):
        add_payment(contract, actor, amount * signing.percent / 100, signed_on + timedelta(days=10), signing, "首付款")
    return contract


def _ran_its_course(contract: ChallengeContract, today: date, now: datetime, actor) -> None:
    """Every milestone reported and approved in turn, and the mid-term payment made."""
    milestones = contract.milestones
    for n, milestone in enumerate(milestones):
        milestone.due_on = today - timedelta(days=20 + 30 * (len(milestones) - 1 - n))
        submitted = datetime.combine(milestone.due_on, datetime.min.time()) - timedelta(days=3)
        milestone.reports.append(
            MilestoneReport(
                body=f"{milestone.name}：按计划完成，相关检测报告与菌种保藏证明见附件。", indicator_values={},
                submitted_by_id=contract.application.created_by_id, submitted_at=submitted,
                review_status=MilestoneStatus.APPROVED, review_note="材料齐全，同意通过。",
                reviewed_at=submitted + timedelta(days=2), reviewed_by_id=actor.id,
            )
        )  # fmt: skip
        milestone.status = MilestoneStatus.APPROVED
    midterm = next(t for t in contract.item.tranches if t.trigger == TrancheTrigger.MIDTERM)
    paid_on = today - timedelta(days=60)
    with dated(datetime.combine(paid_on, datetime.min.time()), now):
        add_payment(contract, actor, contract.amount_wan * midterm.percent / 100, paid_on, midterm, "中期检查款")


def _accepted(contract: ChallengeContract, panel, actor, today: date, now: datetime) -> None:
    """A three-expert 验收 panel found every indicator met; the issuer recorded 通过 with the final payment."""
    checked = now - timedelta(days=12)
    for expert in panel:
        assignment = ReviewAssignment(
            application_id=contract.application_id, expert=expert, stage=ReviewStage.ACCEPTANCE,
            assigned_by_id=actor.id, assigned_at=checked - timedelta(days=5), declared_at=checked - timedelta(days=1),
            submitted_at=checked, comment="现场查看了菌种保藏证明、检测报告和两家乳企的使用证明，指标全部达到。",
        )  # fmt: skip
        db.session.add(assignment)
        db.session.flush()
        for indicator in contract.item.indicators:
            db.session.add(AcceptanceCheck(contract_id=contract.id, assignment_id=assignment.id,
                                           indicator_id=indicator.id, met=True, measured=indicator.target,
                                           checked_at=checked))  # fmt: skip
    db.session.flush()
    final = contract.amount_wan - sum((p.amount_wan for p in contract.payments), Decimal(0))
    accepted_on = today - timedelta(days=10)
    with dated(datetime.combine(accepted_on, datetime.min.time()) + timedelta(hours=3), now):
        record_acceptance(contract, actor, result="passed", note="专家组一致认定全部考核指标达标，验收通过。",
                          final_amount=str(final))  # fmt: skip
    contract.accepted_on = accepted_on
    for payment in contract.payments:
        if payment.paid_on > accepted_on:
            payment.paid_on = accepted_on
