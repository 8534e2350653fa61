"""赛马制 stage gate: exactly M continue; the others stop with a recorded reason and their final payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.challenges.delivery.gate import decide_gate, gate_rows, start_gate
from app.challenges.delivery.payments import paid_total
from app.challenges.review.models import ReviewAssignment, ReviewCriterion, ReviewScore
from app.core.challenge_enums import ChallengeMode, ContractStatus, ReviewStage
from app.core.enums import DockingStage
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.core.models import StatusChange
from app.docking.models import DockingRecord
from tests.challenges.delivery.support import awarded, experts, issuer_user, item_in_delivery, sign


def _race_item(db, teams=3, kept=1, funding=90):
    issuer = issuer_user()
    item = item_in_delivery(
        issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=funding, teams_stage1=teams, teams_kept=kept
    )
    item.experts_per_application = 2
    contracts = [sign(item, awarded(item, rank=i + 1), issuer, amount=funding / teams) for i in range(teams)]
    db.session.add(
        ReviewCriterion(
            item_id=item.id, stage=ReviewStage.GATE, position=1, name="阶段目标完成情况", weight=100, max_score=100
        )
    )
    experts(2)
    db.session.flush()
    start_gate(item, issuer)
    return issuer, item, contracts


def _score(db, contract, points: int) -> None:
    """Every GATE expert of the team gives it `points` out of 100."""
    criterion = db.session.scalar(sa.select(ReviewCriterion).where(ReviewCriterion.stage == ReviewStage.GATE))
    for a in db.session.scalars(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id == contract.application_id, ReviewAssignment.stage == ReviewStage.GATE
        )
    ):
        db.session.add(ReviewScore(assignment_id=a.id, criterion_id=criterion.id, half_points=points * 2))
    db.session.flush()


def test_gate_experts_are_assigned_to_every_stage1_team(app, db):
    _issuer, _item, contracts = _race_item(db)
    for c in contracts:
        assert (
            db.session.scalar(
                sa.select(sa.func.count(ReviewAssignment.id)).where(
                    ReviewAssignment.application_id == c.application_id, ReviewAssignment.stage == ReviewStage.GATE
                )
            )
            == 2
        )


def test_gate_keeps_exactly_m_and_records_reasons_and_final_payments(app, db):
    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    assert [r.contract.id for r in gate_rows(item)] == [b.id, a.id, c.id]

    stopped = decide_gate(
        item,
        issuer,
        keep_ids=[str(b.id)],
        stop_reason="阶段评估综合排名未进入前 1 名",
        final_amounts={a.id: "10", c.id: "0"},
    )

    assert {s.id for s in stopped} == {a.id, c.id}
    assert b.status == ContractStatus.ACTIVE and (b.gate_rank, b.gate_score) == (1, "90.00")
    for s in (a, c):
        assert s.status == ContractStatus.STOPPED_AT_GATE and s.ended_reason == "阶段评估综合排名未进入前 1 名"
        assert db.session.get(DockingRecord, s.docking_record_id).stage == DockingStage.TERMINATED
    assert paid_total(a.id) == Decimal("10.00") and paid_total(c.id) == 0
    with pytest.raises(InvalidTransition):
        decide_gate(item, issuer, keep_ids=[str(a.id)], stop_reason="再来一次", final_amounts={})


@pytest.mark.parametrize("keep", [[], ["b", "a"]])
def test_any_other_number_than_m_is_refused(app, db, keep):
    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    ids = {"a": a.id, "b": b.id}
    with pytest.raises(FieldError) as err:
        decide_gate(item, issuer, keep_ids=[str(ids[k]) for k in keep], stop_reason="未入围", final_amounts={})
    assert "须选择恰好 1 个团队" in err.value.message
    assert {x.status for x in (a, b, c)} == {ContractStatus.ACTIVE}


def test_keeping_another_team_than_the_top_m_needs_a_reason_that_is_recorded(app, db):
    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    with pytest.raises(FieldError) as err:
        decide_gate(item, issuer, keep_ids=[str(a.id)], stop_reason="未入围", final_amounts={})
    assert "与评估排名不一致的理由" in err.value.message
    decide_gate(
        item,
        issuer,
        keep_ids=[str(a.id)],
        override_reason="第二名技术路线更适合本地产业化",
        stop_reason="未入围",
        final_amounts={},
    )
    assert a.status == ContractStatus.ACTIVE and b.status == ContractStatus.STOPPED_AT_GATE
    reasons = db.session.scalars(sa.select(StatusChange.reason).where(StatusChange.entity_type == "challenge_item"))
    assert "第二名技术路线更适合本地产业化" in list(reasons)


def test_a_tie_at_the_cut_must_be_resolved_by_the_issuer_with_a_reason(app, db):
    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 80), (b, 80), (c, 60)):
        _score(db, contract, points)
    rows = gate_rows(item)
    assert rows[0].tied and rows[1].tied
    with pytest.raises(FieldError) as err:
        decide_gate(item, issuer, keep_ids=[str(a.id)], stop_reason="未入围", final_amounts={})
    assert "并列时的取舍理由" in err.value.message
    decide_gate(
        item, issuer, keep_ids=[str(a.id)], override_reason="中期检测数据更优", stop_reason="未入围", final_amounts={}
    )
    assert [x.status for x in (a, b, c)] == [
        ContractStatus.ACTIVE,
        ContractStatus.STOPPED_AT_GATE,
        ContractStatus.STOPPED_AT_GATE,
    ]


def test_no_decision_before_every_team_is_scored(app, db):
    issuer, item, (a, b, _c) = _race_item(db, teams=3, kept=1)
    _score(db, a, 70)
    _score(db, b, 90)
    with pytest.raises(InvalidTransition):
        decide_gate(item, issuer, keep_ids=[str(b.id)], stop_reason="未入围", final_amounts={})


def test_a_final_payment_past_the_contract_amount_is_refused(app, db):
    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1, funding=90)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    with pytest.raises(ValidationFailed) as err:
        decide_gate(item, issuer, keep_ids=[str(b.id)], stop_reason="未入围", final_amounts={a.id: "31", c.id: "0"})
    assert "超过任务书金额" in err.value.errors[f"final_{a.id}"]
    assert a.status == ContractStatus.ACTIVE


def test_the_desk_shows_the_gate_ranking_and_decides_through_the_form(app, db, client):
    from tests.conftest import as_user

    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    db.session.commit()
    cl = as_user(client, issuer)
    page = cl.get(f"/challenges/manage/items/{item.id}/delivery")
    assert page.status_code == 200 and "赛马阶段评估" in page.text and "90.00" in page.text
    data = {"keep": [str(b.id)], "stop_reason": "未入围", f"final_{a.id}": "5", f"final_{c.id}": "abc"}
    page = cl.post(f"/challenges/manage/items/{item.id}/delivery/gate", data=data, follow_redirects=True)
    assert "结算金额请填写数字" in page.text
    db.session.expire_all()
    assert {x.status for x in (a, b, c)} == {ContractStatus.ACTIVE}
    data[f"final_{c.id}"] = "0"
    cl.post(f"/challenges/manage/items/{item.id}/delivery/gate", data=data)
    db.session.expire_all()
    assert [x.status for x in (a, b, c)] == [
        ContractStatus.STOPPED_AT_GATE,
        ContractStatus.ACTIVE,
        ContractStatus.STOPPED_AT_GATE,
    ]


def test_starting_the_gate_without_a_rubric_uses_the_default_gate_rubric(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=100, teams_stage1=2, teams_kept=1)
    for rank in (1, 2):
        sign(item, awarded(item, rank=rank), issuer, amount=50)
    experts(3)
    start_gate(item, issuer)
    names = db.session.scalars(sa.select(ReviewCriterion.name).where(ReviewCriterion.stage == ReviewStage.GATE))
    assert "阶段目标完成情况" in list(names)


def test_every_team_hears_the_gate_outcome(app, db):
    from app.notifications.models import Notification

    issuer, item, (a, b, c) = _race_item(db, teams=3, kept=1)
    for contract, points in ((a, 70), (b, 90), (c, 60)):
        _score(db, contract, points)
    decide_gate(item, issuer, keep_ids=[str(b.id)], stop_reason="未入围", final_amounts={})
    keys = set(db.session.scalars(sa.select(Notification.key)))
    assert f"challenge_contract:{b.id}:gate_kept" in keys
    assert {f"challenge_contract:{a.id}:gate_stopped", f"challenge_contract:{c.id}:gate_stopped"} <= keys
