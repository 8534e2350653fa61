"""Invitations tell the inviting admin nothing about an address's account elsewhere on the platform; the
address's owner is told by mail instead. Links in the mail start with SITE_URL, never the request's Host."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.core.mail import MailOutbox
from app.organizations.models import Invitation
from tests.factories import OrgFactory, UserFactory


def mail_to(db, address: str) -> MailOutbox:
    return db.session.scalar(sa.select(MailOutbox).where(MailOutbox.to == address))


def flashed(page: str, address: str) -> str:
    """The page's message, with the address and any link token left out."""
    message = re.search(r'role="alert">\s*(.*?)\s*<', page, re.S).group(1)
    return re.sub(r"/auth/invite/[\w\-]+", "", message.replace(address, ""))


def test_inviting_an_address_with_an_account_elsewhere_looks_like_inviting_a_new_one(client, db, login):
    admin = UserFactory()
    elsewhere = UserFactory(org=OrgFactory(), email="taken@example.cn")
    db.session.commit()
    login(admin)
    taken = client.post("/orgs/mine/invitations", data={"email": elsewhere.email}, follow_redirects=True)
    fresh = client.post("/orgs/mine/invitations", data={"email": "fresh@example.cn"}, follow_redirects=True)
    assert taken.status_code == fresh.status_code == 200
    assert flashed(taken.text, elsewhere.email) == flashed(fresh.text, "fresh@example.cn")
    assert elsewhere.name not in fresh.text
    listed = db.session.scalars(sa.select(Invitation.email).order_by(Invitation.id)).all()
    assert listed == [elsewhere.email, "fresh@example.cn"]  # both wait, listed alike

    assert "已有联桥平台账号" in mail_to(db, elsewhere.email).body
    assert "/auth/invite/" not in mail_to(db, elsewhere.email).body
    assert "/auth/invite/" in mail_to(db, "fresh@example.cn").body


def test_the_invitation_link_starts_with_site_url_never_with_the_request_host(app, client, db, login):
    app.config["SITE_URL"] = "https://lianqiao.example.gov.cn"
    login(UserFactory())
    db.session.commit()
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    client.post("/orgs/mine/invitations", data={"email": "fresh@example.cn"}, base_url="http://evil.example")
    body = mail_to(db, "fresh@example.cn").body
    assert "evil.example" not in body and "https://lianqiao.example.gov.cn/auth/invite/" in body


def test_an_invited_address_with_a_line_break_is_refused_and_nothing_is_queued(client, db, login):
    login(UserFactory())
    db.session.commit()
    resp = client.post("/orgs/mine/invitations", data={"email": "a@example.cn\r\nBcc: all@example.cn"})
    assert resp.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailOutbox)) == 0
