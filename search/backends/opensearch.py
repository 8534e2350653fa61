"""OpenSearch 2.x/3.x through opensearch-py: the reference engine, run in CI by search/engine/.

The vector field is only mapped when the k-NN plugin is installed: the default dev engine has
none; `ENGINE_KNN=1 make engine` starts one that has it (search/engine/run.sh).
"""

from __future__ import annotations

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from search.backends.rest import HEALTH_TIMEOUT, UNAVAILABLE_STATUSES, RestBackend


class OpenSearchBackend(RestBackend):
    name = "opensearch"
    flavor = "opensearch"

    def _make_client(self, url: str, timeout: float, **options) -> OpenSearch:
        options.setdefault("max_retries", 1)
        options.setdefault("retry_on_timeout", False)
        return OpenSearch(hosts=[url], timeout=timeout, **options)

    def _status(self, exc: Exception) -> int | None:
        status = getattr(exc, "status_code", None)
        return status if isinstance(status, int) else None

    def _is_unavailable(self, exc: Exception) -> bool:
        if isinstance(exc, OSConnectionError):
            return True
        return isinstance(exc, TransportError) and self._status(exc) in UNAVAILABLE_STATUSES

    def _search(self, index: str, body: dict) -> dict:
        return self.client.search(index=index, body=body, ignore_unavailable=True, allow_no_indices=True)

    def _create_index(self, name: str, body: dict) -> None:
        self.client.indices.create(index=name, body=body)

    def _update_aliases(self, actions: list[dict]) -> None:
        self.client.indices.update_aliases(body={"actions": actions})

    def _put_settings(self, index: str, settings: dict) -> None:
        self.client.indices.put_settings(index=index, body=settings)

    def _count(self, index: str, query: dict) -> int:
        response = self.client.count(index=index, body={"query": query}, ignore_unavailable=True, allow_no_indices=True)
        return int(response["count"])

    def _cluster_health(self) -> dict:
        return dict(self.client.cluster.health(request_timeout=HEALTH_TIMEOUT))

    def _bulk(self, actions: list[dict], refresh: bool) -> list[dict]:
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=refresh)
        return list(errors)

    def _plugins(self) -> list[dict]:
        with self._guard():
            return list(self.client.cat.plugins(format="json"))
