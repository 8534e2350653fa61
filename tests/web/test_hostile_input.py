"""Targeted rules for hostile input: huge ids, NUL characters, overlong text, script links, tampered tokens,
off-site redirects, steered links, non-id bulk values, forged cookies."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.postings.models import Posting
from tests.conftest import as_user
from tests.factories import PASSWORD, PostingFactory
from tests.web.helpers import K, S
from tests.web.world import LOGIN, changed_tables, outcome, snapshot


def test_ids_past_the_database_range_are_404(client, world):
    as_user(client, world.platform_admin)
    for url in (f"/postings/achievement/{2**31}", f"/orgs/{2**63}", f"/lists/{2**40}/manage"):
        assert client.get(url).status_code == 404, url


def test_nul_characters_are_refused_with_a_chinese_message_and_change_nothing(client, db, world):
    before = snapshot(db)
    as_user(client, world.a_admin)
    new_posting = {"title": "稀土\x00永磁", "keywords": "稀土", "industry": "C32", "region": "150200",
                   "summary": "简介", "trl": "6"}  # fmt: skip
    for method, url, data in [
        ("GET", "/postings/achievement?q=%00", None),
        ("GET", "/orgs/admin/?q=a%00b", None),
        ("POST", "/postings/achievement/new", new_posting),
        ("POST", "/orgs/mine/invitations", {"email": "x\x00@example.cn"}),
    ]:
        resp = client.open(url, method=method, data=data)
        assert resp.status_code == 400, url
        assert "空字符" in resp.text
    assert changed_tables(before, snapshot(db)) == []


def test_overlong_text_gets_a_chinese_message_beside_its_field_and_changes_nothing(client, db, world):
    before = snapshot(db)
    as_user(client, world.a_admin)
    profile = client.post("/orgs/mine/edit", data={"name": "长" * 100_000})
    posting = client.post("/postings/need/new", data={"title": "长" * 100_000, "description": "长" * 100_000})
    assert profile.status_code == 200 and "字段长度不能超过 200 个字符" in profile.text
    assert posting.status_code == 422 and "标题不能超过200个字" in posting.text and "不能超过20000个字" in posting.text
    assert changed_tables(before, snapshot(db)) == []


@pytest.mark.parametrize(
    "website", ["javascript:alert(document.cookie)", "JavaScript://%0aalert(1)", "data:text/html,x"]
)
def test_a_website_that_is_not_http_is_refused_so_it_never_becomes_a_script_link(client, db, world, website):
    org = world.org_a
    profile = {"name": org.name, "org_type": org.org_type.value, "credit_code": org.credit_code, "region": org.region,
               "industry": org.industry, "contact_name": "张经理", "contact_phone": "13800000000"}  # fmt: skip
    as_user(client, world.a_admin)
    refused = client.post("/orgs/mine/edit", data={**profile, "website": website})
    assert refused.status_code == 200 and "网站地址应以 http:// 或 https:// 开头" in refused.text
    assert client.post("/orgs/mine/edit", data={**profile, "website": "https://www.example.cn"}).status_code == 302
    db.session.refresh(org)
    assert org.website == "https://www.example.cn"


def test_a_tampered_form_token_longer_than_its_column_still_saves_exactly_one_draft(client, db, world):
    as_user(client, world.a_admin)
    body = {"title": "超长令牌测试", "keywords": "稀土", "industry": "C32", "region": "150200", "summary": "简介",
            "trl": "6", "form_token": "t" * 500}  # fmt: skip
    for _ in range(2):
        assert client.post("/postings/achievement/new", data=body).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(Posting.title == "超长令牌测试")) == 1


@pytest.mark.parametrize(
    "target", ["/\\evil.example.com", "/\\/evil.example.com", "//evil.example.com", "/\r\nSet-Cookie: x=1"]
)
def test_login_never_redirects_off_the_site(client, world, target):
    resp = client.post(
        f"/auth/login?next={quote(target, safe='')}", data={"email": world.a_admin.email, "password": PASSWORD}
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_the_query_string_cannot_steer_pager_and_export_links(make_app):
    app = make_app(PER_PAGE=1)
    with app.app_context():
        for _ in range(3):
            PostingFactory()
        _db.session.commit()
        page = app.test_client().get(
            "/postings/achievement?kind=need&endpoint=x&_external=1&_scheme=javascript&_anchor=x&q=稀土"
        )
    assert page.status_code == 200
    links = re.findall(r'href="([^"]*(?:page=|format=)[^"]*)"', page.text)
    assert links and all(link.startswith("/postings/achievement?") for link in links), links
    assert 'href="javascript' not in page.text


def test_bulk_actions_ignore_values_that_are_not_ids(client, db, world):
    submitted = world.postings[K.NEED, S.SUBMITTED]
    as_user(client, world.platform_admin)
    ids = ["²", "١", "9" * 5000, str(2**63), "-1", str(submitted.id)]
    assert client.post("/postings/admin/moderation/approve", data={"ids": ids}).status_code == 302
    assert client.post("/orgs/admin/verification/bulk", data={"org_id": ids[:-1]}).status_code == 302
    db.session.refresh(submitted)
    assert submitted.status == S.PUBLISHED


def test_a_forged_session_or_remember_cookie_is_just_an_anonymous_visitor(client, world):
    client.set_cookie("session", "eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    client.set_cookie("remember_token", f"{world.platform_admin.id}|forged")
    assert client.get("/").status_code == 200
    assert outcome(client.get("/admin/")) == LOGIN
