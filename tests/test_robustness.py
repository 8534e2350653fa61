"""No 500 for anything a user can type: every route of app.url_map, fed hostile path values, query strings and
form bodies, as an anonymous visitor, a member of another organisation, the owner and a platform admin.

The Testing config propagates exceptions, so a would-be 500 surfaces here as an exception; each is caught and
reported with its route, so one run lists every failing route at once.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from datetime import date
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook

from app.auth.models import User
from app.core.enums import PostingKind, PostingStatus
from app.core.models import StatusChange
from app.extensions import db as _db
from app.lists.models import CatalogList
from app.organizations.models import Invitation, Organization, TierRecord
from app.postings.models import Posting
from tests.factories import PASSWORD, PostingFactory, make_credit_code
from tests.test_access import (
    LOGIN,
    PARAM,
    World,
    as_user,
    build_url,
    build_world,
    changed_tables,
    contexts,
    outcome,
    snapshot,
)

K = PostingKind
S = PostingStatus

HOSTILE_INTS = ["0", "999999", str(2**31), str(2**63), "0" * 40 + "7"]
HOSTILE_STRINGS = [
    "..",
    "../../etc/passwd",
    "%00",
    "\x00",
    "x" * 5000,
    "中文令牌",
    "🎉🐑",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "%_\\",
]
HOSTILE_VALUES = [
    "-1",
    "abc",
    "99999999999999999999",
    "十",
    "exe",
    "稀" * 300,
    "*:*",
    '{"query": {"match_all": {}}}',
    "\\",
    "%_",
    "a\x00b",
    "🎉",
    "' OR 1=1 --",
    " ",
    '"稀土',
    "NEAR(稀土 title:永磁 OR",
    "-^*",
]
# Every query parameter a list, search or export page reads, plus a few they might read one day.
QUERY_PARAMS = (
    "q", "page", "industry", "region", "trl", "mode", "coop", "cooperation", "challenge", "tier", "open", "status",
    "sort", "kind", "org_type", "verification", "year", "next", "per_page", "terms", "word",
)  # fmt: skip
FORMATS = ["xlsx", "csv", "exe", "", "../x", "\x00"]
ROLES = ("anonymous", "other_member", "org_admin", "platform_admin")
REFUSED = (LOGIN, 403, 404, 405)  # the route turned the user away before reading its input
# Run last: they take away what later requests would use (the session, a member, a list).
DESTRUCTIVE = re.compile(r"logout|delete|remove|revoke|publish|cancel|confirm|reject|verify")


@pytest.fixture
def world(db, monkeypatch) -> World:
    return build_world(monkeypatch)


def role_user(world: World, role: str):
    return {"anonymous": None, "other_member": world.b_member, "org_admin": world.a_admin}.get(
        role, world.platform_admin
    )


def hostile_urls(rule, ctx: dict) -> list[str]:
    """The rule with each argument in turn replaced by hostile values (the others stay valid)."""
    urls = []
    for converter, _args, name in PARAM.findall(rule.rule):
        if converter == "int":
            urls += [build_url(rule, {**ctx, name: value}) for value in HOSTILE_INTS]
        elif converter in ("", "string", "path"):
            urls += [build_url(rule, {**ctx, name: value}) for value in HOSTILE_STRINGS]
    return urls


def rules(method: str) -> list:
    found = [r for r in current_app.url_map.iter_rules() if method in r.methods]
    return sorted(found, key=lambda r: (bool(DESTRUCTIVE.search(r.endpoint)), r.rule))


class Sweep:
    """Sends requests as one user and collects every exception or 5xx with its route."""

    def __init__(self, client, db, user):
        self.client, self.db, self.user = client, db, user
        self.failures: list[str] = []

    def send(self, method: str, url: str, endpoint: str, **kwargs):
        with self.client.session_transaction() as sess:  # signed in again after any logout; the rest stays
            sess.pop("_user_id", None)
            if self.user is not None:
                sess.update(_user_id=str(self.user.id), _fresh=True)
        try:
            resp = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 — a would-be 500; reported below with its route
            self.db.session.rollback()
            self.failures.append(f"{method} {url[:150]!r} ({endpoint}) raised {exc!r:.300}")
            return None
        resp.close()
        if resp.status_code >= 500:
            self.failures.append(f"{method} {url[:150]!r} ({endpoint}) answered {resp.status_code}")
        return resp


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_fails_on_any_id_or_hostile_path_value(client, db, world, role):
    sweep = Sweep(client, db, role_user(world, role))
    for rule in rules("GET"):
        urls = {build_url(rule, ctx) for ctx in contexts(world)}
        urls.update(hostile_urls(rule, contexts(world)[0]))
        for url in sorted(urls):
            sweep.send("GET", url, rule.endpoint)
    assert not sweep.failures, "\n".join(sweep.failures)


@pytest.mark.parametrize("role", ["anonymous", "other_member", "platform_admin"])
def test_no_get_route_fails_on_hostile_query_strings(client, db, world, role):
    """Every page without ids (lists, search, admin pages) and the annual lists, with every parameter at once."""
    sweep = Sweep(client, db, role_user(world, role))
    pages = {build_url(rule, contexts(world)[0]): rule.endpoint for rule in rules("GET") if rule.arguments <= {"kind"}}
    pages.update(
        (build_url(rule, ctx), rule.endpoint)
        for rule in rules("GET")
        if "list_id" in rule.arguments
        for ctx in contexts(world)[:2]
    )
    for url, endpoint in sorted(pages.items()):
        plain = sweep.send("GET", url, endpoint)
        if plain is None or outcome(plain) in REFUSED:
            continue
        for value in HOSTILE_VALUES:
            sweep.send("GET", f"{url}?{urlencode(dict.fromkeys(QUERY_PARAMS, value))}", endpoint)
        for fmt in FORMATS:
            sweep.send("GET", f"{url}?{urlencode({'format': fmt, 'q': '稀土', 'status': 'all'})}", endpoint)
    for kind in K:  # every filter at once, with both exports, for each kind's list
        for value, fmt in itertools.product(HOSTILE_VALUES[:4], FORMATS[:2]):
            query = urlencode({**dict.fromkeys(QUERY_PARAMS, value), "format": fmt})
            sweep.send("GET", f"/postings/{kind.value}?{query}", "postings.index")
    assert not sweep.failures, "\n".join(sweep.failures)


WRONG_TYPES = {
    "name": ["a", "b"],
    "org_type": "robot",
    "credit_code": "91150100MA0N0000XX",
    "region": "火星",
    "industry": "Z99",
    "size": "huge",
    "contact_phone": "call me",
    "contact_email": "not-an-email",
    "website": "javascript:alert(1)",
    "email": "@@",
    "phone": "12",
    "password": "short",
    "confirm": "other",
    "current_password": "",
    "title": "",
    "keywords": ";;;",
    "trl": "十",
    "year": "二〇二五",
    "budget_wan": "NaN",
    "reward_wan": "-1e999",
    "deadline": "31/02/2025",
    "challenge": "maybe",
    "cooperation": ["teleport", ""],
    "tier": "gold",
    "patents": "not-a-patent",
    "form_token": "t" * 500,
    "action": "submit",
    "reason": "",
    "role": "superuser",
    "expires_on": "tomorrow",
    "certificate_no": "",
    "kind": "exe",
    "org_types": ["robot"],
    "ids": ["²", "-1", "9" * 30, "abc", ""],
    "org_id": ["²", "9" * 30, "abc"],
    "next": "//evil.example.com",
    "publish": "maybe",
    "file": "not a file",
}
# The text fields most forms have, each 100k characters long (a request stays under 1 MB).
HUGE = dict.fromkeys(
    ("name", "credit_code", "contact_phone", "email", "password", "title", "summary", "description", "reason"),
    "长" + "x" * 100_000,
)


@pytest.mark.parametrize("role", ROLES)
def test_no_post_route_fails_on_empty_wrong_or_huge_input_and_outsiders_change_nothing(client, db, world, role):
    sweep = Sweep(client, db, role_user(world, role))
    outsider = role in ("anonymous", "other_member")
    changes = []
    for rule in rules("POST"):
        public, private = (build_url(rule, ctx) for ctx in contexts(world)[:2])
        hostile = [u for u in hostile_urls(rule, contexts(world)[0]) if str(2**63) in u or "%00" in u]
        before = snapshot(db) if outsider else None
        for url in sorted({private, *hostile}) + [public]:
            for body in ({}, WRONG_TYPES):
                resp = sweep.send("POST", url, rule.endpoint, data=body)
        if resp is not None and outcome(resp) not in REFUSED:
            sweep.send("POST", public, rule.endpoint, data=HUGE)
        if outsider and (tables := changed_tables(before, snapshot(db))):
            changes.append(f"POST {rule.rule} changed {tables}")
    assert not sweep.failures, "\n".join(sweep.failures)
    assert not changes, "\n".join(changes)


# --- targeted rules -------------------------------------------------------------------------------------


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


def jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records).encode()


GOOD_ROW = {"kind": "achievement", "ref": "HOSTILE-1", "org": "内蒙古测试大学", "org_type": "高校",
            "title": "稀土永磁技术", "keywords": "稀土", "industry": "C32", "region": "150200", "summary": "简介",
            "trl": 6}  # fmt: skip
CSV_HEADER = "kind,ref,org,org_type,title,keywords,industry,region,summary,trl\n"


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def broken_xlsx() -> bytes:
    """A real workbook whose sheet XML has been cut in half."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([list(GOOD_ROW), list(GOOD_ROW.values())])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


