"""Elasticsearch 8.x/9.x through the `elasticsearch` 8.x client, thin over the shared DSL.

No Elasticsearch server is available in CI, so this adapter is kept to the client calls; the
request bodies are exactly those of search.query/search.mappings that the OpenSearch tests run.
Differences from OpenSearch, all confined to this file or to `flavor`:

- The client refuses servers that are not Elasticsearch (product check), so it cannot be
  pointed at OpenSearch, and opensearch-py is not meant for Elasticsearch 8+ either.
- Bodies go as keyword arguments (`query=`, `aggs=`, `from_=`, `source=`): `body=` is
  deprecated in the 8.x client and gone in 9.x. The 8.x client sends `compatible-with=8`
  headers, which Elasticsearch 9 servers accept.
- The reserved vector field is `dense_vector` (built in) instead of OpenSearch's `knn_vector`
  (k-NN plugin), and vector search uses the top-level `knn` option rather than a `knn` query.
- `action.destructive_requires_name` defaults to true, so indices are always deleted by
  concrete name (drop_all resolves the prefix first; the shared code never deletes wildcards).
- Everything else used here is the same on both: the `cjk_bigram`/`cjk_width` filters and the
  whitespace/standard tokenizers (analysis-common module), aliases with atomic swaps,
  `version_type=external_gte`, `track_total_hits`, unified highlighting with `highlight_query`.
"""

from __future__ import annotations

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, helpers

from search.backends.rest import HEALTH_TIMEOUT, UNAVAILABLE_STATUSES, RestBackend

_BODY_KEYS = {"from": "from_", "_source": "source"}


def search_kwargs(body: dict) -> dict:
    """A search body from search.query as keyword arguments of Elasticsearch.search()."""
    return {_BODY_KEYS.get(key, key): value for key, value in body.items()}


class ElasticsearchBackend(RestBackend):
    name = "elasticsearch"
    flavor = "elasticsearch"

    def _make_client(self, url: str, timeout: float, **options) -> Elasticsearch:
        options.setdefault("max_retries", 1)
        options.setdefault("retry_on_timeout", False)
        return Elasticsearch(url, request_timeout=timeout, **options)

    def _status(self, exc: Exception) -> int | None:
        status = getattr(exc, "status_code", None) if isinstance(exc, ApiError) else None
        return status if isinstance(status, int) else None

    def _is_unavailable(self, exc: Exception) -> bool:
        if isinstance(exc, TransportConnectionError | ConnectionTimeout):
            return True
        return self._status(exc) in UNAVAILABLE_STATUSES

    def _search(self, index: str, body: dict) -> dict:
        response = self.client.search(
            index=index, ignore_unavailable=True, allow_no_indices=True, **search_kwargs(body)
        )
        return dict(response)

    def _create_index(self, name: str, body: dict) -> None:
        self.client.indices.create(index=name, **body)

    def _update_aliases(self, actions: list[dict]) -> None:
        self.client.indices.update_aliases(actions=actions)

    def _put_settings(self, index: str, settings: dict) -> None:
        self.client.indices.put_settings(index=index, settings=settings)

    def _count(self, index: str, query: dict) -> int:
        response = self.client.count(index=index, query=query, ignore_unavailable=True, allow_no_indices=True)
        return int(response["count"])

    def _cluster_health(self) -> dict:
        return dict(self.client.options(request_timeout=HEALTH_TIMEOUT).cluster.health())

    def _bulk(self, actions: list[dict], refresh: bool) -> list[dict]:
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=refresh)
        return list(errors)
