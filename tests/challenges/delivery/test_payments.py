"""Payments: never over the contract's amount nor the item's funding, even when two arrive at once."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.challenges.delivery import payments as payments_module
from app.challenges.delivery.models import ChallengeContract, ChallengePayment
from app.challenges.delivery.payments import item_paid_total, paid_total, record_payment
from app.core.challenge_enums import ChallengeMode
from app.core.clock import local_today
from app.core.errors import FieldError, ValidationFailed
from app.extensions import db as _db
from tests.challenges.delivery.support import awarded, issuer_user, item_in_delivery, sign
from tests.conftest import as_user, race


def _pay(contract, issuer, amount, **extra):
    return record_payment(contract, issuer, tranche_id=None, amount=amount, paid_on=local_today(), **extra)


def test_a_payment_past_the_contract_amount_is_refused_with_what_is_left(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=100)
    contract = sign(item, awarded(item), issuer, amount=100)
    _pay(contract, issuer, "30")
    with pytest.raises(FieldError) as err:
        _pay(contract, issuer, "70.01")
    assert "超过任务书金额 100 万元" in err.value.message and "最多还可拨付 70 万元" in err.value.message
    _pay(contract, issuer, "70")
    assert paid_total(contract.id) == Decimal("100.00")


def test_payments_of_an_item_never_exceed_its_funding(app, db):
    """Two contracts that together hold the whole funding: paying the first in full leaves the second its own."""
    issuer = issuer_user()
    item = item_in_delivery(issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=100, teams_stage1=2, teams_kept=1)
    first = sign(item, awarded(item), issuer, amount=60)
    second = sign(item, awarded(item, rank=2), issuer, amount=40)
    _pay(first, issuer, "60")
    _pay(second, issuer, "40")
    assert item_paid_total(item.id) == item.funding_wan
    with pytest.raises(FieldError):
        _pay(second, issuer, "0.01")


def test_bad_payment_input_gets_chinese_messages_and_records_nothing(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    contract = sign(item, awarded(item), issuer)
    with pytest.raises(ValidationFailed) as err:
        record_payment(contract, issuer, tranche_id="999999", amount="-5", paid_on="2099-01-01", note="x" * 301)
    assert set(err.value.errors) == {"tranche_id", "amount_wan", "paid_on", "note"}
    assert "不能为负数" in err.value.errors["amount_wan"] or "须大于 0" in err.value.errors["amount_wan"]
    assert db.session.scalar(sa.select(sa.func.count(ChallengePayment.id))) == 0


def test_the_same_payment_form_sent_twice_records_one_payment(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    contract = sign(item, awarded(item), issuer)
    db.session.commit()
    c = as_user(client, issuer)
    data = {"tranche_id": str(item.tranches[0].id), "amount_wan": "30", "paid_on": local_today().isoformat()}
    data["form_token"] = "tok-1"
    for _ in range(2):
        assert c.post(f"/challenges/contracts/{contract.id}/payments", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ChallengePayment.id))) == 1
    page = c.get(f"/challenges/contracts/{contract.id}")
    assert "已拨付 30 万元" in page.text


def test_an_over_limit_payment_on_the_page_flashes_the_chinese_reason(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    contract = sign(item, awarded(item), issuer)
    db.session.commit()
    c = as_user(client, issuer)
    data = {"amount_wan": "100.5", "paid_on": local_today().isoformat(), "form_token": "t"}
    page = c.post(f"/challenges/contracts/{contract.id}/payments", data=data, follow_redirects=True)
    assert page.status_code == 200 and "超过任务书金额" in page.text
    assert db.session.scalar(sa.select(sa.func.count(ChallengePayment.id))) == 0


def test_only_the_issuer_records_payments(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    contract = sign(item, application, issuer)
    db.session.commit()
    team_member = db.session.query(User).filter_by(org_id=application.org_id).first()
    response = as_user(client, team_member).post(
        f"/challenges/contracts/{contract.id}/payments", data={"amount_wan": "1", "paid_on": local_today().isoformat()}
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ChallengePayment.id))) == 0


def test_two_payments_at_the_same_moment_cannot_pass_the_limit_together(app, db, monkeypatch):
    """Each would fit alone (60 of 100 left); together they would not: exactly one is recorded. The check is
    slowed down so that, without the item's lock, both would pass it before either wrote."""
    real_check = payments_module.check_room

    def slow_check(contract, amount):
        real_check(contract, amount)
        time.sleep(0.3)

    monkeypatch.setattr(payments_module, "check_room", slow_check)
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=100)
    contract = sign(item, awarded(item), issuer, amount=100)
    db.session.commit()
    contract_id, issuer_id = contract.id, issuer.id

    def work(i):
        contract = _db.session.get(ChallengeContract, contract_id)
        actor = _db.session.get(User, issuer_id)
        try:
            _pay(contract, actor, "60", form_token=f"race-{i}")
            _db.session.commit()
            return "ok"
        except FieldError:
            _db.session.rollback()
            return "refused"

    assert sorted(race(app, work)) == ["ok", "refused"]
    db.session.expire_all()
    assert paid_total(contract_id) == Decimal("60.00")
