"""Account rules: registration, login and lockout, rate limits, CSRF, password reset, invitations, CLI."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.mail import send_mail
from app.auth.models import User
from app.core.enums import OrgRole, OrgType, PlatformRole, VerificationStatus
from app.core.models import StatusChange, utcnow
from app.extensions import db as _db
from app.notifications.jobs import send_emails
from app.organizations.models import Invitation, Organization, OrgGroup
from app.organizations.services import invite_member
from tests.factories import PASSWORD, OrgFactory, UserFactory, make_credit_code

T0 = datetime(2025, 3, 1, 2, 0)  # 10:00 Beijing time


def registration(**overrides) -> dict:
    data = {
        "name": "内蒙古草原稀土科技有限公司",
        "org_type": "sme",
        "credit_code": make_credit_code(4242),
        "region": "150200",
        "industry": "C32",
        "size": "small",
        "contact_name": "王经理",
        "contact_phone": "0472-5123456",
        "contact_email": "",
        "group_name": "",
        "description": "稀土永磁材料研发与生产",
        "user_name": "王五",
        "email": "Wang.Wu@Example.CN",
        "phone": "13912345678",
        "password": "grassland-2025",
        "confirm": "grassland-2025",
    }
    data.update(overrides)
    return data


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def logged_link(caplog, path: str) -> str:
    # Account mail is queued by the request and sent by the jobs process: run that job first.
    send_emails(utcnow())
    _db.session.commit()
    links = re.findall(rf"http://localhost(/auth/{path}/[\w.\-]+)", caplog.text)
    assert links, f"no /auth/{path}/ link was logged"
    return links[-1]


# --- registration ------------------------------------------------------------------------


def test_registration_creates_a_pending_org_with_its_first_user_as_admin(client, db):
    resp = client.post("/auth/register", data=registration())
    assert resp.status_code == 302 and resp.location.endswith("/orgs/mine")

    user = db.session.scalar(sa.select(User))
    org = user.org
    assert user.email == "wang.wu@example.cn"  # lower-cased
    assert user.org_role == OrgRole.ADMIN
    assert org.verification == VerificationStatus.PENDING
    assert org.org_type == OrgType.SME and org.region == "150200" and org.industry == "C32"
    assert org.contact_email == "wang.wu@example.cn"  # blank contact e-mail falls back to the login e-mail
    change = db.session.scalar(sa.select(StatusChange))
    assert (change.entity_id, change.to_status, change.actor_id) == (org.id, "pending", user.id)

    page = client.get("/orgs/mine")  # logged in, told to wait for verification
    assert "等待平台认证" in page.text


def test_wrong_credit_code_check_character_is_a_form_error_and_nothing_is_created(client, db):
    good = make_credit_code(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    resp = client.post("/auth/register", data=registration(credit_code=wrong))
    assert resp.status_code == 200
    assert "统一社会信用代码校验位不正确" in resp.text
    assert count(db, Organization) == 0 and count(db, User) == 0


@pytest.mark.parametrize(
    "field, taken, message",
    [
        ("name", "内蒙古草原稀土科技(集团)有限公司", "已被注册"),  # half-width brackets are the same name
        ("credit_code", None, "该统一社会信用代码已被其他机构注册"),
        ("email", "WANG.wu@example.cn", "该邮箱已注册"),
    ],
)
def test_duplicate_name_credit_code_or_email_is_refused(client, db, field, taken, message):
    existing = OrgFactory(name="内蒙古草原稀土科技（集团）有限公司", credit_code=make_credit_code(1))
    UserFactory(email="wang.wu@example.cn", org=existing)
    db.session.commit()
    values = {"name": taken, "credit_code": existing.credit_code, "email": taken}
    resp = client.post("/auth/register", data=registration(**{field: values[field]}))
    assert resp.status_code == 200
    assert message in resp.text
    assert count(db, Organization) == 1 and count(db, User) == 1


def test_a_clash_only_the_unique_index_catches_is_still_a_readable_error(client, db, monkeypatch):
    # Two registrations at the same moment both pass the checks; the database index decides.
    existing = OrgFactory(name="内蒙古草原稀土科技有限公司")
    db.session.commit()
    monkeypatch.setattr("app.organizations.services._taken", lambda *args: False)
    resp = client.post("/auth/register", data=registration(name=existing.name))
    assert resp.status_code == 200 and "已被注册，请核对后重试" in resp.text
    assert count(db, Organization) == 1 and count(db, User) == 0


@pytest.mark.parametrize(
    "password, message",
    [("ab1", "密码至少需要 8 位"), ("12345678", "密码过于简单"), ("abcdefgh", "密码过于简单")],
)
def test_weak_password_is_refused(client, db, password, message):
    resp = client.post("/auth/register", data=registration(password=password, confirm=password))
    assert message in resp.text
    assert count(db, User) == 0


def test_password_confirmation_must_match(client, db):
    resp = client.post("/auth/register", data=registration(confirm="grassland-2026"))
    assert "两次输入的密码不一致" in resp.text
    assert count(db, User) == 0


def test_group_is_found_or_created_by_exact_name(client, db):
    group = OrgGroup(name="包钢集团")
    db.session.add(group)
    db.session.commit()
    client.post("/auth/register", data=registration(group_name="包钢集团"))
    org = db.session.scalar(sa.select(Organization))
    assert org.group_id == group.id
    assert count(db, OrgGroup) == 1


def test_bad_contact_phone_is_a_form_error(client, db):
    resp = client.post("/auth/register", data=registration(contact_phone="12345"))
    assert "联系电话格式不正确" in resp.text
    assert count(db, Organization) == 0


# --- login, lockout, logout --------------------------------------------------------------


def login_post(client, email, password, next_=None):
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


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


# --- password reset ----------------------------------------------------------------------


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


def test_reset_password_lifts_a_lockout(client, db, mail_log):
    user = UserFactory(failed_login_count=0, locked_until=datetime(2100, 1, 1))
    db.session.commit()
    client.post("/auth/reset", data={"email": user.email})
    client.post(logged_link(mail_log, "reset"), data={"password": "new-pass-2025", "confirm": "new-pass-2025"})
    assert login_post(client, user.email, "new-pass-2025").status_code == 302


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


# --- invitations -------------------------------------------------------------------------


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


# --- mail --------------------------------------------------------------------------------


def test_send_mail_uses_smtp_when_a_mail_server_is_configured(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            sent.append((msg["To"], msg["Subject"], msg.get_content().strip()))

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.cn"
    assert send_mail("a@example.cn", "主题", "正文")
    assert sent == [("smtp.example.cn", 25), ("a@example.cn", "主题", "正文")]


# --- CLI ---------------------------------------------------------------------------------


def test_cli_create_admin_makes_a_platform_admin_without_an_org(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "Root@Example.cn", "--name", "平台管理员", "--password", "admin-pass-1"]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.email == "root@example.cn"))
    assert admin.platform_role == PlatformRole.ADMIN and admin.org_id is None
    assert admin.check_password("admin-pass-1")

    duplicate = runner.invoke(
        args=["users", "create-admin", "root@example.cn", "--name", "x", "--password", "admin-pass-1"]
    )
    assert duplicate.exit_code != 0 and "该邮箱已注册" in duplicate.output


def test_cli_create_admin_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "ops@example.cn", "--name", "运维"], input="ops-pass-123\nops-pass-123\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "ops@example.cn")).check_password("ops-pass-123")


def test_cli_create_admin_refuses_a_weak_password(runner, db):
    result = runner.invoke(args=["users", "create-admin", "ops@example.cn", "--name", "运维", "--password", "123"])
    assert result.exit_code != 0 and "密码至少需要" in result.output
    assert count(db, User) == 0


def test_cli_set_role(runner, db):
    user = UserFactory()
    db.session.commit()
    assert runner.invoke(args=["users", "set-role", user.email, "organiser"]).exit_code == 0
    db.session.refresh(user)
    assert user.platform_role == PlatformRole.ORGANISER
    assert runner.invoke(args=["users", "set-role", user.email, "none"]).exit_code == 0
    db.session.refresh(user)
    assert user.platform_role == PlatformRole.NONE
    missing_user = runner.invoke(args=["users", "set-role", "ghost@example.cn", "admin"])
    assert missing_user.exit_code != 0 and "没有邮箱为 ghost@example.cn 的账号" in missing_user.output
