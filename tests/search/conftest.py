"""The `backend` fixture: one index set per backend per module (embedded always; OpenSearch when
SEARCH_URL answers, `make engine`, skipped otherwise and failing under REQUIRE_ALL=1), dropped at the end."""

from __future__ import annotations

import pytest

from tests.search.corpus import build_backend


@pytest.fixture(scope="module", params=["embedded", pytest.param("opensearch", marks=pytest.mark.engine)])
def backend(request, tmp_path_factory):
    backend = build_backend(request.param, tmp_path_factory)
    yield backend
    backend.drop_all()
    backend.close()
