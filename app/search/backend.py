"""One search service per app (app.extensions["search"]): the configured backend plus the embedded
fallback that keeps pages working when the engine is down.

SEARCH_BACKEND=embedded (default): one SQLite FTS5 index under the instance folder, nothing else.
SEARCH_BACKEND=opensearch|elasticsearch: the engine at SEARCH_URL is the primary; the drain writes
every change to it AND to the embedded index, so when the engine cannot be reached, reading falls
back to an index that is as fresh as the outbox allows, with a notice on the page. After a failure
the engine is left alone for SEARCH_RETRY_SECONDS by pages and inline drains (a hung engine must not
slow every request); `flask search drain` always tries it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app

from app.search.dictionary import current_analyzer
from search import EngineUnavailable, SearchBackend, create_backend
from search.embedding import DIMS

log = logging.getLogger(__name__)
T = TypeVar("T")
INDEX_FILE = "lianqiao-search.db"


class SearchService:
    def __init__(self, primary: SearchBackend, fallback: SearchBackend | None, retry_seconds: float = 30) -> None:
        self.primary = primary
        self.fallback = fallback  # None when the primary is itself the embedded index
        self.retry_seconds = retry_seconds
        self.analyzer_cache: dict = {}
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def backends(self) -> list[SearchBackend]:
        """Every index the drain must keep current: the primary first."""
        return [self.primary] + ([self.fallback] if self.fallback else [])

    @property
    def local(self) -> SearchBackend:
        return self.fallback or self.primary

    def set_analyzer(self, analyzer) -> None:
        for backend in self.backends:
            backend.analyzer = analyzer

    # -- the engine's health, as seen by this process ----------------------------------------

    def primary_suspended(self) -> bool:
        return self.fallback is not None and time.monotonic() < self._down_until

    def mark_down(self, exc: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_seconds
        log.warning("search engine %s unavailable, using the embedded index: %s", self.primary.name, exc)

    def mark_up(self) -> None:
        with self._lock:
            self._down_until = 0.0

    # -- reading -----------------------------------------------------------------------------

    def read(self, run: Callable[[SearchBackend], T]) -> tuple[T, bool]:
        """Run a read on the primary, or on the embedded fallback; (result, fell_back)."""
        if self.fallback is None:
            return run(self.primary), False
        if not self.primary_suspended():
            try:
                return run(self.primary), False
            except EngineUnavailable as exc:
                self.mark_down(exc)
            except Exception as exc:  # a bad answer must not cost the user the page
                log.exception("search on %s failed; answering from the embedded index", self.primary.name)
                self.mark_down(exc)
        return run(self.fallback), True

    def close(self) -> None:
        for backend in self.backends:
            backend.close()


def _index_path(app: Flask) -> tuple[Path, str | None]:
    """The embedded index file, and a throwaway folder to remove with the service (tests)."""
    configured = app.config.get("SEARCH_INDEX_PATH")
    if configured:
        return Path(configured), None
    if app.testing:
        # Each test app gets its own index, never the developer's instance/search/.
        folder = tempfile.mkdtemp(prefix="lq-search-")
        return Path(folder) / INDEX_FILE, folder
    return Path(app.instance_path) / "search" / INDEX_FILE, None


def build_service(app: Flask) -> SearchService:
    name = (app.config.get("SEARCH_BACKEND") or "embedded").strip().lower()
    prefix = app.config.get("SEARCH_PREFIX") or "lianqiao"
    path, throwaway = _index_path(app)
    embedded = create_backend("embedded", path=path, prefix=prefix)
    if name == "embedded":
        service = SearchService(embedded, None)
    else:
        engine = create_backend(
            name,
            url=app.config.get("SEARCH_URL"),
            prefix=prefix,
            timeout=float(app.config.get("SEARCH_TIMEOUT", 5)),
            # New indexes map the vector field where the engine can search it (search/backends/rest.py).
            vector_dims=DIMS if app.config.get("EMBEDDINGS", True) else None,
        )
        service = SearchService(engine, embedded, float(app.config.get("SEARCH_RETRY_SECONDS", 30)))
    if throwaway:
        weakref.finalize(service, shutil.rmtree, throwaway, True)
    return service


def get_search() -> SearchService:
    """The app's search service, its analyzer brought up to date with the dictionary tables."""
    service: SearchService = current_app.extensions["search"]
    service.set_analyzer(current_analyzer(service.analyzer_cache))
    return service
