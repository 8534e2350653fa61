"""The security headers (app/core/headers.py): the policy and headers on every answer; production sends HSTS
on https answers and, behind a TLS proxy (PROXY_HOPS), sends plain http to https (the health probe excepted);
development and testing serve plain http on localhost with neither. Every page's lack of inline code is
tests/web/test_csp_pages.py."""

from __future__ import annotations

import pytest

HSTS = "Strict-Transport-Security"
HTTP, HTTPS = "http://localhost", "https://localhost"  # production test clients default to https


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_the_policy_allows_scripts_and_styles_from_this_site_only(client):
    policy = directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]


def test_every_answer_has_the_security_headers(client):
    for url in ("/", "/static/app.css", "/healthz", "/no-such-page"):
        headers = client.get(url).headers
        assert "Content-Security-Policy" in headers, url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=(self)" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]


@pytest.fixture
def production(make_app, monkeypatch, tmp_path):
    """A production app (its settings from the environment, as on a server); extra settings as overrides."""
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("SITE_URL", "https://lianqiao.example.cn")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setattr("config.ProductionConfig.validate", classmethod(lambda cls: None))  # SQLite is fine here
    return make_app


def test_production_sends_hsts_on_https_answers_for_a_year_without_subdomains(production):
    client = production().test_client()
    assert client.get("/healthz", base_url=HTTPS).headers[HSTS] == "max-age=31536000"
    assert HSTS not in client.get("/healthz", base_url=HTTP).headers  # browsers ignore HSTS over http; none is sent


def test_behind_a_proxy_production_redirects_http_to_https_and_trusts_the_proxys_scheme(production):
    client = production(PROXY_HOPS=1).test_client()
    plain = client.get("/auth/login", base_url=HTTP)
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://localhost/auth/login")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"}
    proxied = client.get("/auth/login", base_url=HTTP, headers=forwarded)
    assert proxied.status_code == 200 and proxied.headers[HSTS] == "max-age=31536000"
    assert client.get("/healthz", base_url=HTTP).status_code == 200  # the load balancer's probe speaks plain http


def test_without_a_proxy_production_answers_http_rather_than_loop_and_force_https_can_be_set(production):
    assert production().test_client().get("/auth/login", base_url=HTTP).status_code == 200
    forced = production(FORCE_HTTPS=True).test_client().get("/auth/login", base_url=HTTP)
    assert forced.status_code == 302
    no_hsts = production(HSTS_SECONDS=0).test_client().get("/healthz", base_url=HTTPS)
    assert HSTS not in no_hsts.headers


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_and_testing_send_no_hsts_and_never_redirect(make_app, monkeypatch, env):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("FORCE_HTTPS", "1")
    monkeypatch.setenv("HSTS_SECONDS", "31536000")
    client = make_app(PROXY_HOPS=1).test_client()
    for base_url in (HTTP, HTTPS):
        resp = client.get("/auth/login", base_url=base_url)
        assert resp.status_code == 200 and HSTS not in resp.headers
        assert "Content-Security-Policy" in resp.headers


def test_testing_never_redirects_even_when_told_to(make_app):
    assert make_app(FORCE_HTTPS=True).test_client().get("/auth/login", base_url=HTTP).status_code == 200
