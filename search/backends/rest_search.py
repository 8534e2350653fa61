"""Reading an OpenSearch or Elasticsearch index: a QueryPlan run as the shared DSL (search.query), hits and
facets read back, counts, stored versions, one document, and the engine's own vector search (search.knn).

RestSearch is mixed into RestBackend (rest.py), which owns the client, the index names (`_index_names`,
`_index_pattern`) and aliases, and the client-library adapters (`_guard`, `_search`, `_count`, `_status`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from search.backends.base import EngineUnavailable, Hit, SearchResult
from search.documents import KINDS
from search.knn import knn_hits, knn_search_body
from search.mappings import alias_name
from search.policy_filters import WINDOW_FACET, window_buckets
from search.query import Filters, QueryPlan, build_search_body, filter_clauses

VERSIONS_PAGE = 1000


class RestSearch:
    """The reading half of RestBackend."""

    def execute(self, plan: QueryPlan) -> SearchResult:
        with self._guard():
            response = self._search(self._index_names(plan.filters.kinds), build_search_body(plan))
        hits = [self._hit(raw) for raw in response["hits"]["hits"]]
        if plan.ids_only:  # no source: the kind is in the index's name
            only = plan.filters.kinds[0] if len(plan.filters.kinds) == 1 else ""
            for hit, raw in zip(hits, response["hits"]["hits"], strict=True):
                found = self._index_pattern.match(raw.get("_index", ""))
                hit.kind = found.group(1) if found else only
            return SearchResult.for_plan(plan, len(hits), hits, {})
        aggregations = response.get("aggregations") or {}
        facets = {
            name: [(b["key"], b["doc_count"]) for b in aggregations.get(name, {}).get("buckets", [])]
            for name in (plan.filters.facet_names if plan.facets else ())
        }
        if plan.facets and plan.filters.policies:
            facets[WINDOW_FACET] = window_buckets(aggregations.get(WINDOW_FACET))
        return SearchResult.for_plan(plan, response["hits"]["total"]["value"], hits, facets)

    @staticmethod
    def _hit(raw: dict) -> Hit:
        source = raw.get("_source") or {}
        highlights = {name.split(".")[0]: list(frags) for name, frags in (raw.get("highlight") or {}).items()}
        return Hit(
            id=int(raw["_id"]),
            kind=source.get("kind", ""),
            score=float(raw.get("_score") or 0.0),
            highlights=highlights,
            source=source,
        )

    def count(self, kind: str | None = None, searchable: bool = False, today: date | None = None) -> int:
        kinds = (kind,) if kind else KINDS
        if searchable:
            filters, _ = filter_clauses(Filters(kinds=kinds, today=today or date.today()))
            query = {"bool": {"filter": filters}}
        else:
            query = {"match_all": {}}
        with self._guard():
            return self._count(self._index_names(kinds), query)

    def versions(self, kind: str) -> dict[int, int]:
        found: dict[int, int] = {}
        body: dict = {"query": {"match_all": {}}, "sort": [{"id": "asc"}], "size": VERSIONS_PAGE}
        body["_source"] = ["id", "version"]
        while True:
            with self._guard():
                hits = self._search(alias_name(self.prefix, kind), body)["hits"]["hits"]
            for hit in hits:
                found[int(hit["_id"])] = int(hit["_source"]["version"])
            if len(hits) < VERSIONS_PAGE:
                return found
            body["search_after"] = hits[-1]["sort"]

    def get(self, kind: str, doc_id: int) -> dict | None:
        try:
            with self._guard():
                return dict(self.client.get(index=alias_name(self.prefix, kind), id=str(doc_id))["_source"])
        except EngineUnavailable:
            raise
        except Exception as exc:
            if self._status(exc) == 404:
                return None
            raise

    # -- vectors ----------------------------------------------------------------------------

    def vector_search(self, kind: str, vector, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        if filters is not None:
            filters = replace(filters, kinds=(kind,))
        with self._guard():
            response = self._search(alias_name(self.prefix, kind), knn_search_body(self.flavor, vector, k, filters))
        return knn_hits(response)
