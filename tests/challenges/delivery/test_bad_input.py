"""Whatever a user types into the delivery pages gets a page or a Chinese message, never a server error, and
a refused form changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.challenges.delivery.models import ChallengeContract, ChallengePayment, MilestoneReport
from tests.challenges.delivery.support import awarded, issuer_user, item_in_delivery, member_of, sign
from tests.conftest import as_user

GARBAGE = ["", " ", "abc", "-1", "1e400", "NaN", "Infinity", "0.001", "9" * 30, "０", "9999-12-31", "0001-01-01", "²"]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_in_every_issuer_form_is_refused_without_a_server_error(app, db, client, value):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    contract = sign(item, application, issuer)
    second = awarded(item, rank=2)
    db.session.commit()
    c = as_user(client, issuer)
    posts = {
        f"/challenges/manage/items/{item.id}/delivery/sign/{second.id}": {
            "signed_on": value,
            "amount_wan": value,
            "milestones-0-name": value,
            "milestones-0-due_on": value,
            "milestones-0-tranche_id": value,
        },
        f"/challenges/contracts/{contract.id}/payments": {
            "tranche_id": value,
            "amount_wan": value,
            "paid_on": value,
            "note": value,
            "form_token": value,
        },
        f"/challenges/contracts/{contract.id}/acceptance/result": {"result": value, "note": "", "final_amount": value},
        f"/challenges/manage/items/{item.id}/delivery/gate": {"keep": value, "stop_reason": value},
        f"/challenges/contracts/{contract.id}/acceptance/start": {},
    }
    for url, data in posts.items():
        response = c.post(url, data=data)
        assert response.status_code in (302, 422), (url, response.status_code)
        assert c.get(response.location if response.status_code == 302 else url).status_code in (200, 404)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ChallengeContract.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ChallengePayment.id))) == 0


@pytest.mark.parametrize("value", ["", "x" * 5001, "\u200b"])
def test_garbage_in_the_team_report_is_refused_in_chinese(app, db, client, value):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    contract = sign(item, application, issuer)
    db.session.commit()
    c = as_user(client, member_of(application))
    url = f"/challenges/contracts/{contract.id}/milestones/{contract.milestones[0].id}/report"
    data = {"body": value, f"ind_{item.indicators[0].id}": "x" * 101, "form_token": "t" * 80}
    page = c.post(url, data=data, follow_redirects=True)
    assert page.status_code == 200
    assert any(m in page.text for m in ("请填写里程碑完成情况", "不能超过", "达成值不能超过"))
    assert db.session.scalar(sa.select(sa.func.count(MilestoneReport.id))) == 0


def test_unknown_ids_are_not_found(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    contract = sign(item, awarded(item), issuer)
    db.session.commit()
    c = as_user(client, issuer)
    assert c.get("/challenges/contracts/99999").status_code == 404
    assert c.get(f"/challenges/contracts/{contract.id}/files/99999").status_code == 404
    assert (
        c.post(f"/challenges/contracts/{contract.id}/reports/99999/review", data={"decision": "approve"}).status_code
        == 302
    )
    assert c.get(f"/challenges/manage/items/{item.id}/delivery/sign/99999").status_code == 404
    assert c.get("/challenges/items/99999/result").status_code == 404
    assert c.get(f"/challenges/contracts/{contract.id}/acceptance").status_code == 404
