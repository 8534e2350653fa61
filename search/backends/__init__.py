"""Search backends behind one interface (base.SearchBackend); `create_backend` picks one."""

from __future__ import annotations

from pathlib import Path

from search.analysis import Analyzer
from search.backends.base import EngineUnavailable, Hit, IndexReport, SearchBackend, SearchResult
from search.mappings import DEFAULT_PREFIX

BACKENDS = ("embedded", "opensearch", "elasticsearch")


def create_backend(
    name: str,
    *,
    url: str | None = None,
    path: str | Path | None = None,
    analyzer: Analyzer | None = None,
    prefix: str = DEFAULT_PREFIX,
    **options,
) -> SearchBackend:
    """SEARCH_BACKEND → a backend: embedded needs `path`, the engines need `url`."""
    if name == "embedded":
        if not path:
            raise ValueError("the embedded backend needs a database file path")
        from search.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(path, analyzer=analyzer, prefix=prefix)
    if name in ("opensearch", "elasticsearch"):
        if not url:
            raise ValueError(f"the {name} backend needs SEARCH_URL")
        if name == "opensearch":
            from search.backends.opensearch import OpenSearchBackend as Backend
        else:
            from search.backends.elasticsearch import ElasticsearchBackend as Backend
        return Backend(url, analyzer=analyzer, prefix=prefix, **options)
    raise ValueError(f"unknown search backend {name!r}; choose one of {', '.join(BACKENDS)}")


__all__ = [
    "BACKENDS",
    "EngineUnavailable",
    "Hit",
    "IndexReport",
    "SearchBackend",
    "SearchResult",
    "create_backend",
]
