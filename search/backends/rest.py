"""What OpenSearch and Elasticsearch backends share: the same DSL, aliases, versioned bulk writes
and alias-swap reindex. Subclasses only adapt the client library (see opensearch.py and
elasticsearch.py); every request body comes from search.query, search.mappings and search.knn.
This module keeps the client, the indexes and aliases, and the writing; reading them is rest_search.py.

Vectors. With `vector_dims` set, an index is created with the vector field when the engine can
search vectors (Elasticsearch always, OpenSearch with the k-NN plugin). What an index actually
maps decides the rest: a document's vector is sent only to indexes mapping the field (the mapping
is strict), and `supports_vectors` holds when every live index maps it. An index created before
the plugin was installed keeps answering without vectors until `flask search reindex`.
"""

from __future__ import annotations

import logging
import re
import time
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from search.analysis import Analyzer
from search.backends.base import EngineUnavailable, IndexReport, SearchBackend
from search.backends.rest_search import RestSearch
from search.documents import INDEX_KINDS, KINDS
from search.knn import engine_has_vectors
from search.mappings import (
    DEFAULT_PREFIX,
    VECTOR_FIELD,
    alias_name,
    building_alias,
    index_body,
    new_index_name,
)

log = logging.getLogger(__name__)

CONFLICT = 409
UNAVAILABLE_STATUSES = {429, 502, 503, 504}
HEALTH_TIMEOUT = 3
VECTOR_CHECK_SECONDS = 60  # how long `supports_vectors` trusts its last look at the mappings


