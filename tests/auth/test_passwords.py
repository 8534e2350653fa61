"""Passwords: reset by a mailed link that works once and expires, and changing one's own password."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine

from app.core.models import utcnow
from app.extensions import db as _db
from app.notifications.jobs import send_emails
from tests.auth.helpers import T0, link_in, login_post, mails_to, throttled_app
from tests.factories import PASSWORD, UserFactory


def logged_link(caplog, path: str) -> str:
    # Account mail is queued by the request and sent by the jobs process: run that job first.
    send_emails(utcnow())
    _db.session.commit()
    links = re.findall(rf"(/auth/{path}/[\w.\-]+)", caplog.text)
    assert links, f"no /auth/{path}/ link was logged"
    return links[-1]


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_reset_request_answers_the_same_whether_or_not_the_email_exists(client, db, mail_log):
    user = UserFactory()
    db.session.commit()
    known = client.post("/auth/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "nobody@example.cn"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    notice = "如果该邮箱已在平台注册"
    assert notice in known.text and notice in unknown.text
    assert "nobody@example.cn" not in mail_log.text
    assert logged_link(mail_log, "reset")  # the link goes to the log when no MAIL_SERVER is set


def test_reset_token_sets_a_new_password_only_once(client, db, mail_log):
    user = UserFactory()
    db.session.commit()
    client.post("/auth/reset", data={"email": user.email})
    link = logged_link(mail_log, "reset")
    assert client.get(link).status_code == 200
    resp = client.post(link, data={"password": "new-pass-2025", "confirm": "new-pass-2025"})
    assert resp.location == "/auth/login"
    assert login_post(client, user.email, "new-pass-2025").status_code == 302
    client.post("/auth/logout")

    again = client.post(link, data={"password": "other-pass-2025", "confirm": "other-pass-2025"})
    assert again.location == "/auth/reset"
    assert "已使用或已失效" in client.get("/auth/reset").text
    assert login_post(client, user.email, "new-pass-2025").status_code == 302


def test_reset_token_expires(app, client, db, mail_log):
    user = UserFactory()
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        client.post("/auth/reset", data={"email": user.email})
    link = logged_link(mail_log, "reset")
    later = T0 + timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"] + 1)
    with time_machine.travel(later, tick=False):
        resp = client.post(link, data={"password": "new-pass-2025", "confirm": "new-pass-2025"}, follow_redirects=True)
    assert "重置链接已过期" in resp.text
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_forged_reset_token_is_refused(client, db):
    resp = client.get("/auth/reset/not-a-real-token", follow_redirects=True)
    assert "重置链接无效" in resp.text


def test_reset_password_lifts_a_lockout(make_app, mail_log):
    app = throttled_app(make_app)
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        _db.session.commit()
        for _ in range(5):
            login_post(client, user.email, "wrong-password-1")
        assert login_post(client, user.email, PASSWORD).status_code == 429
        client.post("/auth/reset", data={"email": user.email})
        client.post(logged_link(mail_log, "reset"), data={"password": "new-pass-2025", "confirm": "new-pass-2025"})
        assert login_post(client, user.email, "new-pass-2025").status_code == 302


def test_the_reset_link_starts_with_site_url_never_with_the_request_host(app, client, db):
    app.config["SITE_URL"] = "https://lianqiao.example.gov.cn/"
    user = UserFactory()
    db.session.commit()
    client.post("/auth/reset", data={"email": user.email}, headers={"Host": "evil.example"})
    (mail,) = mails_to(db, user.email)
    assert "evil.example" not in mail.body
    assert f"https://lianqiao.example.gov.cn{link_in(mail, 'reset')}" in mail.body


def test_change_password_needs_the_current_one(client, db, login):
    user = UserFactory()
    db.session.commit()
    login(user)
    wrong = client.post(
        "/auth/password", data={"current_password": "nope", "password": "new-pass-2025", "confirm": "new-pass-2025"}
    )
    assert "当前密码不正确" in wrong.text
    ok = client.post(
        "/auth/password", data={"current_password": PASSWORD, "password": "new-pass-2025", "confirm": "new-pass-2025"}
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password("new-pass-2025")
