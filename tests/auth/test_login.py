"""Login and logout: safe redirects, one message for unknown and wrong, lockout, rate limits, CSRF."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.auth.helpers import T0, login_post
from tests.factories import PASSWORD, UserFactory


def test_login_redirects_only_to_local_next(client, db):
    user = UserFactory()
    db.session.commit()
    resp = login_post(client, user.email.upper(), PASSWORD, next_="/orgs/mine")
    assert resp.location == "/orgs/mine"
    with client.session_transaction() as sess:
        assert sess.permanent and sess["_user_id"] == str(user.id)
    client.post("/auth/logout")
    assert login_post(client, user.email, PASSWORD, next_="https://evil.example/").location == "/"
    client.post("/auth/logout")
    assert login_post(client, user.email, PASSWORD, next_="//evil.example/").location == "/"


def test_unknown_email_and_wrong_password_get_the_same_message(client, db):
    user = UserFactory()
    db.session.commit()
    unknown = login_post(client, "nobody@example.cn", PASSWORD)
    wrong = login_post(client, user.email, "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert "邮箱或密码不正确" in unknown.text and "邮箱或密码不正确" in wrong.text


def test_account_locks_after_five_failures_even_for_the_right_password(client, db):
    user = UserFactory()
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            assert "邮箱或密码不正确" in login_post(client, user.email, "wrong-password-1").text
        fifth = login_post(client, user.email, "wrong-password-1")
        assert "账号已临时锁定至 10:15" in fifth.text
        refused = login_post(client, user.email, PASSWORD)
        assert refused.status_code == 200 and "账号已临时锁定至 10:15" in refused.text
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert login_post(client, user.email, PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(client, db):
    user = UserFactory()
    db.session.commit()
    for _ in range(4):
        login_post(client, user.email, "wrong-password-1")
    assert login_post(client, user.email, PASSWORD).status_code == 302
    client.post("/auth/logout")
    db.session.refresh(user)
    assert user.failed_login_count == 0
    for _ in range(4):
        login_post(client, user.email, "wrong-password-1")
    assert login_post(client, user.email, PASSWORD).status_code == 302  # 4 + 4 failures, never 5 in a row


def test_deactivated_account_cannot_log_in(client, db):
    user = UserFactory(active=False)
    db.session.commit()
    assert "已停用" in login_post(client, user.email, PASSWORD).text


def test_logout_is_post_only(client, db, login):
    login(UserFactory())
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_and_registration_posts_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", REGISTER_RATE_LIMIT="2 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/auth/login", data={"email": "a@example.cn", "password": "x"}).status_code == 200
    limited = client.post("/auth/login", data={"email": "a@example.cn", "password": "x"})
    assert limited.status_code == 429
    assert "操作过于频繁" in limited.text
    assert client.get("/auth/login").status_code == 200  # only POSTs count

    for _ in range(2):
        client.post("/auth/register", data={})
    assert client.post("/auth/register", data={}).status_code == 429
    assert client.get("/auth/register").status_code == 200


def test_post_without_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/auth/login", data={"email": "a@example.cn", "password": "x"})
    assert resp.status_code == 400
    assert "CSRF" in resp.text
    assert client.post("/auth/logout").status_code == 400
