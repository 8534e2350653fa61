"""Vector search inside the engine, where the engine has it; numpy (search/vectors.py) otherwise.

- OpenSearch needs the k-NN plugin (`opensearch-knn`) for the `knn_vector` field and the `knn`
  query; the dev engine has it only when started with ENGINE_KNN=1 (search/engine/run.sh).
  With the Lucene engine the filter goes inside the knn query and is applied during the HNSW
  walk (an efficient filter), so k filtered hits come back.
- Elasticsearch 8/9 has `dense_vector` built in and searches it with the top-level `knn` option
  (its `filter` is also applied during the walk; `num_candidates` bounds the effort).
Both report cosine similarity as (1 + cos) / 2; `cosine_from_score` undoes that so reasons show
the same figure whichever side computed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from search.mappings import VECTOR_FIELD
from search.query import Filters, filter_clauses

KNN_PLUGIN = "opensearch-knn"
MIN_CANDIDATES = 100


def engine_has_vectors(flavor: str, plugins: Iterable[Mapping] = ()) -> bool:
    """Capability check: Elasticsearch always; OpenSearch when `GET _cat/plugins` lists k-NN."""
    if flavor == "elasticsearch":
        return True
    return any(p.get("component") == KNN_PLUGIN for p in plugins)


def _filter(filters: Filters | None) -> dict | None:
    if filters is None:
        return None
    clauses, must_not = filter_clauses(filters)
    query: dict = {"filter": clauses}
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


def knn_search_body(flavor: str, vector, k: int, filters: Filters | None = None) -> dict:
    """A search body returning the k nearest postings (ids and kinds only), best first."""
    values = [float(x) for x in vector]
    restrict = _filter(filters)
    body: dict = {"size": k, "_source": ["id", "kind"]}
    if flavor == "elasticsearch":
        knn: dict = {
            "field": VECTOR_FIELD,
            "query_vector": values,
            "k": k,
            "num_candidates": max(MIN_CANDIDATES, 2 * k),
        }
        if restrict:
            knn["filter"] = restrict
        body["knn"] = knn
    else:
        clause: dict = {"vector": values, "k": k}
        if restrict:
            clause["filter"] = restrict
        body["query"] = {"knn": {VECTOR_FIELD: clause}}
    return body


def cosine_from_score(score: float) -> float:
    """The engines' cosine score (1 + cos) / 2 back to the cosine."""
    return 2.0 * float(score) - 1.0


def knn_hits(response: Mapping) -> list[tuple[int, float]]:
    """A knn search response → [(id, cosine)], best first and ties by id, as VectorStore.search."""
    hits = [(int(hit["_id"]), cosine_from_score(hit["_score"])) for hit in response["hits"]["hits"]]
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))
