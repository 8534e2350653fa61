"""Web fixtures: the world of organisations, users and postings the access tests also use."""

from __future__ import annotations

import pytest

from tests.web.world import World, build_world


@pytest.fixture
def world(db, monkeypatch) -> World:
    return build_world(monkeypatch)
