"""Login and logout: safe redirects, one message for unknown and wrong, throttling by address and by client
(app/auth/throttle.py), rate limits, CSRF."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.extensions import db
from tests.auth.helpers import T0, login_post, throttled_app
from tests.factories import PASSWORD, OrgFactory, UserFactory


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


LOCKED = "该邮箱已暂停登录至 10:15（北京时间）"


def five_failures(client, email) -> str:
    """Four answers of a wrong password, then the fifth's page."""
    for _ in range(4):
        assert "邮箱或密码不正确" in login_post(client, email, "wrong-password-1").text
    return login_post(client, email, "wrong-password-1").text


def test_account_locks_after_five_failures_even_for_the_right_password(make_app):
    app = throttled_app(make_app)
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        with time_machine.travel(T0, tick=False):
            assert LOCKED in five_failures(client, user.email)
            refused = login_post(client, user.email, PASSWORD)
            assert refused.status_code == 429 and LOCKED in refused.text
        with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
            assert login_post(client, user.email, PASSWORD).status_code == 302


def test_the_lockout_says_the_same_whether_or_not_the_address_has_an_account(make_app):
    app = throttled_app(make_app)
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        with time_machine.travel(T0, tick=False):
            known, unknown = five_failures(client, user.email), five_failures(client, "nobody@example.cn")
            assert LOCKED in known and LOCKED in unknown
            assert known.replace(user.email, "") == unknown.replace("nobody@example.cn", "")
            again = [login_post(client, email, PASSWORD) for email in (user.email, "nobody@example.cn")]
    assert [r.status_code for r in again] == [429, 429]
    assert again[0].text.replace(user.email, "") == again[1].text.replace("nobody@example.cn", "")


def test_successful_login_resets_the_failure_count(make_app):
    app = throttled_app(make_app)
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        for _ in range(4):
            login_post(client, user.email, "wrong-password-1")
        assert login_post(client, user.email, PASSWORD).status_code == 302
        client.post("/auth/logout")
        for _ in range(4):
            login_post(client, user.email, "wrong-password-1")
        assert login_post(client, user.email, PASSWORD).status_code == 302  # 4 + 4 failures, never 5 in a row


def test_fifty_people_behind_one_address_log_in_within_a_minute_some_after_a_typo(make_app):
    app = throttled_app(make_app)  # the default limits: a fair's Wi-Fi, one public address
    client = app.test_client()
    with app.app_context():
        org = OrgFactory()
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")  # the throttle is tested, not scrypt
        people = [
            User(email=f"visitor{n}@example.cn", name=f"来宾{n}", password_hash=cheap, org=org) for n in range(50)
        ]
        db.session.add_all(people)
        db.session.commit()
        with time_machine.travel(T0, tick=False):
            for n, person in enumerate(people):
                if n % 2:
                    assert login_post(client, person.email, "typo-password-1").status_code == 200
                assert login_post(client, person.email, PASSWORD).status_code == 302
                client.post("/auth/logout")


def test_failed_logins_from_one_client_address_are_limited_across_accounts(make_app):
    app = throttled_app(make_app, LOGIN_IP_FAILURE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        for n in range(3):  # a guesser trying one password on many accounts
            assert login_post(client, f"someone{n}@example.cn", "Spring-2026").status_code == 200
        limited = login_post(client, user.email, PASSWORD)
        assert limited.status_code == 429 and "此网络（同一出口地址）的登录失败次数过多" in limited.text
        other = client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
        )
        assert other.status_code == 302  # another client address is not limited


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


def test_successful_logins_are_not_limited_and_registration_posts_are(make_app):
    app = throttled_app(make_app, LOGIN_IP_FAILURE_LIMIT="3 per minute", REGISTER_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        for _ in range(5):
            assert login_post(client, user.email, PASSWORD).status_code == 302
            client.post("/auth/logout")
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
