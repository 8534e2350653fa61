"""Judges invited by e-mail: the organiser learns nothing about an address (whose it is, whether it has an
account) before its owner accepts; the link in the mail starts with SITE_URL; bad links get a clear message."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.core.mail import MailOutbox
from app.events.judging.models import JudgeInvitation
from app.events.judging.services import judges
from app.extensions import db as database
from tests.conftest import as_user
from tests.events.judging.helpers import roadshow
from tests.factories import UserFactory


def invite(client, event, email: str):
    return client.post(f"/events/{event.id}/judging/judges", data={"email": email}, follow_redirects=True)


def message(page: str, address: str) -> str:
    """The page's message with the address and any link token left out."""
    text = re.search(r'role="alert">\s*(.*?)\s*<', page, re.S).group(1)
    return re.sub(r"/judging/invitations/[\w\-]+", "", text.replace(address, ""))


def mailed_link(address: str) -> str:
    body = database.session.scalar(sa.select(MailOutbox.body).where(MailOutbox.to == address))
    return re.search(r"(/events/judging/invitations/[\w\-]+)", body).group(1)


def test_the_organiser_learns_nothing_about_an_address_until_its_owner_accepts(client, db):
    event = roadshow()
    expert = UserFactory(org=None, name="王教授", email="wang@imu.edu.cn")
    database.session.commit()
    as_user(client, event.organiser)
    known, unknown = invite(client, event, expert.email), invite(client, event, "nobody@example.cn")
    assert known.status_code == unknown.status_code == 200
    assert message(known.text, expert.email) == message(unknown.text, "nobody@example.cn")
    setup = client.get(f"/events/{event.id}/judging").text
    assert "王教授" not in setup and "wang@imu.edu.cn" in setup and "nobody@example.cn" in setup

    link = mailed_link(expert.email)
    as_user(client, expert)
    assert "接受邀请" in client.get(link).text and judges(event) == []
    accepted = client.post(link, follow_redirects=True)
    assert f"您已成为“{event.title}”的评委" in accepted.text
    assert [j.user_id for j in judges(event)] == [expert.id]
    assert "王教授" in as_user(client, event.organiser).get(f"/events/{event.id}/judging").text


def test_the_judge_invitation_link_starts_with_site_url_never_with_the_request_host(app, client, db):
    app.config["SITE_URL"] = "https://lianqiao.example.gov.cn"
    event = roadshow()
    database.session.commit()
    as_user(client, event.organiser)
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    client.post(f"/events/{event.id}/judging/judges", data={"email": "a@example.cn"}, base_url="http://evil.example")
    body = database.session.scalar(sa.select(MailOutbox.body).where(MailOutbox.to == "a@example.cn"))
    assert "evil.example" not in body and "https://lianqiao.example.gov.cn/events/judging/invitations/" in body


def test_a_forged_revoked_or_expired_judge_invitation_link_gets_a_clear_message(app, client, db):
    event = roadshow()
    database.session.commit()
    as_user(client, event.organiser)
    invite(client, event, "a@example.cn")
    invite(client, event, "b@example.cn")
    revoked, expired = mailed_link("a@example.cn"), mailed_link("b@example.cn")
    first = database.session.scalar(sa.select(JudgeInvitation).where(JudgeInvitation.email == "a@example.cn"))
    client.post(f"/events/{event.id}/judging/invitations/{first.id}/remove")

    someone = UserFactory()
    database.session.commit()
    as_user(client, someone)
    for link in (revoked, "/events/judging/invitations/forged-token"):
        resp = client.post(link)
        assert resp.status_code == 404 and "评委邀请链接无效" in resp.text
    later = datetime.now() + timedelta(days=app.config["INVITATION_MAX_AGE_DAYS"] + 1)
    with time_machine.travel(later):
        as_user(client, someone)  # a session of that day
        assert "评委邀请链接已过期" in client.post(expired, follow_redirects=True).text
    assert judges(event) == []


def test_an_invited_address_that_is_not_one_is_refused_and_nothing_is_sent(client, db):
    event = roadshow()
    database.session.commit()
    as_user(client, event.organiser)
    for bad, says in (
        ("a@example.cn\r\nBcc: all@example.cn", "控制字符"),
        ("不是邮箱", "评委邮箱：电子邮箱格式不正确"),
    ):
        assert says in invite(client, event, bad).text
    assert database.session.scalar(sa.select(sa.func.count()).select_from(MailOutbox)) == 0
    assert "评委邀请链接发给 a@example.cn" in invite(client, event, "a@example.cn").text  # no MAIL_SERVER in tests
    assert database.session.scalar(sa.select(sa.func.count()).select_from(MailOutbox)) == 1