MALFORMED_IMPORTS = {
    "nul-escape.jsonl": jsonl({**GOOD_ROW, "title": "稀土\u0000永磁"}),
    "nul-late.csv": (CSV_HEADER + "achievement,R-2,内蒙古测试大学,高校,稀土,稀土,C32,150200,简介,99\n" * 60
                     + "achievement,R-3,内蒙古测试大学,高校,稀\x00土,稀土,C32,150200,简介,6\n").encode(),
    "types.jsonl": jsonl([1, 2], 42, "null", '"text"', {**GOOD_ROW, "title": {"a": 1}, "trl": [6], "keywords": {"x": 1}},
                         {**GOOD_ROW, "ref": "H-2", "trl": "1e999"}, '{"kind": "achievement", "trl": 1e999}',
                         {**GOOD_ROW, "ref": "H-3", "deadline": 20250101, "kind": "need", "budget_wan": "NaN"}),
    "huge.csv": (CSV_HEADER + "achievement,R-4,内蒙古测试大学,高校," + "长" * 100_000 + ",稀土,C32,150200,简介,6\n").encode(),
    "wide.csv": (CSV_HEADER + ",".join(["x"] * 5000) + "\n" + "achievement\n" + '"unclosed,\n').encode(),
    "header-only.csv": CSV_HEADER.encode(),
    "no-header.csv": b"\n\n\n",
    "duplicate-columns.csv": b"title,title,kind\nA,B,achievement\n",
    "not-a-workbook.xlsx": b"PK\x03\x04" + b"\x00" * 200,
    "broken-sheet.xlsx": broken_xlsx(),
    "odd-cells.xlsx": xlsx([list(GOOD_ROW), ["achievement", "H-5", "=1+1", True, 3.5, None, date(2025, 1, 1), 150200, None, 99]]),
}  # fmt: skip


