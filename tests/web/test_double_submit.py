"""Double submits: every form posted twice, and every status button pressed twice, acts once and says why."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.auth.models import User
from app.core.models import StatusChange
from app.lists.models import CatalogList
from app.organizations.models import Invitation, Organization, TierRecord
from app.postings.models import Posting
from tests.conftest import as_user
from tests.factories import make_credit_code
from tests.web.helpers import K, S


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


REGISTRATION = {
    "name": "内蒙古双击测试科技有限公司",
    "org_type": "sme",
    "credit_code": make_credit_code(777),
    "region": "150200",
    "industry": "C32",
    "contact_name": "王经理",
    "contact_phone": "0472-5123456",
    "user_name": "王五",
    "email": "double@example.cn",
    "password": "grassland-2025",
    "confirm": "grassland-2025",
}


def test_registering_twice_creates_one_organisation_and_says_why_the_second_is_refused(app, db):
    first = app.test_client()
    assert first.post("/auth/register", data=REGISTRATION).status_code == 302  # "check your mail"
    twice = first.post("/auth/register", data=REGISTRATION)  # not signed in before confirming: the form again
    again = app.test_client().post("/auth/register", data=REGISTRATION)  # the same form from a lost session
    for resp in (twice, again):
        assert resp.status_code == 200 and "已被注册" in resp.text
    assert count(db, Organization) == 1 and count(db, User) == 1


def test_the_same_new_posting_form_posted_twice_saves_one_draft(client, db, world):
    as_user(client, world.a_admin)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', client.get("/postings/need/new").text)
    body = {"form_token": token.group(1), "title": "双击需求", "keywords": "稀土", "industry": "C32",
            "region": "150200", "description": "描述"}  # fmt: skip
    first = client.post("/postings/need/new", data=body)
    second = client.post("/postings/need/new", data=body, follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "请勿重复提交" in second.text
    assert count(db, Posting, Posting.title == "双击需求") == 1


def test_inviting_the_same_colleague_twice_leaves_one_open_invitation(client, db, world):
    as_user(client, world.a_admin)
    for _ in range(2):
        assert client.post("/orgs/mine/invitations", data={"email": "twice@example.cn"}).status_code == 302
    assert count(db, Invitation, Invitation.email == "twice@example.cn") == 1


def test_registering_the_same_tier_twice_keeps_one_record_with_a_clear_message(client, db, world):
    as_user(client, world.a_admin)
    body = {"tier": "innovative", "year": "2024"}
    assert client.post("/orgs/mine/tiers", data=body).status_code == 302
    second = client.post("/orgs/mine/tiers", data=body)
    assert second.status_code == 422 and "2024 年的“创新型中小企业”已登记" in second.text
    assert count(db, TierRecord, TierRecord.org_id == world.org_a.id, TierRecord.year == 2024) == 1


def test_creating_the_same_annual_list_twice_keeps_one_with_a_clear_message(client, db, world):
    as_user(client, world.platform_admin)
    body = {"title": "2026年双击清单", "kind": "need", "year": "2025"}
    assert client.post("/lists/new", data=body).status_code == 302
    second = client.post("/lists/new", data=body, follow_redirects=True)
    assert "已有名为“2026年双击清单”的清单" in second.text
    assert count(db, CatalogList, CatalogList.title == "2026年双击清单") == 1


def test_status_buttons_pressed_twice_move_once_and_explain_the_second_press(client, db, world):
    draft, submitted = world.postings[K.ACHIEVEMENT, S.DRAFT], world.postings[K.NEED, S.SUBMITTED]
    as_user(client, world.a_admin)
    for _ in range(2):
        client.post(f"/postings/achievement/{draft.id}/submit")
    as_user(client, world.platform_admin)
    client.post(f"/postings/need/{submitted.id}/approve")
    again = client.post(f"/postings/need/{submitted.id}/approve", follow_redirects=True)
    assert "不能审核通过" in again.text
    client.post(f"/orgs/admin/{world.org_pending.id}/verify")
    again = client.post(f"/orgs/admin/{world.org_pending.id}/verify", follow_redirects=True)
    assert "已不在待认证队列中" in again.text
    for entity, entity_id in [("posting", draft.id), ("posting", submitted.id), ("organization", world.org_pending.id)]:
        assert count(db, StatusChange, StatusChange.entity_type == entity, StatusChange.entity_id == entity_id) == 1
