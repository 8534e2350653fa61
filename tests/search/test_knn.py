"""Engine-side vector search behind the backend interface: `supports_vectors` and `vector_search`.

Without a server: the mapping and request JSON each adapter sends (OpenSearch k-NN plugin, and
Elasticsearch's built-in dense_vector, for which CI has no server), the vector only reaching indexes
that map it, and the embedded index leaving vectors to numpy. With a k-NN engine (engine marker,
SEARCH_KNN_URL, else SEARCH_URL; `ENGINE_KNN=1 make engine` starts one): the engine's nearest
neighbours, filtered, in numpy's order.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import numpy as np
import pytest

from app.core.enums import PostingKind
from search import default_analyzer
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.embedded import EmbeddedBackend
from search.backends.opensearch import OpenSearchBackend
from search.documents import INDEX_KINDS, KINDS, clean_document
from search.embedding import DIMS, Embedder
from search.mappings import alias_name
from search.query import Filters
from search.vectors import VectorStore
from tests.conftest import missing

TODAY = date(2026, 6, 1)
PREFIX = "lianqiao"
KNN_PLUGIN_ROW = {"name": "Node 1", "component": "opensearch-knn", "version": "2.19.1.0"}


class StubIndices:
    def __init__(self, mapped: dict[str, str]):
        self.mapped = mapped  # index → alias, for the indexes whose mapping has the vector field
        self.created: list[tuple[str, dict]] = []

    def get_field_mapping(self, index, fields):
        assert (index, fields) == (f"{PREFIX}-*", "vector")
        return {name: {"mappings": {"vector": {}}} for name in self.mapped}

    def get_alias(self, name):
        return {index: {"aliases": {alias: {}}} for index, alias in self.mapped.items()}

    def create(self, index, body=None, **kwargs):
        self.created.append((index, body if body is not None else kwargs))


class StubCat:
    def __init__(self, plugins):
        self.rows = plugins

    def plugins(self, format):
        return self.rows


class StubClient:
    """Records search calls and answers like an engine with three nearest neighbours."""

    def __init__(self, mapped=None, plugins=()):
        self.indices = StubIndices(dict(mapped or {}))
        self.cat = StubCat(list(plugins))
        self.calls: list[dict] = []

    def search(self, **kwargs):
        self.calls.append(kwargs)
        scores = [("7", 0.9), ("3", 0.8), ("5", 0.9)]
        return {"hits": {"total": {"value": 3}, "hits": [{"_id": i, "_score": s} for i, s in scores]}}


def every_kind_mapped() -> dict[str, str]:
    return {f"{alias_name(PREFIX, kind)}-20260101000000000000": alias_name(PREFIX, kind) for kind in KINDS}


def backend(cls, **client_options):
    return cls("http://engine", client=StubClient(**client_options), vector_dims=DIMS)


FILTERS = Filters(kinds=("need",), today=TODAY, exclude_org_ids=(4,), exclude_group_ids=(9,))
QUERY = np.linspace(-1, 1, DIMS, dtype=np.float32)


# --- mappings ------------------------------------------------------------------------------------


def test_opensearch_maps_a_lucene_hnsw_cosine_vector_when_the_knn_plugin_is_installed():
    body = backend(OpenSearchBackend, plugins=[KNN_PLUGIN_ROW])._body()
    assert body["settings"]["knn"] is True
    assert body["mappings"]["properties"]["vector"] == {
        "type": "knn_vector",
        "dimension": 384,
        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
    }


def test_opensearch_without_the_knn_plugin_maps_no_vector():
    body = backend(OpenSearchBackend, plugins=[{"component": "org.opensearch.painless.PainlessPlugin"}])._body()
    assert "vector" not in body["mappings"]["properties"] and "knn" not in body["settings"]


def test_elasticsearch_maps_a_native_dense_vector():
    body = backend(ElasticsearchBackend)._body()
    assert body["mappings"]["properties"]["vector"] == {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "cosine",
    }
    assert "knn" not in body["settings"]


def test_new_indexes_are_created_with_the_vector_field():
    engine = backend(ElasticsearchBackend)
    engine.client.indices.get_alias = lambda name: {}
    engine.ensure_indices()
    created = engine.client.indices.created
    assert len(created) == len(INDEX_KINDS)
    assert all(body["mappings"]["properties"]["vector"]["type"] == "dense_vector" for _, body in created)


def test_without_vector_dims_no_index_maps_a_vector():
    engine = OpenSearchBackend("http://engine", client=StubClient(plugins=[KNN_PLUGIN_ROW]))
    assert "vector" not in engine._body()["mappings"]["properties"]
    assert not engine.supports_vectors


# --- capability ----------------------------------------------------------------------------------


def test_vectors_are_searched_in_the_engine_only_when_every_live_index_maps_them():
    assert backend(OpenSearchBackend, mapped=every_kind_mapped()).supports_vectors
    one_old_index = {name: alias for name, alias in every_kind_mapped().items() if not alias.endswith("need")}
    assert not backend(OpenSearchBackend, mapped=one_old_index).supports_vectors


def test_the_capability_check_never_raises():
    engine = backend(OpenSearchBackend)

    def down(**kwargs):
        raise ConnectionError("refused")

    engine.client.indices.get_field_mapping = down
    assert engine.supports_vectors is False


def test_the_embedded_index_leaves_vectors_to_numpy(tmp_path):
    embedded = EmbeddedBackend(tmp_path / "s.db", analyzer=default_analyzer())
    assert not embedded.supports_vectors
    with pytest.raises(NotImplementedError):
        embedded.vector_search("need", QUERY, 5)


# --- the request -----------------------------------------------------------------------------------


def test_opensearch_asks_a_knn_query_with_the_filters_inside():
    engine = backend(OpenSearchBackend)
    engine.vector_search("need", QUERY, 10, FILTERS)
    call = engine.client.calls[0]
    assert call["index"] == "lianqiao-need"
    body = call["body"]
    assert body["size"] == 10 and body["_source"] == ["id", "kind"]
    clause = body["query"]["knn"]["vector"]
    assert clause["k"] == 10 and clause["vector"] == pytest.approx(QUERY.tolist())
    restrict = clause["filter"]["bool"]
    assert {"terms": {"kind": ["need"]}} in restrict["filter"]
    assert {"term": {"status": "published"}} in restrict["filter"]
    assert any("deadline" in str(c) and TODAY.isoformat() in str(c) for c in restrict["filter"])
    assert restrict["must_not"] == [{"terms": {"org_id": [4]}}, {"terms": {"group_id": [9]}}]


def test_elasticsearch_asks_the_top_level_knn_option_with_the_same_filter():
    opensearch, elasticsearch = backend(OpenSearchBackend), backend(ElasticsearchBackend)
    opensearch.vector_search("need", QUERY, 10, FILTERS)
    elasticsearch.vector_search("need", QUERY, 10, FILTERS)
    sent = elasticsearch.client.calls[0]
    assert "body" not in sent and "query" not in sent
    assert sent["index"] == "lianqiao-need" and sent["size"] == 10 and sent["source"] == ["id", "kind"]
    knn = sent["knn"]
    assert knn["field"] == "vector" and knn["k"] == 10 and knn["num_candidates"] >= 100
    assert knn["query_vector"] == pytest.approx(QUERY.tolist())
    assert knn["filter"] == opensearch.client.calls[0]["body"]["query"]["knn"]["vector"]["filter"]


def test_the_filters_always_name_the_kind_searched():
    engine = backend(OpenSearchBackend)
    engine.vector_search("achievement", QUERY, 5, FILTERS)
    restrict = engine.client.calls[0]["body"]["query"]["knn"]["vector"]["filter"]["bool"]["filter"]
    assert {"terms": {"kind": ["achievement"]}} in restrict


def test_engine_scores_come_back_as_cosines_best_first_ties_by_id():
    for cls in (OpenSearchBackend, ElasticsearchBackend):
        found = backend(cls).vector_search("need", QUERY, 3)
        assert [doc_id for doc_id, _ in found] == [5, 7, 3]
        assert [cosine for _, cosine in found] == pytest.approx([0.8, 0.8, 0.6])


# --- writing ---------------------------------------------------------------------------------------


def _doc(doc_id: int, kind: str, vector=None) -> dict:
    doc = {"id": doc_id, "kind": kind, "version": 1, "status": "published", "title": "羊绒分梳"}
    return {**doc, "vector": vector} if vector is not None else doc


def test_a_document_carries_its_vector_as_floats_only_when_it_has_one():
    assert clean_document(_doc(1, "need", np.array([0.5, 0.25], dtype=np.float32)))["vector"] == [0.5, 0.25]
    assert "vector" not in clean_document(_doc(1, "need"))


def test_the_vector_is_sent_only_to_indexes_that_map_it():
    mapped = {name: alias for name, alias in every_kind_mapped().items() if alias.endswith("need")}
    engine = backend(OpenSearchBackend, mapped=mapped)
    engine.client.indices.get_alias = lambda name: {
        index: {"aliases": {alias: {}}} for index, alias in every_kind_mapped().items()
    }
    sent: list[dict] = []
    engine._bulk = lambda actions, refresh: sent.extend(actions) or []
    report = engine.index_many([_doc(1, "need", [0.5] * DIMS), _doc(2, "achievement", [0.5] * DIMS)])
    assert sorted(report.indexed) == [1, 2]
    by_id = {action["_id"]: action["_source"] for action in sent}
    assert by_id["1"]["vector"] == [0.5] * DIMS
    assert "vector" not in by_id["2"]


# --- against a k-NN engine -------------------------------------------------------------------------

KNN_URL = os.environ.get("SEARCH_KNN_URL") or os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


@pytest.fixture
def knn_engine():
    engine = OpenSearchBackend(KNN_URL, analyzer=default_analyzer(), prefix=f"lqknn-{uuid.uuid4().hex[:8]}")
    engine.vector_dims = DIMS
    if not engine.ping():
        missing(f"no search engine at {KNN_URL} (start one with `ENGINE_KNN=1 make engine`)")
    if not any(row.get("component") == "opensearch-knn" for row in engine._plugins()):
        missing(
            f"the engine at {KNN_URL} has no k-NN plugin (set SEARCH_KNN_URL to one from `ENGINE_KNN=1 make engine`)"
        )
    engine.ensure_indices()
    yield engine
    engine.drop_all()
    engine.close()


def _corpus(rng) -> list[dict]:
    """40 needs with random vectors; some unsearchable or of excluded owners."""
    docs = []
    for doc_id in range(1, 41):
        doc = _doc(doc_id, "need", rng.standard_normal(DIMS).astype(np.float32))
        doc.update(org_id=doc_id % 5, group_id=7 if doc_id % 9 == 0 else None)
        if doc_id % 10 == 0:
            doc["status"] = "closed"
        if doc_id % 11 == 0:
            doc["deadline"] = "2026-01-31"
        docs.append(doc)
    docs.append(_doc(41, "need"))  # no vector yet: indexed, never a vector hit
    return docs


def _eligible(doc: dict) -> bool:
    return (
        "vector" in doc
        and doc["status"] == "published"
        and doc.get("deadline") is None
        and doc["org_id"] != 3
        and doc["group_id"] != 7
    )


@pytest.mark.engine
def test_the_engine_finds_the_same_filtered_neighbours_as_numpy(knn_engine):
    rng = np.random.default_rng(7)
    docs = _corpus(rng)
    knn_engine.index_many(docs, refresh=True)
    assert knn_engine.supports_vectors
    store = VectorStore()
    store.load("need", [(d["id"], d["vector"]) for d in docs if _eligible(d)])
    filters = Filters(kinds=("need",), today=TODAY, exclude_org_ids=(3,), exclude_group_ids=(7,))
    for _ in range(3):
        query = rng.standard_normal(DIMS).astype(np.float32)
        expected = store.search("need", query, 10)
        found = knn_engine.vector_search("need", query, 10, filters)
        assert [doc_id for doc_id, _ in found] == [doc_id for doc_id, _ in expected]
        assert [cosine for _, cosine in found] == pytest.approx([cosine for _, cosine in expected], abs=1e-4)


@pytest.mark.engine
def test_a_reindex_carries_the_vectors_into_the_new_index(knn_engine):
    rng = np.random.default_rng(11)
    docs = _corpus(rng)
    knn_engine.reindex("need", docs)
    assert knn_engine.supports_vectors
    query = docs[0]["vector"]
    assert knn_engine.vector_search("need", query, 1)[0] == (1, pytest.approx(1.0, abs=1e-4))


# --- the app: drain → vectors → engine → matching --------------------------------------------------


class CharEmbedder(Embedder):
    """A fast, deterministic stand-in for the model: texts sharing characters get similar vectors."""

    name = "chars"

    def available(self) -> bool:
        return True

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), DIMS), dtype=np.float32)
        for row, text in enumerate(texts):
            for char in text:
                out[row, ord(char) % DIMS] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.mark.parametrize(("backend", "announced"), [("embedded", 0), ("opensearch", 2)])
def test_new_vectors_send_their_postings_to_the_engine_again(make_app, db, backend, announced):
    import sqlalchemy as sa

    from app.core.outbox import SearchOutbox
    from app.search.embeddings import embed_batches
    from tests.factories import PostingFactory

    app = make_app(EMBEDDINGS=True, SEARCH_BACKEND=backend, SEARCH_URL="http://127.0.0.1:9", SEARCH_INLINE_DRAIN=False)
    with app.app_context():
        app.extensions["embedder"] = CharEmbedder()
        postings = [PostingFactory(kind=PostingKind.NEED), PostingFactory(kind=PostingKind.ACHIEVEMENT)]
        db.session.commit()
        before = db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
        assert sum(embed_batches([p.id for p in postings])) == 2
        rows = db.session.scalars(sa.select(SearchOutbox).order_by(SearchOutbox.id).offset(before)).all()
        assert [(row.entity_id, row.version) for row in rows] == [(p.id, p.version) for p in postings][:announced]


@pytest.fixture
def knn_app(make_app, db):
    app = make_app(
        EMBEDDINGS=True, SEARCH_BACKEND="opensearch", SEARCH_URL=KNN_URL, SEARCH_PREFIX=f"lqknn-{uuid.uuid4().hex[:8]}"
    )
    with app.app_context():
        service = app.extensions["search"]
        if not service.primary.ping():
            missing(f"no search engine at {KNN_URL} (start one with `ENGINE_KNN=1 make engine`)")
        if not any(row.get("component") == "opensearch-knn" for row in service.primary._plugins()):
            missing(f"the engine at {KNN_URL} has no k-NN plugin (`ENGINE_KNN=1 make engine`)")
        app.extensions["embedder"] = CharEmbedder()
        yield app
        for backend in service.backends:
            backend.drop_all()
            backend.close()


def _ranked(results) -> list[tuple[int, float | None, float]]:
    return [
        (s.target.id, s.dense and round(s.dense, 4), round(s.score, 4)) for items in results.values() for s in items
    ]


@pytest.mark.engine
def test_matching_searches_the_engines_vectors_with_numpys_results(knn_app, db):
    from app.core.clock import local_today
    from app.matching.context import MatchContext
    from app.matching.scoring import score_source
    from tests.matching.helpers import MAGNET, WOOL, posting, publish

    need = posting(PostingKind.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    near = posting(PostingKind.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    nearer = posting(PostingKind.ACHIEVEMENT, "驱动电机用钕铁硼磁钢", **MAGNET)
    far = posting(PostingKind.ACHIEVEMENT, "羊绒分梳技术", **WOOL)
    own = posting(PostingKind.ACHIEVEMENT, "驱动电机钕铁硼磁钢技术", org=need.org, **MAGNET)
    publish(db, need, near, nearer, far, own)  # the drain also embeds and pushes the vectors
    engine = knn_app.extensions["search"].primary
    engine.refresh()
    assert len(engine.get("achievement", near.id)["vector"]) == DIMS
    assert engine.supports_vectors

    asked = []
    search = engine.vector_search
    engine.vector_search = lambda *args: asked.append(args) or search(*args)
    in_engine = MatchContext.from_config(local_today())
    with_numpy = MatchContext.from_config(local_today())
    with_numpy._engine_vectors = False
    ranked = _ranked(score_source(in_engine, need))
    assert asked and asked[0][3].exclude_org_ids == (need.org_id,)
    assert ranked == _ranked(score_source(with_numpy, need))
    targets = [target for target, _, _ in ranked]
    assert own.id not in targets and set(targets[:2]) == {near.id, nearer.id}
    assert in_engine._store is None  # the whole matrix was never loaded