@pytest.mark.parametrize("name", MALFORMED_IMPORTS)
def test_a_malformed_import_file_gets_a_clear_message_and_imports_nothing_bad(client, db, world, name, tmp_path):
    current_app.config["IMPORT_DIR"] = str(tmp_path)
    before = snapshot(db)
    sweep = Sweep(client, db, world.platform_admin)
    data = {"file": (io.BytesIO(MALFORMED_IMPORTS[name]), name)}
    sweep.send("POST", "/admin/import", "admin.import_start", data=data, content_type="multipart/form-data")
    preview = sweep.send("GET", "/admin/import/preview", "admin.import_preview")
    sweep.send("POST", "/admin/import/confirm", "admin.import_confirm", data={"publish": "y", "skip_invalid": "y"})
    assert not sweep.failures, "\n".join(sweep.failures)
    assert preview is not None and preview.status_code in (200, 302)
    titles = db.session.scalars(sa.select(Posting.title)).all()
    assert not any("\x00" in t or len(t) > 200 for t in titles)
    assert changed_tables(before, snapshot(db)) == []


# --- double submit ----------------------------------------------------------------------------------------


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


REGISTRATION = {
    "name": "内蒙古双击测试科技有限公司",
    "org_type": "sme",
    "credit_code": make_credit_code(777),
    "region": "150200",
    "industry": "C32",
    "contact_name": "王经理",
    "contact_phone": "0472-5123456",
    "user_name": "王五",
    "email": "double@example.cn",
    "password": "grassland-2025",
    "confirm": "grassland-2025",
}


