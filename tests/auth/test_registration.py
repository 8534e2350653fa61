"""Registration: a new organisation with its first user as admin, and every way the form refuses input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import OrgRole, OrgType, VerificationStatus
from app.core.models import StatusChange
from app.organizations.models import Organization, OrgGroup
from tests.auth.helpers import count
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
