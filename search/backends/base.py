"""The one interface every search backend implements, and the result types it returns.

Writes are versioned like an engine's `version_type=external_gte`: a document is stored only if
its version is at least the stored one, so a late, older update never overwrites a newer one and
re-sending the same version (an outbox drained twice) is harmless. Deleting with a version leaves
a tombstone for as long as the engine keeps one (OpenSearch/Elasticsearch: `index.gc_deletes`,
60 s by default); the app should rather index the posting's new status, which never expires.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from search.analysis import Analyzer, default_analyzer
from search.documents import INDEX_KINDS, PostingDocument, prepare_document
from search.mappings import DEFAULT_PREFIX
from search.query import MAX_WINDOW, Filters, QueryPlan, SearchRequest, plan_search


class EngineUnavailable(RuntimeError):
    """The engine cannot be reached or is not ready; callers fall back or retry later."""


@dataclass
class Hit:
    id: int
    kind: str
    score: float
    highlights: dict[str, list[str]]  # "title"/"body" → HTML-escaped fragments with <mark>
    source: dict[str, Any]


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[Any, int]]]  # facet → [(value, count)], most frequent first
    page: int
    per_page: int
    truncated: bool = False
    match_all: bool = False
    relaxed: bool = False
    page_clamped: bool = False

    @classmethod
    def for_plan(cls, plan: QueryPlan, total: int, hits: list[Hit], facets: dict) -> SearchResult:
        return cls(
            total=total,
            hits=hits,
            facets=facets,
            page=plan.page,
            per_page=plan.per_page,
            truncated=plan.truncated,
            match_all=plan.match_all,
            relaxed=plan.relaxed,
            page_clamped=plan.page_clamped,
        )

    @property
    def pages(self) -> int:
        """Pages reachable by paging (the window stops at MAX_WINDOW results)."""
        return max(1, math.ceil(min(self.total, MAX_WINDOW) / self.per_page))

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.hits]


@dataclass
class IndexReport:
    indexed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # a newer (or equal-but-newer) version is stored
    failed: dict[int, str] = field(default_factory=dict)

    def merge(self, other: IndexReport) -> None:
        self.indexed += other.indexed
        self.skipped += other.skipped
        self.failed.update(other.failed)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class SearchBackend(ABC):
    """Index postings (plain dicts) and answer `SearchRequest`s.

    One index per posting kind behind an alias (`<prefix>-<kind>`); `reindex` rebuilds a kind
    into a new index while the old one keeps answering, then swaps the alias.
    """

    name = "base"

    def __init__(self, analyzer: Analyzer | None = None, prefix: str = DEFAULT_PREFIX) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.prefix = prefix

    # -- reading --------------------------------------------------------------------------

    def plan(self, request: SearchRequest) -> QueryPlan:
        return plan_search(request, self.analyzer)

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a request; when all-terms finds nothing, retry once with any-term (`relaxed`)."""
        plan = self.plan(request)
        result = self.execute(plan)
        if result.total == 0 and plan.can_relax:
            result = self.execute(plan.relax())
        return result

    @abstractmethod
    def execute(self, plan: QueryPlan) -> SearchResult: ...

    @abstractmethod
    def count(self, kind: str | None = None, searchable: bool = False, today: date | None = None) -> int:
        """Documents stored (or, with searchable, published and unexpired on `today`)."""

    @abstractmethod
    def versions(self, kind: str) -> dict[int, int]:
        """id → version of every document stored for a kind (for DB/index reconciliation)."""

    @abstractmethod
    def get(self, kind: str, doc_id: int) -> dict | None: ...

    # -- vectors ----------------------------------------------------------------------------

    @property
    def supports_vectors(self) -> bool:
        """Whether `vector_search` works here: the engine searches the documents' `vector` field.

        False for the embedded index and for engines without vector search; the app then searches
        its own numpy matrix (search/vectors.py). Never raises.
        """
        return False

    def vector_search(self, kind: str, vector, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """The k documents of a kind nearest to `vector` that pass `filters`: [(id, cosine)], best
        first, ties by id, like VectorStore.search. Only where `supports_vectors`."""
        raise NotImplementedError(f"the {self.name} backend has no vector search")

    # -- processes ------------------------------------------------------------------------

    @property
    def fork_safe(self) -> bool:
        """Whether a forked child can get connections of its own (after_fork)."""
        return True

    def before_fork(self) -> None:
        """Close what a forked child must not share (connections); they reopen when next used."""
        return None

    def after_fork(self) -> None:
        """In a forked child: replace what was inherited from the parent (an HTTP client's sockets)."""
        return None

    # -- writing --------------------------------------------------------------------------

    @abstractmethod
    def ensure_indices(self) -> None:
        """Create any missing index and alias; existing ones are left alone."""

    def prepare(self, docs: Iterable[PostingDocument | dict]) -> list[dict]:
        return [prepare_document(doc, self.analyzer) for doc in docs]

    def index_many(self, docs: Iterable[PostingDocument | dict], refresh: bool = False) -> IndexReport:
        """Store documents unless a newer version is already stored (see IndexReport.skipped).

        Several versions of one posting in the same call collapse to the newest.
        """
        newest: dict[tuple[str, int], dict] = {}
        for doc in self.prepare(docs):
            key = (doc["kind"], doc["id"])
            if key not in newest or doc["version"] >= newest[key]["version"]:
                newest[key] = doc
        return self._write_live(list(newest.values()), refresh)

    def index(self, doc: PostingDocument | dict, refresh: bool = False) -> IndexReport:
        return self.index_many([doc], refresh)

    @abstractmethod
    def _write_live(self, docs: list[dict], refresh: bool) -> IndexReport:
        """Write prepared docs to the live index of their kind and to a rebuild in progress."""

    @abstractmethod
    def delete(self, kind: str, doc_id: int, version: int | None = None) -> bool:
        """Remove a document; with a version, only if the stored one is not newer."""

    def reindex(
        self,
        kind: str,
        docs: Iterable[PostingDocument | dict],
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Rebuild one kind into a fresh index and swap the alias; returns the new index name.

        Searches keep reading the old index until the swap; writes made meanwhile through
        index_many/delete reach both indexes, so nothing done during the rebuild is lost.
        """
        if kind not in INDEX_KINDS:
            raise ValueError(f"unknown posting kind {kind!r}")
        target = self._begin_rebuild(kind)
        try:
            for batch in batched(docs, batch_size):
                prepared = self.prepare(batch)
                wrong = {d["kind"] for d in prepared} - {kind}
                if wrong:
                    raise ValueError(f"reindex of {kind} got documents of kind {', '.join(sorted(wrong))}")
                report = self._write_target(target, prepared)
                if report.failed:
                    raise RuntimeError(f"reindex of {kind} failed for {report.failed}")
                if progress:
                    progress(len(batch))
            self._finish_rebuild(kind, target)
        except BaseException:
            self._abort_rebuild(kind, target)
            raise
        return target

    @abstractmethod
    def _begin_rebuild(self, kind: str) -> str: ...

    @abstractmethod
    def _write_target(self, target: str, docs: list[dict]) -> IndexReport: ...

    @abstractmethod
    def _finish_rebuild(self, kind: str, target: str) -> None: ...

    @abstractmethod
    def _abort_rebuild(self, kind: str, target: str) -> None: ...

    # -- operations -----------------------------------------------------------------------

    @abstractmethod
    def health(self) -> dict:
        """{"backend", "ok", "status", "detail"}; never raises."""

    def ping(self) -> bool:
        return bool(self.health()["ok"])

    def refresh(self) -> None:
        """Make every write so far visible to search (engines refresh on their own each second)."""
        return None

    @abstractmethod
    def drop_all(self) -> None:
        """Delete every index and alias under this backend's prefix (tests, local resets)."""

    def close(self) -> None:
        """Release connections."""
        return None
