"""The expert pool: platform admins add registered users by e-mail with title, fields and industries, update
and deactivate them; nobody else reaches the page."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.review.models import ChallengeExpert
from tests.conftest import as_user
from tests.factories import AdminFactory, UserFactory


def _form(email, **extra):
    data = {"email": email, "title": "教授级高级工程师", "affiliation": "", "fields": "稀土永磁, 电机控制、储能；储能"}
    data.update(extra)
    return data


def test_an_admin_adds_a_registered_user_by_email_with_fields_and_industries(db, client):
    admin = AdminFactory()
    user = UserFactory(email="Expert@Example.cn")
    db.session.commit()
    as_user(client, admin)
    page = client.post(
        "/challenges/experts", data={**_form("  expert@example.CN "), "industries": ["C", "M"]}, follow_redirects=True
    ).text
    assert "加入专家库" in page
    expert = db.session.scalar(sa.select(ChallengeExpert))
    assert expert.user_id == user.id and expert.active
    assert expert.fields == ["稀土永磁", "电机控制", "储能"] and expert.industries == ["C", "M"]
    assert expert.affiliation == user.org.name and expert.title == "教授级高级工程师"
    assert "科学研究和技术服务业" in page


def test_an_unknown_email_or_an_unknown_industry_changes_nothing_and_says_why(db, client):
    admin = AdminFactory()
    UserFactory(email="expert@example.cn")
    db.session.commit()
    as_user(client, admin)
    page = client.post("/challenges/experts", data=_form("nobody@example.cn")).text
    assert "专家须先在平台注册" in page
    page = client.post("/challenges/experts", data={**_form("expert@example.cn"), "industries": ["Z9"]}).text
    assert "请从列表中选择行业门类" in page
    page = client.post("/challenges/experts", data=_form("expert@example.cn", fields="领域," + "长" * 31)).text
    assert "每个不超过 30 字" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeExpert)) == 0


def test_adding_again_updates_and_reactivates_and_deactivating_keeps_the_entry(db, client):
    admin = AdminFactory()
    UserFactory(email="expert@example.cn")
    db.session.commit()
    as_user(client, admin)
    client.post("/challenges/experts", data=_form("expert@example.cn"))
    expert = db.session.scalar(sa.select(ChallengeExpert))
    client.post(f"/challenges/experts/{expert.id}/deactivate")
    db.session.expire_all()
    assert not expert.active
    client.post("/challenges/experts", data=_form("expert@example.cn", title="研究员"))
    db.session.expire_all()
    assert expert.active and expert.title == "研究员"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeExpert)) == 1


def test_only_platform_admins_reach_the_pool(db, client):
    member = UserFactory()
    db.session.commit()
    assert as_user(client, member).get("/challenges/experts").status_code == 403
    assert as_user(client, None).get("/challenges/experts").status_code == 302
