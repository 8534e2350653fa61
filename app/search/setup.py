"""Wiring the search layer into an app (called once by create_app)."""

from __future__ import annotations

from flask import Flask

from app.search.backend import build_service
from app.search.semantic import init_semantic
from app.search.sources import init_sources
from app.search.sync import install_inline_drain


def init_search(app: Flask) -> None:
    """The app's search service (app.extensions["search"]) and the drain after each committing request."""
    app.extensions["search"] = build_service(app)
    init_sources(app)
    init_semantic(app)
    install_inline_drain(app)
