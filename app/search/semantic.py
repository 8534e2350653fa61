"""The search page's semantic side: what a typed text means, not only which words it shares.

A lay sentence ("车间粉尘太大，想找个靠谱的除尘方案") shares few words with the 成果 written for it. The
text is encoded once as an e5 query (an LRU cache per process keeps repeated searches from encoding
again) and compared with the postings' stored passage vectors: on the engine when it searches vectors
(with the page's filters applied during the walk), else on a numpy matrix kept per process and reloaded
when the vectors change, whose hits are then checked against the page's filters by the index itself.
Only hits at or above SEARCH_SEMANTIC_FLOOR count: a cosine under it is what unrelated text scores.
Policy items (the 惠企政策 tab) the same way, their vectors given by their IndexSource (policy_semantic_hits).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date

import numpy as np
import sqlalchemy as sa
from flask import Flask, current_app

from app.core.enums import PostingKind
from app.extensions import db
from app.search.backend import SearchService
from app.search.documents import searchable_clause
from app.search.embeddings import get_embedder, load_store
from app.search.models import PostingVector
from app.search.sources import source_of_kind
from search import SearchResult
from search.backends.base import Hit
from search.documents import POLICY_KIND
from search.fusion import fuse
from search.query import SearchRequest, plan_search
from search.vectors import VectorStore, from_bytes

log = logging.getLogger(__name__)
QUERY_CACHE_SIZE = 1024
CANDIDATES = 50
# e5 cosines of a typed text with postings sit in a narrow band (about 0.86–0.93 on the demo data): an
# unrelated posting scores 0.86–0.87, the one written for the text 0.89 and up. A hit counts at or above
# the floor and within WINDOW of the best hit (a very close best hit makes the loosely related ones noise).
DEFAULT_FLOOR = 0.88
WINDOW = 0.04
DEFAULT_ALPHA = 0.7
# Policy items (the 惠企政策 tab; their vectors encode the 事项 title): a lay question and the item written for it
# score 0.89–0.94 ("招博士有补贴吗" → 引进博士及高级职称人才安家补贴 0.920, "车间数字化改造有补贴吗" → 中小企业数字化
# 改造补助 0.924), an unrelated item up to 0.894 ("不裁员有什么补贴" → 人才生活补贴). Counted at or above the floor
# and within POLICY_WINDOW of the best item.
POLICY_FLOOR = 0.895
POLICY_WINDOW = 0.03


class QueryVectors:
    """An LRU cache of query vectors (one per app, shared by its threads)."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size, self._lock, self._cache = size, threading.Lock(), OrderedDict()
        self.hits = self.misses = 0

    def get(self, text: str) -> np.ndarray | None:
        embedder = get_embedder()
        if not embedder.available():
            return None
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
                self.hits += 1
                return vector
        vector = embedder.encode_query(text)
        with self._lock:
            self.misses += 1
            self._cache[text] = vector
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector


class StoreCache:
    """The searchable postings' current vectors as one numpy store per process, reloaded when the set of
    vectors changes (their count or latest computation) or the day does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._store: VectorStore | None = None

    def get(self, today: date) -> VectorStore:
        count, latest = db.session.execute(sa.select(sa.func.count(), sa.func.max(PostingVector.computed_at))).one()
        key = (count, latest, today)
        with self._lock:
            if key != self._key or self._store is None:
                self._store, self._key = load_store(list(PostingKind), searchable_clause(today)), key
            return self._store


def init_semantic(app: Flask) -> None:
    app.extensions["query_vectors"] = QueryVectors()
    app.extensions["vector_store"] = StoreCache()


def _floor() -> float:
    return float(current_app.config.get("SEARCH_SEMANTIC_FLOOR", DEFAULT_FLOOR))


def semantic_hits(
    service: SearchService, request: SearchRequest, passed: frozenset[int] = frozenset()
) -> list[tuple[int, float]]:
    """[(posting id, cosine)] of the postings nearest to the request's text that pass its filters, the
    floor and the window, best first; empty without a model, vectors or searchable text. Never raises.
    `passed`: ids already known to pass the request's filters (the page's lexical hits)."""
    text = " ".join(request.text.split())
    if not text:
        return []
    try:
        vector = current_app.extensions["query_vectors"].get(text)
        if vector is None:
            return []
        plan = plan_search(request, service.primary.analyzer)
        if not service.primary_suspended() and service.primary.supports_vectors:
            found = _engine_hits(service, plan.filters, vector)
        else:
            found = _numpy_hits(service, request, plan.filters.kinds, vector, passed)
    except Exception:  # noqa: BLE001 - the page still has its lexical results
        log.warning("semantic search failed; the page shows lexical results only", exc_info=True)
        return []
    if not found:
        return []
    floor = max(_floor(), found[0][1] - WINDOW)
    return [(pid, cosine) for pid, cosine in found if cosine >= floor]


def policy_semantic_hits(service: SearchService, request: SearchRequest) -> list[tuple[int, float]]:
    """[(item id, cosine)] of the policy items nearest to the request's text that pass its filters (the tab's
    facets, the 申报状态), POLICY_FLOOR and POLICY_WINDOW, best first; empty without a model, vectors or text.
    The vectors come from the items' IndexSource (few: compared in numpy, no engine k-NN). Never raises."""
    text = " ".join(request.text.split())
    source = source_of_kind(POLICY_KIND)
    if not text or source is None or source.vectors is None:
        return []
    try:
        vector = current_app.extensions["query_vectors"].get(text)
        stored = source.vectors(request.today) if vector is not None else {}
        if not stored:
            return []
        ids = list(stored)
        cosines = np.vstack([from_bytes(stored[i]) for i in ids]) @ vector
        found = sorted(zip(ids, (float(c) for c in cosines), strict=True), key=lambda hit: (-hit[1], hit[0]))
        floor = max(
            float(current_app.config.get("SEARCH_POLICY_SEMANTIC_FLOOR", POLICY_FLOOR)), found[0][1] - POLICY_WINDOW
        )
        found = [hit for hit in found[:CANDIDATES] if hit[1] >= floor]
        if not found:
            return []
        filtered = replace(
            request, text="", ids=tuple(i for i, _ in found), page=1, per_page=CANDIDATES, facets=False, highlight=False
        )
        passing, _ = service.read(lambda backend: backend.execute(backend.plan(filtered).candidates()))
    except Exception:  # noqa: BLE001 - the tab still has its lexical results
        log.warning("semantic policy search failed; the tab shows lexical results only", exc_info=True)
        return []
    allowed = set(passing.ids)
    return [hit for hit in found if hit[0] in allowed]