def test_registering_twice_creates_one_organisation_and_says_why_the_second_is_refused(app, db):
    first = app.test_client()
    assert first.post("/auth/register", data=REGISTRATION).status_code == 302
    assert first.post("/auth/register", data=REGISTRATION).status_code == 302  # already signed in: sent on
    again = app.test_client().post("/auth/register", data=REGISTRATION)  # the same form from a lost session
    assert again.status_code == 200 and "已被注册" in again.text
    assert count(db, Organization) == 1 and count(db, User) == 1


def test_the_same_new_posting_form_posted_twice_saves_one_draft(client, db, world):
    as_user(client, world.a_admin)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', client.get("/postings/need/new").text)
    body = {"form_token": token.group(1), "title": "双击需求", "keywords": "稀土", "industry": "C32",
            "region": "150200", "description": "描述"}  # fmt: skip
    first = client.post("/postings/need/new", data=body)
    second = client.post("/postings/need/new", data=body, follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "请勿重复提交" in second.text
    assert count(db, Posting, Posting.title == "双击需求") == 1


def test_inviting_the_same_colleague_twice_leaves_one_open_invitation(client, db, world):
    as_user(client, world.a_admin)
    for _ in range(2):
        assert client.post("/orgs/mine/invitations", data={"email": "twice@example.cn"}).status_code == 302
    assert count(db, Invitation, Invitation.email == "twice@example.cn") == 1


def test_registering_the_same_tier_twice_keeps_one_record_with_a_clear_message(client, db, world):
    as_user(client, world.a_admin)
    body = {"tier": "innovative", "year": "2024"}
    assert client.post("/orgs/mine/tiers", data=body).status_code == 302
    second = client.post("/orgs/mine/tiers", data=body)
    assert second.status_code == 422 and "2024 年的“创新型中小企业”已登记" in second.text
    assert count(db, TierRecord, TierRecord.org_id == world.org_a.id, TierRecord.year == 2024) == 1


def test_creating_the_same_annual_list_twice_keeps_one_with_a_clear_message(client, db, world):
    as_user(client, world.platform_admin)
    body = {"title": "2026年双击清单", "kind": "need", "year": "2025"}
    assert client.post("/lists/new", data=body).status_code == 302
    second = client.post("/lists/new", data=body, follow_redirects=True)
    assert "已有名为“2026年双击清单”的清单" in second.text
    assert count(db, CatalogList, CatalogList.title == "2026年双击清单") == 1


def test_status_buttons_pressed_twice_move_once_and_explain_the_second_press(client, db, world):
    draft, submitted = world.postings[K.ACHIEVEMENT, S.DRAFT], world.postings[K.NEED, S.SUBMITTED]
    as_user(client, world.a_admin)
    for _ in range(2):
        client.post(f"/postings/achievement/{draft.id}/submit")
    as_user(client, world.platform_admin)
    client.post(f"/postings/need/{submitted.id}/approve")
    again = client.post(f"/postings/need/{submitted.id}/approve", follow_redirects=True)
    assert "不能审核通过" in again.text
    client.post(f"/orgs/admin/{world.org_pending.id}/verify")
    again = client.post(f"/orgs/admin/{world.org_pending.id}/verify", follow_redirects=True)
    assert "已不在待认证队列中" in again.text
    for entity, entity_id in [("posting", draft.id), ("posting", submitted.id), ("organization", world.org_pending.id)]:
        assert count(db, StatusChange, StatusChange.entity_type == entity, StatusChange.entity_id == entity_id) == 1
