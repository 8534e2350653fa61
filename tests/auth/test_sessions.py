"""Sessions end for real: a copy of an old session cookie stops working after logout, a password change and a
password reset (app/auth/sessions.py); the session that changed the password stays signed in."""

from __future__ import annotations

from app.auth.models import User
from tests.auth.helpers import link_in, login_post, mails_to
from tests.factories import PASSWORD, UserFactory

SIGNED_IN_ONLY = "/auth/password"  # any page that needs a login


def signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    assert login_post(client, user.email, password).status_code == 302
    return client


def replay(app, cookie: str):
    """A new browser presenting a copied session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def is_signed_in(client) -> bool:
    return client.get(SIGNED_IN_ONLY).status_code == 200


def test_an_old_session_cookie_no_longer_works_after_logout(app, db):
    user = UserFactory()
    db.session.commit()
    client = signed_in(app, user)
    copied = client.get_cookie("session").value
    assert is_signed_in(replay(app, copied))

    client.post("/auth/logout")

    thief = replay(app, copied)
    resp = thief.get(SIGNED_IN_ONLY)
    assert resp.status_code == 302 and resp.location.startswith("/auth/login")
    assert not is_signed_in(thief)  # the stale cookie was cleared, not refreshed
    assert is_signed_in(signed_in(app, user))  # logging in again works


def test_a_password_change_ends_the_other_sessions_and_keeps_the_one_that_changed_it(app, db):
    user = UserFactory()
    db.session.commit()
    laptop, phone = signed_in(app, user), signed_in(app, user)
    before = laptop.get_cookie("session").value
    resp = laptop.post(
        "/auth/password", data={"current_password": PASSWORD, "password": "new-pass-2025", "confirm": "new-pass-2025"}
    )
    assert resp.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(replay(app, before))


def test_a_wrong_current_password_changes_nothing_and_ends_no_session(app, db):
    user = UserFactory()
    db.session.commit()
    laptop, phone = signed_in(app, user), signed_in(app, user)
    wrong = laptop.post(
        "/auth/password",
        data={"current_password": "nope-2025", "password": "new-pass-2025", "confirm": "new-pass-2025"},
    )
    assert "当前密码不正确" in wrong.text
    assert is_signed_in(laptop) and is_signed_in(phone)


def test_a_password_reset_ends_every_session(app, db):
    user = UserFactory()
    db.session.commit()
    phone = signed_in(app, user)
    stranger = app.test_client()
    stranger.post("/auth/reset", data={"email": user.email})
    (mail,) = mails_to(db, user.email)
    stranger.post(link_in(mail, "reset"), data={"password": "new-pass-2025", "confirm": "new-pass-2025"})
    assert not is_signed_in(phone)
    assert is_signed_in(signed_in(app, user, "new-pass-2025"))


def test_a_session_made_before_session_versions_is_signed_out(app, client, db):
    user = UserFactory()
    db.session.commit()
    with client.session_transaction() as sess:  # what a cookie from before this release holds
        sess["_user_id"], sess["_fresh"] = str(user.id), True
    assert not is_signed_in(client)
    assert db.session.get(User, user.id).session_version == 0
