"""OpenSearch specifics: aliases, explicit mappings, the engine's analysis, and parity with embedded.

Engine-marked tests need SEARCH_URL (`make engine`); they skip without it, or fail under
REQUIRE_ALL=1. The behaviour every backend shares is in test_backends.py.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from search import EngineUnavailable, SearchRequest
from search.analysis import cjk_bigrams
from search.backends.opensearch import OpenSearchBackend
from search.documents import INDEX_KINDS
from tests.search.corpus import CORPUS, TODAY, build_backend


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    engine = build_backend("opensearch", tmp_path_factory)
    embedded = build_backend("embedded", tmp_path_factory)
    yield engine, embedded
    for backend in (engine, embedded):
        backend.drop_all()
        backend.close()


@pytest.fixture
def engine(pair):
    return pair[0]


def _aliases(engine) -> dict[str, list[str]]:
    found = engine.client.indices.get_alias(name=f"{engine.prefix}-*")
    aliases: dict[str, list[str]] = {}
    for index, info in found.items():
        for alias in info["aliases"]:
            aliases.setdefault(alias, []).append(index)
    return aliases


@pytest.mark.engine
def test_each_kind_is_one_index_behind_an_alias(engine):
    aliases = _aliases(engine)
    assert sorted(aliases) == sorted(f"{engine.prefix}-{kind}" for kind in INDEX_KINDS)
    for alias, indices in aliases.items():
        assert len(indices) == 1 and re.fullmatch(rf"{alias}-\d{{20}}", indices[0])


@pytest.mark.engine
def test_mapping_is_explicit_with_segmented_and_bigram_text(engine):
    mapping = engine.client.indices.get_mapping(index=f"{engine.prefix}-achievement")
    properties = next(iter(mapping.values()))["mappings"]
    assert properties["dynamic"] == "strict"
    fields = properties["properties"]
    assert fields["title_seg"]["analyzer"] == "lq_whitespace"
    assert fields["body"]["fields"]["cjk"]["analyzer"] == "lq_cjk_bigram"
    assert fields["industry"]["type"] == "keyword"
    assert fields["deadline"]["type"] == "date"
    assert fields["trl"]["type"] == "integer"


@pytest.mark.engine
@pytest.mark.parametrize("text", ["风挡防雾涂层", "NdFeB磁体 N52", "稀土永磁材料，适用于电机", "煤"])
def test_engine_bigrams_are_what_python_computes_for_embedded(engine, text):
    analyzed = engine.client.indices.analyze(
        index=f"{engine.prefix}-achievement", body={"analyzer": "lq_cjk_bigram", "text": text}
    )
    assert [t["token"] for t in analyzed["tokens"]] == cjk_bigrams(text)


@pytest.mark.engine
def test_reindex_leaves_one_index_behind_the_alias(engine):
    alias = f"{engine.prefix}-capability"
    before = _aliases(engine)[alias]
    new = engine.reindex("capability", [d for d in CORPUS if d["kind"] == "capability"])
    assert _aliases(engine)[alias] == [new] != before
    assert not engine.client.indices.exists(index=before[0])


@pytest.mark.engine
@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(),
        SearchRequest(sort="date", per_page=50),
        SearchRequest(text="钕铁硼"),
        SearchRequest(text="稀土永磁"),
        SearchRequest(text="车窗玻璃老起雾"),
        SearchRequest(text="晶界扩"),
        SearchRequest(text="乳清蛋白", sort="date"),
        SearchRequest(text="益生菌", kinds=("need", "achievement"), sort="date"),
        SearchRequest(text="钕铁硼 乳清蛋白", sort="date"),
        SearchRequest(industry="C", region="150200", sort="date"),
        SearchRequest(trl_min=5, cooperation="license", sort="date"),
        SearchRequest(text="！？", per_page=5, page=3),
    ],
    ids=lambda r: r.text or f"filters:{r.industry or ''}{r.trl_min or ''}{r.sort}",
)
def test_both_backends_return_the_same_results(pair, request_):
    engine, embedded = pair
    request_ = replace(request_, today=TODAY)
    got, expected = engine.search(request_), embedded.search(request_)
    assert got.total == expected.total
    assert (got.relaxed, got.match_all) == (expected.relaxed, expected.match_all)
    assert got.facets == expected.facets
    if request_.sort == "date" or not request_.text or got.total <= 1:
        assert got.ids == expected.ids
    else:
        assert set(got.ids) == set(expected.ids) and got.ids[0] == expected.ids[0]


def test_an_unreachable_engine_raises_engine_unavailable():
    backend = OpenSearchBackend("http://127.0.0.1:9", prefix="lqtest-down", timeout=2)
    assert backend.health()["ok"] is False
    with pytest.raises(EngineUnavailable):
        backend.search(SearchRequest(text="钕铁硼"))
    with pytest.raises(EngineUnavailable):
        backend.index_many(CORPUS[:2])


@pytest.mark.engine
def test_writing_before_setup_creates_the_indices_with_their_mapping(engine):
    fresh = OpenSearchBackend(engine.url, prefix=f"{engine.prefix}-fresh")
    try:
        assert fresh.index(CORPUS[0], refresh=True).indexed == [1]
        assert sorted(_aliases(fresh)) == sorted(f"{fresh.prefix}-{kind}" for kind in INDEX_KINDS)
        assert fresh.search(SearchRequest(text="钕铁硼", today=TODAY)).ids == [1]
    finally:
        fresh.drop_all()
