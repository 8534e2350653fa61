"""Test fixtures: an app per test on a schema built once per session.

DATABASE_URL chooses the database (SQLite temp file by default; PostgreSQL in CI's second run).
Markers: pg (needs PostgreSQL), engine (needs a search engine), browser (needs Chromium), slow.
With REQUIRE_ALL=1 a missing dependency fails the test instead of skipping it.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import g, request_started

os.environ.setdefault("APP_ENV", "testing")

from app import create_app  # noqa: E402
from app.auth.sessions import SESSION_VERSION_KEY  # noqa: E402
from app.extensions import db as _db  # noqa: E402

REQUIRE_ALL = os.environ.get("REQUIRE_ALL") == "1"
# Every test but the browser ones starts its clock here (and lets it run): the fixed event days, deadlines
# and "09:12" check-ins written into the tests stay in the future they were written for, whatever the
# date CI runs on. Chromium keeps the real clock, so tests/e2e/ do too. All times come from Python
# (no database-side now()), so the database agrees with the frozen clock.
TEST_CLOCK = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture(autouse=True)
def _test_clock(request):
    if "e2e" in request.node.nodeid.split("::")[0].split("/"):
        yield
        return
    with time_machine.travel(TEST_CLOCK, tick=True):
        yield


@pytest.fixture(autouse=True)
def _process_state_restored():
    """What a test may change for the whole process is put back after it: the apps' shared logger level (the
    benchmark helpers quieten it to WARNING, which would hide the INFO lines later tests read, e.g. the mail a
    development app prints) and INSTANCE_PATH."""
    logger = logging.getLogger("app")
    level, instance = logger.level, os.environ.get("INSTANCE_PATH")
    yield
    logger.setLevel(level)
    if instance is None:
        os.environ.pop("INSTANCE_PATH", None)
    else:
        os.environ["INSTANCE_PATH"] = instance


def missing(reason: str):
    """Skip, or fail when CI demands every dependency be present."""
    if REQUIRE_ALL:
        pytest.fail(f"REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _database_url(tmp_root) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_root / 'test.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("db")
    url = _database_url(root)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url} if not os.environ.get("DATABASE_URL") else None)
    with app.app_context():
        if is_postgres(url):
            # Start from an empty schema: tables left by an older checkout would block drop_all.
            with _db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def upload_dir(tmp_path):
    path = tmp_path / "uploads"
    path.mkdir()
    return path


@pytest.fixture
def make_app(database_url, upload_dir):
    """Build an app with config overrides; every table is emptied after the test."""
    apps = []

    def factory(**overrides):
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(upload_dir)}
        config.update(overrides)
        app = create_app(config)
        # The `app` fixture keeps one app context for the whole test, so every request shares `g`;
        # forget Flask-Login's cached user so each request loads it from its own session cookie.
        request_started.connect(_forget_cached_user, app)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
    if apps:
        _truncate_all(apps[0])
    shutil.rmtree(upload_dir, ignore_errors=True)


def _forget_cached_user(sender, **extra) -> None:
    g.pop("_login_user", None)


def _truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(sa.text(f'DELETE FROM "{t}"'))
        _db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login_as(client, user) -> None:
    """Log a user in without going through the login form (that form has its own tests): the session
    app.auth.sessions.sign_in makes."""
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
        sess[SESSION_VERSION_KEY] = user.session_version or 0


def as_user(client, user):
    """The client signed in as `user`, or signed out for None."""
    with client.session_transaction() as sess:
        sess.clear()
    if user is not None:
        login_as(client, user)
    return client


@pytest.fixture
def login(client):
    def do(user):
        login_as(client, user)
        return client

    return do


def race(app, work, n: int = 2) -> list:
    """Run `work(i)` in n threads at once, each with its own app context and database session."""
    barrier = threading.Barrier(n)

    def one(i):
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def pytest_runtest_setup(item):
    if "pg" in item.keywords and not is_postgres(os.environ.get("DATABASE_URL", "")):
        missing("this test needs PostgreSQL (set DATABASE_URL=postgresql://…)")
