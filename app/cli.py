"""CLI groups, one per feature package. Each command calls services and commits once."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.core.jobs_cli import jobs_cli
    from app.demo.cli import demo_cli
    from app.matching.cli import matching_cli, search_cli
    from app.postings.cli import catalog_cli

    for group in (users_cli, catalog_cli, demo_cli, search_cli, matching_cli, jobs_cli):
        app.cli.add_command(group)
