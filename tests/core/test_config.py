"""Configuration rules: settings come from the environment an app starts in, and production refuses to start
without a real SECRET_KEY, a PostgreSQL DATABASE_URL and an https SITE_URL, with Secure cookies."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from config import DEV_SECRET_KEY, DevelopmentConfig, ProductionConfig

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgresql://lianqiao:secret@127.0.0.1:5432/lianqiao"
SITE = "https://lianqiao.example.gov.cn"


def production_env(**changes: str | None) -> dict[str, str]:
    """A complete production environment, then `changes` (None removes a variable)."""
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": PG_URL,
        "SITE_URL": SITE,
        "SEARCH_BACKEND": "embedded",
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


@pytest.fixture
def production(monkeypatch, tmp_path):
    """Set a production environment in this process, as an operator's environment file would."""

    def apply(**changes: str | None) -> None:
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
        for name in ("SECRET_KEY", "DATABASE_URL", "SITE_URL", "SEARCH_BACKEND"):
            monkeypatch.delenv(name, raising=False)
        for name, value in production_env(**changes).items():
            monkeypatch.setenv(name, value)

    return apply


def start_wsgi(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`import wsgi` (what gunicorn does) in a fresh interpreter whose environment is set before config.py loads."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "SITE_URL", "APP_ENV")}
    code = "import wsgi; c = wsgi.app.config; print(c['APP_ENV'], c['SESSION_COOKIE_SECURE'], c['SECRET_KEY'])"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "INSTANCE_PATH": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_starts_when_the_environment_is_set_before_config_is_imported(tmp_path):
    env = production_env()
    started = start_wsgi(tmp_path, env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["production", "True", env["SECRET_KEY"]]


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET_KEY, "short-but-not-empty"])
def test_production_refuses_a_missing_development_or_short_secret_key_in_a_fresh_process(tmp_path, secret):
    refused = start_wsgi(tmp_path, production_env(SECRET_KEY=secret))
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    assert "DATABASE_URL" not in refused.stderr.splitlines()[-1]  # only what is actually wrong is named


def test_production_refuses_to_start_without_secret_key(production):
    production(SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_the_development_secret_key(production):
    production(SECRET_KEY=DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_on_sqlite_for_a_small_site_and_warns(production, tmp_path, caplog):
    production(DATABASE_URL=f"sqlite:///{tmp_path / 'small.db'}")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    assert "SQLite" in caplog.text


@pytest.mark.parametrize("site", [None, "", "http://lianqiao.example.gov.cn", "lianqiao.example.gov.cn"])
def test_production_requires_an_https_site_url(production, site):
    production(SITE_URL=site)
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app("production")


def test_production_names_every_missing_setting_at_once(production):
    production(SECRET_KEY=None, SITE_URL=None)
    with pytest.raises(RuntimeError) as refused:
        create_app("production")
    assert all(name in str(refused.value) for name in ("SECRET_KEY", "SITE_URL"))


def test_production_cookies_are_secure(production, monkeypatch):
    production()
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")  # not a setting: production cookies are always Secure
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == PG_URL.replace("postgresql://", "postgresql+psycopg://")
    assert app.config["MAX_CONTENT_LENGTH"] > 0
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() > 0


def test_settings_are_read_when_an_app_is_created_not_when_config_is_imported(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SITE_URL", "https://first.example.cn")
    monkeypatch.setenv("SESSION_HOURS", "3")
    first = create_app(DevelopmentConfig)
    monkeypatch.setenv("SITE_URL", "https://second.example.cn")
    monkeypatch.delenv("SESSION_HOURS")
    second = create_app(DevelopmentConfig)
    assert first.config["SITE_URL"] == "https://first.example.cn"
    assert first.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 3 * 3600
    assert second.config["SITE_URL"] == "https://second.example.cn"
    assert second.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    assert second.config["UPLOAD_DIR"] == str(tmp_path / "uploads")


def test_development_needs_no_settings(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(DevelopmentConfig)
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lianqiao.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is False
