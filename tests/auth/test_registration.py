"""Registration: a new organisation with its first user as admin, who logs in once the e-mail is confirmed; the
answer never tells whether an address has an account; and every way the form refuses input."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core.enums import OrgRole, OrgType, VerificationStatus
from app.core.models import StatusChange
from app.organizations.models import Organization, OrgGroup
from tests.auth.helpers import count, link_in, login_post, mails_to
from tests.factories import OrgFactory, UserFactory, make_credit_code


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


def test_registration_creates_a_pending_org_with_its_first_user_as_admin(client, db):
    resp = client.post("/auth/register", data=registration(), follow_redirects=True)
    assert "请查收邮件完成注册" in resp.text

    user = db.session.scalar(sa.select(User))
    org = user.org
    assert user.email == "wang.wu@example.cn"  # lower-cased
    assert user.org_role == OrgRole.ADMIN
    assert org.verification == VerificationStatus.PENDING
    assert org.org_type == OrgType.SME and org.region == "150200" and org.industry == "C32"
    assert org.contact_email == "wang.wu@example.cn"  # blank contact e-mail falls back to the login e-mail
    change = db.session.scalar(sa.select(StatusChange))
    assert (change.entity_id, change.to_status, change.actor_id) == (org.id, "pending", user.id)

    assert login_post(client, "wang.wu@example.cn", "grassland-2025").status_code == 200  # not before confirming
    (mail,) = mails_to(db, "wang.wu@example.cn")
    confirmed = client.get(link_in(mail, "confirm"), follow_redirects=True)
    assert "邮箱已确认" in confirmed.text and "等待平台认证" in confirmed.text
    assert login_post(client, "wang.wu@example.cn", "grassland-2025").status_code == 302
    assert "等待平台认证" in client.get("/orgs/mine").text


def test_an_unconfirmed_account_gets_the_same_login_answer_as_a_wrong_password_and_its_link_again(client, db):
    client.post("/auth/register", data=registration(), follow_redirects=True)
    with time_machine.travel(datetime.now() + timedelta(hours=2)):  # a link at most once an hour
        unconfirmed = login_post(client, "wang.wu@example.cn", "grassland-2025")
        wrong = login_post(client, "wang.wu@example.cn", "grassland-2026")
        assert unconfirmed.status_code == wrong.status_code == 200
        assert unconfirmed.text == wrong.text
        first, again = mails_to(db, "wang.wu@example.cn")  # the registration's link, and the one the login sent
        assert link_in(first, "confirm") != link_in(again, "confirm")
        assert "邮箱已确认" in client.get(link_in(again, "confirm"), follow_redirects=True).text


def test_registering_an_address_that_has_an_account_looks_the_same_and_mails_its_owner(client, db):
    owner = UserFactory(email="wang.wu@example.cn", name="王五")
    db.session.commit()
    taken = client.post("/auth/register", data=registration(), follow_redirects=True)
    fresh = client.post(
        "/auth/register",
        data=registration(name="内蒙古另一家科技有限公司", credit_code=make_credit_code(4343), email="new@example.cn"),
        follow_redirects=True,
    )
    assert taken.status_code == fresh.status_code == 200
    assert taken.text.replace("wang.wu@example.cn", "") == fresh.text.replace("new@example.cn", "")
    assert count(db, Organization) == 2 and count(db, User) == 2  # the owner's and the new one's
    (told,) = mails_to(db, owner.email)
    assert "已有平台账号" in told.body and "/auth/confirm/" not in told.body
    assert db.session.get(User, owner.id).check_password("correct-horse-42")  # nothing about it changed


def test_a_forged_or_tampered_confirmation_link_is_refused(client, db):
    client.post("/auth/register", data=registration())
    (mail,) = mails_to(db, "wang.wu@example.cn")
    resp = client.get(link_in(mail, "confirm") + "x", follow_redirects=True)
    assert "确认链接无效或已过期" in resp.text
    assert db.session.scalar(sa.select(User)).email_confirmed_at is None


@pytest.mark.parametrize(
    "field, bad, good",
    [
        ("name", "内蒙古草原稀土\r\nBcc: spam@example.cn", "内蒙古草原稀土有限公司"),
        ("contact_name", "王\t经理", "王经理"),
        ("user_name", "王\u2028五", "王五"),
        ("group_name", "包钢\x85集团", "包钢集团"),
    ],
)
def test_a_name_with_a_line_break_or_other_control_character_is_refused_and_nothing_is_created(
    client, db, field, bad, good
):
    resp = client.post("/auth/register", data=registration(**{field: bad}))
    assert resp.status_code == 200 and "不能包含换行、制表符等控制字符" in resp.text
    assert count(db, Organization) == 0 and count(db, User) == 0 and mails_to(db, "wang.wu@example.cn") == []
    assert client.post("/auth/register", data=registration(**{field: good})).status_code == 302


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
    ],
)
def test_duplicate_name_or_credit_code_is_refused(client, db, field, taken, message):
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


def test_on_a_laptop_without_a_mail_server_the_new_user_is_shown_the_confirmation_link(make_app, db):
    """`make run` (development, no MAIL_SERVER): a new user can finish registering from the page itself."""
    app = make_app(APP_ENV="development", MAIL_SERVER="")
    with app.app_context():
        client = app.test_client()
        page = client.post("/auth/register", data=registration(), follow_redirects=True).get_data(as_text=True)
        link = re.search(r'href="(/auth/confirm/[^"]+)"', page)
        assert link, page
        assert "邮箱已确认" in client.get(link.group(1), follow_redirects=True).get_data(as_text=True)


def test_with_a_mail_server_the_page_never_shows_the_confirmation_link(client, db):
    page = client.post("/auth/register", data=registration(), follow_redirects=True).get_data(as_text=True)
    assert "请查收邮件完成注册" in page and "/auth/confirm/" not in page
