"""验收: experts mark each 考核指标; 通过 needs every indicator met by a majority of the experts who completed;
the contract, its docking record and the item follow; the public result page."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.challenges.delivery.acceptance import expert_assignment, record_acceptance, save_checks, start_acceptance
from app.challenges.delivery.experts import declare
from app.challenges.delivery.payments import paid_total
from app.core.challenge_enums import AcceptanceResult, ChallengeMode, ContractStatus, ItemStatus
from app.core.enums import DockingStage
from app.core.errors import InvalidTransition, ValidationFailed
from app.docking.models import DockingRecord
from app.notifications.models import Notification
from tests.challenges.delivery.support import awarded, experts, issuer_user, item_in_delivery, sign
from tests.conftest import as_user


def _accepting(db, panel=3):
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=100)
    item.experts_per_application = panel
    contract = sign(item, awarded(item), issuer, amount=100)
    pool = experts(panel)
    start_acceptance(contract, issuer)
    return issuer, item, contract, [e.user for e in pool]


def _check(contract, user, *verdicts: bool):
    assignment = expert_assignment(user, contract)
    declare(assignment, user)
    values = {}
    for indicator, met in zip(contract.item.indicators, verdicts, strict=True):
        values[f"met_{indicator.id}"] = "1" if met else "0"
        values[f"measured_{indicator.id}"] = "52.6"
    save_checks(contract, assignment, user, values)


def _pass(contract, issuer, amount="30"):
    return record_acceptance(contract, issuer, result="passed", note="各项指标均达到任务书要求", final_amount=amount)


def test_pass_needs_every_indicator_met_by_a_majority_of_the_experts_who_completed(app, db):
    issuer, item, contract, (x, y, z) = _accepting(db)
    _check(contract, x, True, True)
    _check(contract, y, True, False)  # 1 of 2 completed: not a majority for the second indicator
    with pytest.raises(InvalidTransition) as err:
        _pass(contract, issuer)
    assert item.indicators[1].name in err.value.message
    _check(contract, z, True, True)  # 2 of 3
    _pass(contract, issuer)
    assert contract.status == ContractStatus.PASSED and contract.acceptance_result == AcceptanceResult.PASSED


def test_pass_without_any_completed_expert_is_refused(app, db):
    issuer, _item, contract, _experts = _accepting(db)
    with pytest.raises(InvalidTransition):
        _pass(contract, issuer)


def test_passing_completes_the_docking_record_pays_the_final_tranche_and_accepts_the_item(app, db):
    issuer, item, contract, (x, y, _z) = _accepting(db)
    _check(contract, x, True, True)
    _check(contract, y, True, True)
    _pass(contract, issuer, amount="30")
    assert db.session.get(DockingRecord, contract.docking_record_id).stage == DockingStage.COMPLETED
    assert paid_total(contract.id) == Decimal("30.00")
    assert item.status == ItemStatus.ACCEPTED


def test_failing_terminates_the_docking_record_and_ends_the_item(app, db):
    issuer, item, contract, _experts = _accepting(db)
    record_acceptance(contract, issuer, result="failed", note="磁能积未达到 52 MGOe", final_amount="0")
    assert contract.status == ContractStatus.FAILED and contract.ended_reason == "磁能积未达到 52 MGOe"
    assert db.session.get(DockingRecord, contract.docking_record_id).stage == DockingStage.TERMINATED
    assert item.status == ItemStatus.ENDED


def test_a_result_needs_a_choice_and_a_note(app, db):
    issuer, _item, contract, _experts = _accepting(db)
    with pytest.raises(ValidationFailed):
        record_acceptance(contract, issuer, result="", note="x")
    with pytest.raises(ValidationFailed):
        record_acceptance(contract, issuer, result="terminated", note=" ")
    assert contract.status == ContractStatus.ACTIVE


def test_horse_race_acceptance_waits_for_the_gate(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=100, teams_stage1=2, teams_kept=1)
    contract = sign(item, awarded(item), issuer, amount=50)
    sign(item, awarded(item, rank=2), issuer, amount=50)
    experts(3)
    with pytest.raises(InvalidTransition):
        start_acceptance(contract, issuer)


def test_an_acceptance_expert_is_told_once_and_sent_to_the_acceptance_page(app, db, client):
    _issuer, _item, contract, (x, _y, _z) = _accepting(db)
    db.session.commit()
    told = db.session.scalars(sa.select(Notification).where(Notification.user_id == x.id)).all()
    assert [n.link for n in told] == [f"/challenges/contracts/{contract.id}/acceptance"]
    listing = as_user(client, x).get("/challenges/reviews").text
    assert f'href="/challenges/contracts/{contract.id}/acceptance"' in listing and "待签署声明" in listing
    _check(contract, x, True, True)
    db.session.commit()
    assert "已提交验收意见" in as_user(client, x).get("/challenges/reviews").text


def test_the_acceptance_page_is_for_assigned_experts_after_their_declaration(app, db, client):
    _issuer, item, contract, (x, _y, _z) = _accepting(db)
    outsider = experts(1)[0].user
    db.session.commit()
    url = f"/challenges/contracts/{contract.id}/acceptance"
    assert as_user(client, outsider).get(url).status_code == 404
    c = as_user(client, x)
    page = c.get(url)
    assert page.status_code == 200 and "无利益冲突声明" in page.text and item.indicators[0].name not in page.text
    refused = c.post(url, data={f"met_{item.indicators[0].id}": "1"}, follow_redirects=True)
    assert "请先签署无利益冲突声明" in refused.text
    c.post(url, data={"action": "declare"})
    page = c.get(url)
    assert item.indicators[0].name in page.text
    incomplete = c.post(url, data={f"met_{item.indicators[0].id}": "1"}, follow_redirects=True)
    assert f"请判断“{item.indicators[1].name}”是否达标" in incomplete.text


def test_the_public_result_shows_each_indicator_verdict_but_no_payments(app, db, client):
    issuer, item, contract, (x, y, _z) = _accepting(db)
    _check(contract, x, True, True)
    _check(contract, y, True, True)
    _pass(contract, issuer, amount="27.5")
    db.session.commit()
    page = as_user(client, None).get(f"/challenges/items/{item.id}/result")
    assert page.status_code == 200
    assert contract.application.org.name in page.text and "验收结论" in page.text and "达标" in page.text
    assert "27.5" not in page.text and "总经费 100 万元" in page.text


def test_the_result_page_of_a_draft_item_does_not_exist(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    item.status = ItemStatus.DRAFT
    db.session.commit()
    assert client.get(f"/challenges/items/{item.id}/result").status_code == 404


def test_a_declared_acceptance_expert_reads_the_team_reports_and_files(app, db, client):
    import io

    _issuer, item, contract, (x, y, _z) = _accepting(db)
    member = db.session.query(type(x)).filter_by(org_id=contract.application.org_id).first()
    db.session.commit()
    pdf = b"%PDF-1.4\n%%EOF\n"
    as_user(client, member).post(
        f"/challenges/contracts/{contract.id}/milestones/{contract.milestones[0].id}/report",
        data={"body": "中期检测结果", "form_token": "k", "files": (io.BytesIO(pdf), "检测.pdf")},
        content_type="multipart/form-data",
    )
    file_id = contract.milestones[0].reports[0].files[0].id
    url = f"/challenges/contracts/{contract.id}/files/{file_id}"
    assert as_user(client, y).get(url).status_code == 404  # not declared yet
    c = as_user(client, x)
    c.post(f"/challenges/contracts/{contract.id}/acceptance", data={"action": "declare"})
    assert "中期检测结果" in c.get(f"/challenges/contracts/{contract.id}/acceptance").text
    assert c.get(url).data == pdf
