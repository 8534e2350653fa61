"""`search_app`: the test app on the embedded index, and (marked `engine`) on OpenSearch at SEARCH_URL
(`make engine`) under its own index prefix, with the embedded index as its fallback; skipped without an engine,
failing under REQUIRE_ALL=1."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import missing

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


@pytest.fixture(params=["embedded", pytest.param("opensearch", marks=pytest.mark.engine)])
def search_app(request, make_app, db):
    if request.param == "embedded":
        yield request.getfixturevalue("app")
        return
    from search.backends.opensearch import OpenSearchBackend

    if not OpenSearchBackend(SEARCH_URL).ping():
        missing(f"no search engine at SEARCH_URL={SEARCH_URL} (start one with `make engine`)")
    app = make_app(
        SEARCH_BACKEND="opensearch",
        SEARCH_URL=SEARCH_URL,
        SEARCH_PREFIX=f"lqpol-{uuid.uuid4().hex[:8]}",
        SEARCH_TIMEOUT=5,
        SEARCH_RETRY_SECONDS=0,
    )
    with app.app_context():
        yield app
        for backend in app.extensions["search"].backends:
            backend.drop_all()
            backend.close()