class RestBackend(RestSearch, SearchBackend):
    """A search engine spoken to over HTTP with the shared DSL."""

    flavor = "opensearch"

    def __init__(
        self,
        url: str,
        analyzer: Analyzer | None = None,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 10.0,
        replicas: int = 0,
        vector_dims: int | None = None,
        client=None,
        **client_options,
    ) -> None:
        super().__init__(analyzer, prefix)
        self.url = url
        self.replicas = replicas
        self.vector_dims = vector_dims
        self._vectors_checked: tuple[float, bool] = (0.0, False)  # (until, answer)
        self._client_args = None if client else (url, timeout, client_options)
        self.client = client or self._make_client(url, timeout, **client_options)
        self._index_pattern = re.compile(rf"^{re.escape(prefix)}-({'|'.join(INDEX_KINDS)})-\d{{20}}$")

    # -- what a client library must supply ------------------------------------------------

    @abstractmethod
    def _make_client(self, url: str, timeout: float, **options): ...

    @abstractmethod
    def _is_unavailable(self, exc: Exception) -> bool:
        """Connection refused/timed out, or the engine answered 429/502/503/504."""

    @abstractmethod
    def _status(self, exc: Exception) -> int | None: ...

    @abstractmethod
    def _search(self, index: str, body: dict) -> dict: ...

    @abstractmethod
    def _create_index(self, name: str, body: dict) -> None: ...

    @abstractmethod
    def _update_aliases(self, actions: list[dict]) -> None: ...

    @abstractmethod
    def _put_settings(self, index: str, settings: dict) -> None: ...

    @abstractmethod
    def _count(self, index: str, query: dict) -> int: ...

    @abstractmethod
    def _bulk(self, actions: list[dict], refresh: bool) -> list[dict]:
        """Run bulk actions; return the failed items (each {"index": {"_id", "status", "error"}})."""

    @abstractmethod
    def _cluster_health(self) -> dict:
        """GET _cluster/health with a short client-side timeout."""

    def _plugins(self) -> list[dict]:
        """`GET _cat/plugins` rows, where the engine's vector search depends on a plugin."""
        return []

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except EngineUnavailable:
            raise
        except Exception as exc:
            if self._is_unavailable(exc):
                raise EngineUnavailable(f"{self.name} at {self.url}: {exc}") from exc
            raise

    def _aliases(self, name: str) -> dict[str, set[str]]:
        """index → alias names, for an alias name or pattern; {} when none exists."""
        try:
            with self._guard():
                found = self.client.indices.get_alias(name=name)
        except Exception as exc:
            if self._status(exc) == 404:
                return {}
            raise
        return {index: set(info.get("aliases", {})) for index, info in dict(found).items()}

    def _indices_of(self, alias: str) -> list[str]:
        return sorted(self._aliases(alias))

    def _index_names(self, kinds) -> str:
        return ",".join(alias_name(self.prefix, kind) for kind in kinds)

    # -- vectors ----------------------------------------------------------------------------

    def _vector_targets(self) -> set[str]:
        """Index names under the prefix whose mapping has the vector field, and their aliases."""
        if not self.vector_dims:
            return set()
        with self._guard():
            found = self.client.indices.get_field_mapping(index=f"{self.prefix}-*", fields=VECTOR_FIELD)
        indexes = {name for name, info in dict(found).items() if info.get("mappings")}
        aliases = self._aliases(f"{self.prefix}-*") if indexes else {}
        return indexes | {alias for index in indexes for alias in aliases.get(index, ())}

    @property
    def supports_vectors(self) -> bool:
        until, answer = self._vectors_checked
        if time.monotonic() < until:
            return answer
        try:
            targets = self._vector_targets()
            answer = all(alias_name(self.prefix, kind) in targets for kind in KINDS)
        except Exception as exc:  # noqa: BLE001 - a capability check answers, never raises
            log.warning("%s: cannot tell whether the indexes map vectors: %s", self.name, exc)
            answer = False
        self._vectors_checked = (time.monotonic() + VECTOR_CHECK_SECONDS, answer)
        return answer

    def _forget_vector_check(self) -> None:
        self._vectors_checked = (0.0, False)

    # -- writing ----------------------------------------------------------------------------

    def _body(self) -> dict:
        """A new index's body; with the vector field when the engine can search vectors."""
        dims = self.vector_dims if self.vector_dims and engine_has_vectors(self.flavor, self._plugins()) else None
        return index_body(dims, self.flavor, self.replicas)

    def ensure_indices(self) -> None:
        for kind in INDEX_KINDS:
            alias = alias_name(self.prefix, kind)
            if not self._aliases(alias):
                body = self._body()
                body["aliases"] = {alias: {}}
                with self._guard():
                    self._create_index(new_index_name(self.prefix, kind), body)
                self._forget_vector_check()

    @staticmethod
    def _actions(target: str, docs: list[dict], vectors: bool) -> list[dict]:
        """Versioned index actions; the vector goes only where the target maps the field."""
        return [
            {
                "_op_type": "index",
                "_index": target,
                "_id": str(doc["id"]),
                "version": doc["version"],
                "version_type": "external_gte",
                "_source": doc if vectors else {k: v for k, v in doc.items() if k != VECTOR_FIELD},
            }
            for doc in docs
        ]

    def _write(self, pairs: list[tuple[str, list[dict]]], refresh: bool) -> IndexReport:
        """Bulk-index (target, docs) pairs; each document id appears once per call."""
        any_vector = any(VECTOR_FIELD in doc for _, docs in pairs for doc in docs)
        mapped = self._vector_targets() if any_vector else set()
        actions = [action for target, docs in pairs for action in self._actions(target, docs, target in mapped)]
        if not actions:
            return IndexReport()
        with self._guard():
            errors = self._bulk(actions, refresh)
        rejected = {}
        for item in errors:
            info = next(iter(item.values()))
            rejected[int(info["_id"])] = (int(info.get("status") or 0), info.get("error"))
        report = IndexReport()
        for _target, docs in pairs:
            for doc in docs:
                status, error = rejected.get(doc["id"], (None, None))
                if status is None:
                    report.indexed.append(doc["id"])
                elif status == CONFLICT:
                    report.skipped.append(doc["id"])
                else:
                    report.failed[doc["id"]] = str(error)
        return report

    def _alias_names(self) -> set[str]:
        return {alias for aliases in self._aliases(f"{self.prefix}-*").values() for alias in aliases}

    def _write_live(self, docs: list[dict], refresh: bool) -> IndexReport:
        aliases = self._alias_names() if docs else set()
        if any(alias_name(self.prefix, d["kind"]) not in aliases for d in docs):
            # Never let the engine auto-create an index with a guessed mapping.
            self.ensure_indices()
        live: dict[str, list[dict]] = {}
        rebuilds: dict[str, list[dict]] = {}
        for doc in docs:
            live.setdefault(alias_name(self.prefix, doc["kind"]), []).append(doc)
            rebuild = building_alias(self.prefix, doc["kind"])
            if rebuild in aliases:
                rebuilds.setdefault(rebuild, []).append(doc)
        report = self._write(list(live.items()), refresh)
        if rebuilds:
            report.failed.update(self._write(list(rebuilds.items()), refresh).failed)
        return report

    def delete(self, kind: str, doc_id: int, version: int | None = None) -> bool:
        targets = [alias_name(self.prefix, kind)]
        if building_alias(self.prefix, kind) in self._alias_names():
            targets.append(building_alias(self.prefix, kind))
        params = {"version": version, "version_type": "external_gte"} if version is not None else {}
        deleted = []
        for target in targets:
            try:
                with self._guard():
                    self.client.delete(index=target, id=str(doc_id), **params)
                deleted.append(True)
            except EngineUnavailable:
                raise
            except Exception as exc:
                if self._status(exc) not in (404, CONFLICT):
                    raise
                deleted.append(False)
        return deleted[0]

    def _begin_rebuild(self, kind: str) -> str:
        stale = self._indices_of(building_alias(self.prefix, kind))
        with self._guard():
            if stale:
                self.client.indices.delete(index=",".join(stale))
            target = new_index_name(self.prefix, kind)
            body = self._body()
            body["settings"]["refresh_interval"] = "-1"
            body["aliases"] = {building_alias(self.prefix, kind): {}}
            self._create_index(target, body)
        return target

    def _write_target(self, target: str, docs: list[dict]) -> IndexReport:
        return self._write([(target, docs)], refresh=False)

    def _finish_rebuild(self, kind: str, target: str) -> None:
        alias = alias_name(self.prefix, kind)
        old = [index for index in self._indices_of(alias) if index != target]
        with self._guard():
            self._put_settings(target, {"index": {"refresh_interval": None}})
            self.client.indices.refresh(index=target)
            actions = [{"remove": {"index": index, "alias": alias}} for index in old]
            actions += [
                {"add": {"index": target, "alias": alias}},
                {"remove": {"index": target, "alias": building_alias(self.prefix, kind)}},
            ]
            self._update_aliases(actions)
            if old:
                self.client.indices.delete(index=",".join(old))
        self._forget_vector_check()

    def _abort_rebuild(self, kind: str, target: str) -> None:
        # Best effort: if this fails too, the next rebuild drops the stale target first.
        with suppress(Exception):
            self.client.indices.delete(index=target)

    # -- operations -------------------------------------------------------------------------

    def health(self) -> dict:
        try:
            with self._guard():
                health = self._cluster_health()
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            return {"backend": self.name, "ok": False, "status": "down", "detail": str(exc)}
        status = health.get("status", "unknown")
        return {"backend": self.name, "ok": status in ("green", "yellow"), "status": status, "detail": self.url}

    def refresh(self) -> None:
        with self._guard():
            self.client.indices.refresh(index=self._index_names(INDEX_KINDS), ignore_unavailable=True)

    def drop_all(self) -> None:
        with self._guard():
            found = self.client.indices.get(index=f"{self.prefix}-*", ignore_unavailable=True)
            names = [name for name in found if self._index_pattern.match(name)]
            if names:
                self.client.indices.delete(index=",".join(names))

    @property
    def fork_safe(self) -> bool:
        return self._client_args is not None  # a client handed in cannot be made again in a child

    def after_fork(self) -> None:
        # The inherited client's pooled sockets are the parent's: a new client, the old one left alone.
        if self._client_args is not None:
            url, timeout, options = self._client_args
            self.client = self._make_client(url, timeout, **options)

    def close(self) -> None:
        self.client.close()
