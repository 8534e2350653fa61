"""Every POST needs a CSRF token, login/registration/reset are rate limited, and production cookies are secure."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import current_app, g

from app.extensions import db as _db
from tests.conftest import as_user
from tests.factories import PASSWORD
from tests.web.world import (
    build_url,
    build_world,
    changed_tables,
    contexts,
    get_rules,
    snapshot,
)

# A body that would succeed on most POST routes, so a missing token is the only reason to refuse it.
PLAUSIBLE = {
    "email": "new-colleague@example.cn",
    "password": "grassland-2025",
    "role": "admin",
    "reason": "材料不全",
    "ids": ["1", "2"],
    "org_id": ["1", "2", "3"],
    "title": "新清单",
    "kind": "achievement",
    "year": "2025",
    "tier": "innovative",
}


def post_rules() -> list:
    return sorted((r for r in current_app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule)


def test_every_post_route_without_a_csrf_token_is_400_in_chinese_and_changes_nothing(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = build_world(monkeypatch)
        client = app.test_client()
        before = snapshot(_db)
        wrong = []
        for rule in post_rules():
            for user, ctx in [(world.a_admin, contexts(world)[1]), (world.platform_admin, contexts(world)[0])]:
                url = build_url(rule, ctx)
                resp = as_user(client, user).post(url, data=PLAUSIBLE)
                if resp.status_code != 400 or "页面已过期或缺少安全校验（CSRF）" not in resp.text:
                    wrong.append(f"POST {url}: {resp.status_code}")
        assert wrong == []
        assert changed_tables(before, snapshot(_db)) == []


class FormParser(HTMLParser):
    """Collects each <form>: its method, action and the names and values of its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "inputs": {}}
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"][attrs["name"]] = attrs.get("value") or ""


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


def test_every_rendered_post_form_carries_a_csrf_token_that_is_accepted(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = build_world(monkeypatch)
        client = app.test_client()
        forms, missing = 0, []
        for user in (None, world.a_admin, world.platform_admin):
            for url in sorted({build_url(rule, ctx) for rule in get_rules() for ctx in contexts(world)[:2]}):
                resp = as_user(client, user).get(url)
                if resp.status_code != 200 or resp.mimetype != "text/html":
                    continue
                for form in post_forms(resp.text):
                    forms += 1
                    if not form["inputs"].get("csrf_token"):
                        missing.append(f"{user} {url}: form → {form['action']}")
        assert missing == []
        assert forms > 30
        g.pop("csrf_token", None)  # this test's one app context keeps `g` across requests; a new visitor has none
        token = post_forms(as_user(client, None).get("/auth/login").text)[0]["inputs"]["csrf_token"]
        resp = client.post(
            "/auth/login", data={"csrf_token": token, "email": world.a_admin.email, "password": PASSWORD}
        )
        assert resp.status_code == 302


def test_every_post_form_in_the_templates_includes_a_csrf_token():
    templates = Path(__file__).resolve().parent.parent / "templates"
    missing = []
    for path in sorted(templates.rglob("*.html")):
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", path.read_text(), re.S | re.I):
            if "csrf_token()" not in form and "hidden_tag()" not in form:
                missing.append(f"{path.relative_to(templates)}: {form[:80]}")
    assert missing == []


# --- rate limits and cookies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, setting, says",
    [
        ("/auth/login", "LOGIN_IP_FAILURE_LIMIT", "登录失败次数过多，请稍后再试"),  # failed logins only
        ("/auth/register", "REGISTER_RATE_LIMIT", "操作过于频繁"),
        ("/auth/reset", "RESET_RATE_LIMIT", "操作过于频繁"),
    ],
)
def test_login_registration_and_reset_posts_get_a_chinese_429_after_the_configured_limit(make_app, url, setting, says):
    app = make_app(RATELIMIT_ENABLED=True, **{setting: "3 per minute"})
    client = app.test_client()
    body = {"email": "someone@example.cn", "password": "wrong-password-1"}
    for _ in range(3):
        assert client.post(url, data=body).status_code < 429
    limited = client.post(url, data=body)
    assert limited.status_code == 429
    assert says in limited.text and "稍" in limited.text
    assert client.get(url).status_code == 200  # reading the page is not limited
    other_client = client.post(url, data=body, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_client.status_code < 429  # the limit is per client address


def test_in_production_the_session_cookie_is_sent_secure_http_only_and_same_site(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-of-at-least-32-characters")
    # What production requires to start (config.ProductionConfig); make_app then points it at the test database.
    monkeypatch.setenv("DATABASE_URL", "postgresql://lianqiao@127.0.0.1:5432/lianqiao")
    monkeypatch.setenv("SITE_URL", "https://lianqiao.example.gov.cn")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = make_app()

    cookie = app.test_client().get("/auth/login").headers["Set-Cookie"]  # the CSRF token lives in the session

    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
