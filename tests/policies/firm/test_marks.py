"""A firm's marks are its own: 关注, 已申报, 已获批 with a checked amount, the rating after 获批; a forged item id
is a 404 and a form sent twice changes nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.core.policy_enums import PolicyStatus
from app.policies.marks import PolicyMark
from tests.conftest import as_user
from tests.factories import OrgFactory, UserFactory
from tests.policies.firm.conftest import item_named, make_policy


def mark(db, org_id: int, item_id: int) -> PolicyMark | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(PolicyMark).where(PolicyMark.org_id == org_id, PolicyMark.item_id == item_id))


@pytest.fixture
def rd(policy):
    return item_named(policy, "研发投入后补助")


def test_watching_marks_only_the_viewers_own_organisation(db, client, rd, firm_user):
    other = UserFactory(org=OrgFactory(region="150200"))
    db.session.commit()
    response = as_user(client, other).post(f"/policies/items/{rd.id}/watch", data={"state": "on"})
    assert response.status_code == 302
    assert mark(db, other.org_id, rd.id).watched
    assert mark(db, firm_user.org_id, rd.id) is None
    as_user(client, firm_user).post(f"/policies/items/{rd.id}/watch", data={"state": "on"})
    as_user(client, other).post(f"/policies/items/{rd.id}/watch", data={"state": "off"})
    assert mark(db, firm_user.org_id, rd.id).watched and not mark(db, other.org_id, rd.id).watched


def test_sending_a_mark_twice_changes_nothing_the_second_time(db, client, rd, firm_user):
    as_user(client, firm_user)
    with time_machine.travel(datetime(2026, 12, 4, 3, 0, tzinfo=UTC), tick=False):
        client.post(f"/policies/items/{rd.id}/watch", data={"state": "on"})
        client.post(f"/policies/items/{rd.id}/applied", data={"state": "on"})
        client.post(f"/policies/items/{rd.id}/approved", data={"amount": "30"})
    with time_machine.travel(datetime(2026, 12, 4, 3, 5, tzinfo=UTC), tick=False):
        client.post(f"/policies/items/{rd.id}/watch", data={"state": "on"})
        client.post(f"/policies/items/{rd.id}/applied", data={"state": "on"})
        client.post(f"/policies/items/{rd.id}/approved", data={"amount": "30"})
    first = datetime(2026, 12, 4, 3, 0)
    saved = mark(db, firm_user.org_id, rd.id)
    assert (saved.watched_at, saved.applied_at, saved.approved_at, saved.approved_amount_wan) == (
        first,
        first,
        first,
        Decimal("30"),
    )
    assert db.session.scalar(sa.select(sa.func.count(PolicyMark.id))) == 1


@pytest.mark.parametrize("item_id", [999_999, 2**31 - 1])
def test_a_forged_item_id_is_not_found(db, client, policy, firm_user, item_id):
    as_user(client, firm_user)
    for path, data in [("watch", {"state": "on"}), ("applied", {"state": "on"}), ("approved", {"amount": "1"})]:
        assert client.post(f"/policies/items/{item_id}/{path}", data=data).status_code == 404
    assert client.post(f"/policies/items/{item_id}/rating", data={"rating": "5"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(PolicyMark.id))) == 0


def test_an_item_of_a_draft_policy_cannot_be_marked(db, client, firm_user):
    draft = make_policy(db, title="尚未发布的政策", status=PolicyStatus.DRAFT)
    db.session.commit()
    response = as_user(client, firm_user).post(f"/policies/items/{draft.items[0].id}/watch", data={"state": "on"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(PolicyMark.id))) == 0


def test_marks_need_a_signed_in_member(db, client, rd):
    response = client.post(f"/policies/items/{rd.id}/watch", data={"state": "on"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(PolicyMark.id))) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "获批金额不能为负数"),
        ("三十", "获批金额应为数字（万元）"),
        ("1.234", "获批金额最多保留两位小数"),
        ("", "请填写获批金额（万元）"),
        ("1e20", "获批金额过大，请以万元为单位填写"),
        ("NaN", "获批金额应为数字（万元）"),
    ],
)
def test_a_bad_amount_is_refused_in_chinese_and_nothing_is_saved(db, client, rd, firm_user, amount, message):
    as_user(client, firm_user).post(f"/policies/items/{rd.id}/applied", data={"state": "on"})
    response = client.post(f"/policies/items/{rd.id}/approved", data={"amount": amount})
    assert response.status_code == 422 and message in response.text
    assert not mark(db, firm_user.org_id, rd.id).approved


def test_approval_with_amount_then_a_one_click_rating(db, client, rd, firm_user):
    as_user(client, firm_user)
    assert client.post(f"/policies/items/{rd.id}/rating", data={"rating": "5"}).status_code == 302
    assert mark(db, firm_user.org_id, rd.id) is None or mark(db, firm_user.org_id, rd.id).rating is None  # not yet
    client.post(f"/policies/items/{rd.id}/approved", data={"amount": "12.5"})
    saved = mark(db, firm_user.org_id, rd.id)
    assert saved.applied and saved.approved and saved.approved_amount_wan == Decimal("12.5")
    page = client.get("/policies/mine").text
    assert "已获批 12.5 万元" in page and f'data-rating="{rd.id}"' in page
    assert client.post(f"/policies/items/{rd.id}/rating", data={"rating": "6"}).status_code == 422
    assert client.post(f"/policies/items/{rd.id}/rating", data={"rating": "4"}).status_code == 302
    assert mark(db, firm_user.org_id, rd.id).rating == 4


def test_an_approved_item_cannot_lose_its_application_mark(db, client, rd, firm_user):
    as_user(client, firm_user).post(f"/policies/items/{rd.id}/approved", data={"amount": "5"})
    client.post(f"/policies/items/{rd.id}/applied", data={"state": "off"})
    assert mark(db, firm_user.org_id, rd.id).applied
    client.post(f"/policies/items/{rd.id}/approved/cancel", data={"state": "off"})
    client.post(f"/policies/items/{rd.id}/applied", data={"state": "off"})
    saved = mark(db, firm_user.org_id, rd.id)
    assert not saved.approved and not saved.applied and saved.approved_amount_wan is None


def test_a_tampered_switch_state_changes_nothing(db, client, rd, firm_user):
    response = as_user(client, firm_user).post(f"/policies/items/{rd.id}/watch", data={"state": "maybe"})
    assert response.status_code in (302, 422)
    assert mark(db, firm_user.org_id, rd.id) is None
