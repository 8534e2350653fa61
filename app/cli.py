"""CLI groups, one per feature package. Each command calls services and commits once.

Imported inside register_cli for the reason given in app/__init__.py: the factory wires, importing does not."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.demo.cli import demo_cli
    from app.jobs_cli import jobs_cli
    from app.matching.cli import drain_command, matching_cli
    from app.policies.cli import policy_cli
    from app.postings.cli import catalog_cli
    from app.search.cli import search_cli

    search_cli.add_command(drain_command)  # the drain ends with the matches' recompute (app/matching/jobs.py)
    for group in (users_cli, catalog_cli, demo_cli, search_cli, matching_cli, jobs_cli, policy_cli):
        app.cli.add_command(group)
