"""我的评审任务 for a 验收 task: it has no rubric (the expert marks 考核指标 on the delivery area's acceptance page),
so its state there follows the acceptance opinion, not score sheets. Found by the browser journey
(tests/e2e/test_challenge_journey.py): an expert who had saved the opinion still read 待评分."""

from __future__ import annotations

import re

from app.challenges.delivery.acceptance import expert_assignment, save_checks, start_acceptance
from app.challenges.delivery.experts import declare
from tests.challenges.delivery.support import awarded, experts, issuer_user, item_in_delivery, sign
from tests.conftest import as_user


def _entry(client, contract) -> str:
    """The text of the acceptance task's line on the expert's list."""
    listing = client.get("/challenges/reviews").text
    found = re.search(rf'href="/challenges/contracts/{contract.id}/acceptance".*?</a>', listing, re.S)
    assert found, listing
    return re.sub(r"<[^>]+>", " ", found.group(0))


def test_an_acceptance_task_reads_done_once_the_expert_saved_the_opinion(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=100)
    item.experts_per_application = 1
    contract = sign(item, awarded(item), issuer, amount=100)
    expert = experts(1)[0].user
    start_acceptance(contract, issuer)
    db.session.commit()
    as_user(client, expert)
    assert "待签署声明" in _entry(client, contract)

    assignment = expert_assignment(expert, contract)
    declare(assignment, expert)
    db.session.commit()
    assert "待填写验收意见" in _entry(client, contract)

    values = {f"met_{i.id}": "1" for i in item.indicators}
    save_checks(contract, assignment, expert, values)
    db.session.commit()
    entry = _entry(client, contract)
    assert "已提交验收意见" in entry and "待评分" not in entry
