"""Members and invitations: inviting, promoting, removing, revoking; the last admin stays."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import OrgRole
from app.core.models import utcnow
from app.notifications.jobs import send_emails
from app.organizations.models import Invitation
from tests.factories import OrgFactory, UserFactory
from tests.organizations.helpers import member_of


def test_org_admin_invites_by_email_and_only_the_token_hash_is_stored(client, db, login, caplog):
    caplog.set_level(logging.INFO)
    user = UserFactory()
    db.session.commit()
    login(user)
    resp = client.post("/orgs/mine/invitations", data={"email": "New.Colleague@example.cn"}, follow_redirects=True)
    assert "邀请链接" in resp.text and "new.colleague@example.cn" in resp.text
    invitation = db.session.scalar(sa.select(Invitation))
    send_emails(utcnow())  # the jobs process sends the queued invitation (printed to the log without SMTP)
    db.session.commit()
    token = caplog.text.split("/auth/invite/")[1].split()[0]
    assert len(invitation.token_hash) == 64 and token not in invitation.token_hash
    assert invitation.email == "new.colleague@example.cn" and invitation.role == OrgRole.MEMBER


def test_inviting_an_existing_member_is_refused(client, db, login):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post("/orgs/mine/invitations", data={"email": user.email})
    assert "该邮箱已是本机构成员" in resp.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_member_cannot_invite(client, db, login):
    member = member_of(OrgFactory())
    db.session.commit()
    login(member).post("/orgs/mine/invitations", data={"email": "x@example.cn"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_org_admin_makes_a_member_admin_and_removes_a_member(client, db, login):
    admin = UserFactory()
    colleague = member_of(admin.org)
    leaver = member_of(admin.org)
    db.session.commit()
    login(admin)
    client.post(f"/orgs/mine/members/{colleague.id}/role", data={"role": "admin"})
    client.post(f"/orgs/mine/members/{leaver.id}/remove")
    db.session.refresh(colleague)
    db.session.refresh(leaver)
    assert colleague.org_role == OrgRole.ADMIN
    assert leaver.org_id is None


def test_the_last_admin_can_be_neither_removed_nor_demoted(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    removed = client.post(f"/orgs/mine/members/{admin.id}/remove", follow_redirects=True)
    assert "机构至少需要保留一名管理员" in removed.text
    client.post(f"/orgs/mine/members/{admin.id}/role", data={"role": "member"})
    db.session.refresh(admin)
    assert admin.org_id is not None and admin.org_role == OrgRole.ADMIN


def test_members_of_another_org_cannot_be_touched(client, db, login):
    admin = UserFactory()
    stranger = UserFactory()
    db.session.commit()
    login(admin)
    assert client.post(f"/orgs/mine/members/{stranger.id}/remove").status_code == 404
    db.session.refresh(stranger)
    assert stranger.org_id is not None


def test_org_admin_revokes_a_pending_invitation(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    client.post("/orgs/mine/invitations", data={"email": "a@example.cn"})
    invitation = db.session.scalar(sa.select(Invitation))
    client.post(f"/orgs/mine/invitations/{invitation.id}/revoke")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
