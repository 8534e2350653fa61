"""Setup rules: the schema comes only from migrations (production settings: tests/core/test_config.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def _flask(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "APP_ENV": "development", "FLASK_APP": "wsgi", **env_extra}
    env.pop("DATABASE_URL", None)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _assert_migrations_build_the_models(url: str, tmp_path) -> None:
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)}
    up = _flask(env, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    check = _flask(env, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    down = _flask(env, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr


def test_migrations_build_the_schema_on_empty_sqlite(tmp_path):
    _assert_migrations_build_the_models(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)


@pytest.mark.pg
def test_migrations_build_the_schema_on_empty_postgresql(tmp_path):
    base = os.environ.get("MIGRATE_TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    # A schema of our own inside the database, so this never touches the tables other tests use.
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    url = base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base else "?"
        _assert_migrations_build_the_models(f"{base}{sep}options=-csearch_path%3D{schema}", tmp_path)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