def _engine_hits(service: SearchService, filters, vector) -> list[tuple[int, float]]:
    found: list[tuple[int, float]] = []
    for kind in filters.kinds:
        found += service.primary.vector_search(kind, vector, CANDIDATES, filters)
    return sorted(found, key=lambda item: (-item[1], item[0]))[:CANDIDATES]


def _numpy_hits(
    service: SearchService, request: SearchRequest, kinds, vector, passed: frozenset[int]
) -> list[tuple[int, float]]:
    store = current_app.extensions["vector_store"].get(request.today)
    found: list[tuple[int, float]] = []
    for kind in kinds:
        found += store.search(kind, vector, CANDIDATES)
    # Under the floor a hit never counts (semantic_hits), whether or not it passes the filters.
    floor = _floor()
    found = [hit for hit in sorted(found, key=lambda item: (-item[1], item[0]))[:CANDIDATES] if hit[1] >= floor]
    unknown = tuple(pid for pid, _ in found if pid not in passed)
    if not unknown:
        return found
    # The page's filters (kind, industry, region, …, open deadline) as the index applies them; only the ids
    # that pass are wanted (a candidates plan: no total, no stored documents, one statement for all kinds).
    filtered = SearchRequest(
        kinds=kinds,
        industry=request.industry,
        region=request.region,
        trl_min=request.trl_min,
        cooperation=request.cooperation,
        tier=request.tier,
        challenge=request.challenge,
        ids=unknown,
        per_page=CANDIDATES,
        today=request.today,
    )
    passing, _ = service.read(lambda backend: backend.execute(backend.plan(filtered).candidates()))
    allowed = passed | set(passing.ids)
    return [(pid, cosine) for pid, cosine in found if pid in allowed]


def fused_result(
    service: SearchService, args, per_page: int, today: date, semantic: list[tuple[int, float]], lexical: SearchResult
) -> SearchResult:
    """The page when the words alone matched weakly (no posting had them all, or none at all): the
    any-term candidates and the semantic hits fused into one ranking (search.fusion, weighted, alpha
    SEARCH_FUSION_ALPHA), paged; facets stay those of the word search. `args` is the page's SearchArgs."""
    candidates, _ = service.read(
        lambda backend: backend.execute(backend.plan(args.request(CANDIDATES, today, page=1)).candidates())
    )
    alpha = float(current_app.config.get("SEARCH_FUSION_ALPHA", DEFAULT_ALPHA))
    ranked = [hit.id for hit in fuse([(h.id, h.score) for h in candidates.hits], semantic, alpha=alpha)]
    last = max(1, -(-len(ranked) // per_page))
    page = min(args.page, last)
    chosen = ranked[(page - 1) * per_page : page * per_page]
    hits: list[Hit] = []
    if chosen:
        marked, _ = service.read(
            lambda backend: backend.search(args.request(len(chosen), today, page=1, ids=tuple(chosen), facets=False))
        )
        by_id = {hit.id: hit for hit in marked.hits}
        hits = [by_id.get(pid) or Hit(pid, "", 0.0, {}, {}) for pid in chosen]
    return replace(lexical, total=len(ranked), hits=hits, page=page, per_page=per_page, relaxed=True)
