"""The README's 生产部署 section stays what the deployment smoke test can run (tests/deploy/run.sh, in CI), and
its example environment file is one that production accepts once a real SECRET_KEY is filled in."""

from __future__ import annotations

import secrets

from config import ProductionConfig
from tests.deploy.readme import Places, env_example, script, unit_command

PLACES = Places(env_file="/srv/smoke/lianqiao.env", root="/srv/smoke/app", backups="/srv/smoke/bak", port=8123)


def test_the_example_environment_file_satisfies_production_once_the_secret_key_is_filled_in(monkeypatch):
    example = env_example()
    assert example["APP_ENV"] == "production"
    for name, value in example.items():
        monkeypatch.setenv(name, value)
    assert any("SECRET_KEY" in problem for problem in ProductionConfig.problems())  # the placeholder is refused
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    assert ProductionConfig.problems() == []


def test_the_production_shape_is_four_gunicorn_workers_and_one_jobs_process_from_the_environment_file():
    web, jobs = unit_command("web", PLACES), unit_command("jobs", PLACES)
    assert web.startswith("cd /srv/smoke/app && set -a && . /srv/smoke/lianqiao.env && set +a && ")
    assert web.endswith("exec /srv/smoke/app/.venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8123 wsgi:app")
    assert "export FLASK_APP=wsgi" in jobs
    assert jobs.endswith("exec /srv/smoke/app/.venv/bin/flask jobs run")


def test_install_creates_the_schema_and_the_first_admin_without_demo_data():
    install = script("install", PLACES).splitlines()
    assert ".venv/bin/flask db upgrade" in install
    assert any(line.startswith(".venv/bin/flask users create-admin ") for line in install)
    assert not any("demo" in line for line in install)
    assert "set -a && . /srv/smoke/lianqiao.env && set +a" in install


def test_backup_and_restore_dump_restore_and_reindex_in_the_test_s_folder():
    backup, restore = script("backup", PLACES), script("restore", PLACES)
    assert "pg_dump --format=custom --file=/srv/smoke/bak/lianqiao.dump" in backup
    assert "/srv/smoke/bak/lianqiao.dump" in restore and "pg_restore" in restore
    assert restore.splitlines()[-2:] == [".venv/bin/flask search reindex", ".venv/bin/flask search status"]
