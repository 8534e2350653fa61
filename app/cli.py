"""CLI groups. Each command calls services and commits once."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    pass
