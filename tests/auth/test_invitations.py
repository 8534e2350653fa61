"""Invitations: the invitee creates an account in the inviting organisation; forged and expired links."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core.enums import OrgRole
from app.organizations.models import Invitation
from app.organizations.services import invite_member
from tests.auth.helpers import count
from tests.factories import UserFactory


def invited(app, db, email="colleague@example.cn"):
    admin = UserFactory()
    with app.test_request_context():
        _, link = invite_member(admin.org, email, admin)
    db.session.commit()
    return admin, link.removeprefix("http://localhost")


def test_invitee_creates_an_account_as_member_of_the_inviting_org(app, client, db):
    admin, link = invited(app, db)
    page = client.get(link)
    assert admin.org.name in page.text and "colleague@example.cn" in page.text
    resp = client.post(link, data={"name": "赵六", "phone": "", "password": "welcome-2025", "confirm": "welcome-2025"})
    assert resp.location == "/orgs/mine"
    member = db.session.scalar(sa.select(User).where(User.email == "colleague@example.cn"))
    assert member.org_id == admin.org_id and member.org_role == OrgRole.MEMBER
    assert db.session.scalar(sa.select(Invitation)).accepted_at is not None

    used = client.get(link)
    assert used.status_code == 410 and "此邀请链接已被使用" in used.text


def test_forged_invitation_token_gets_a_clear_message(client, db):
    resp = client.get("/auth/invite/forged-token-123")
    assert resp.status_code == 410
    assert "邀请链接无效" in resp.text
    assert client.post("/auth/invite/forged-token-123", data={"name": "x"}).status_code == 410
    assert count(db, User) == 0


def test_expired_invitation_gets_a_clear_message(app, client, db):
    _, link = invited(app, db)
    with time_machine.travel(datetime.now() + timedelta(days=app.config["INVITATION_MAX_AGE_DAYS"] + 1)):
        resp = client.get(link)
    assert resp.status_code == 410 and "已过期" in resp.text
