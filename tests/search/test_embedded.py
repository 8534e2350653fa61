"""The embedded backend's own rules: a separate SQLite file, FTS5 queries built safely from the
plan, generations swapped by reindex, one connection per thread, no setup step required.
The behaviour shared with the engines is in test_backends.py."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from search import EngineUnavailable, SearchRequest, default_analyzer
from search.backends.embedded import EmbeddedBackend
from search.backends.fts import fts_expression
from tests.search.corpus import CORPUS, TODAY, ask


@pytest.fixture
def backend(tmp_path):
    backend = EmbeddedBackend(tmp_path / "index" / "search.db", analyzer=default_analyzer())
    yield backend
    backend.close()


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_index_lives_in_its_own_database_file(backend):
    backend.index_many(CORPUS[:3])
    tables = _tables(backend.path)
    assert "lianqiao_indices" in tables
    assert {"lianqiao_achievement_1_fts", "lianqiao_achievement_1_docs", "lianqiao_need_2_docs"} <= tables


def test_writing_creates_the_indices_without_a_setup_step(backend):
    assert ask(backend, "钕铁硼").total == 0
    backend.index(CORPUS[0])
    assert ask(backend, "钕铁硼").ids == [1]


def test_a_second_process_sees_the_same_index(backend, tmp_path):
    backend.index_many(CORPUS)
    other = EmbeddedBackend(backend.path, analyzer=default_analyzer())
    assert ask(other, "钕铁硼").ids == [1]
    other.close()


def test_fts_expression_quotes_every_term_and_keeps_user_syntax_out(backend):
    plan = backend.plan(SearchRequest(text='钕铁硼 "OR" NEAR(a b) {title_seg}: *'))
    expression = fts_expression(plan)
    assert '"钕铁硼"' in expression
    assert "NEAR(" not in expression and "*" not in expression
    assert "{title_seg}" not in expression
    assert expression.count('"') % 2 == 0


def test_partial_words_are_phrases_over_the_bigram_columns(backend):
    expression = fts_expression(backend.plan(SearchRequest(text="晶界扩")))
    assert '{title_bi body_bi} : "晶界 界扩"' in expression


def test_reindex_swaps_generations_and_drops_the_old_tables(backend):
    backend.index_many(CORPUS)
    backend.reindex("need", [d for d in CORPUS if d["kind"] == "need"])
    tables = _tables(backend.path)
    assert "lianqiao_need_2_docs" not in tables
    assert "lianqiao_need_6_docs" in tables  # 5: the policy items' index (search.documents.INDEX_KINDS)
    assert ask(backend, "粉尘").ids == [3]


def test_threads_search_at_the_same_time_on_their_own_connections(backend):
    backend.index_many(CORPUS)

    def search(text):
        return backend.search(SearchRequest(text=text, today=TODAY)).ids

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(search, ["钕铁硼", "除尘", "晶界扩", "钕铁硼"] * 5))
    assert results[:4] == [[1], [3], [1], [1]]
    assert len(backend._connections) > 1


def test_an_unusable_path_raises_engine_unavailable(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    backend = EmbeddedBackend(blocker / "search.db")
    assert backend.health()["ok"] is False
    with pytest.raises(EngineUnavailable):
        backend.search(SearchRequest(text="钕铁硼"))


def test_prefix_must_be_a_safe_table_name(tmp_path):
    with pytest.raises(ValueError):
        EmbeddedBackend(tmp_path / "s.db", prefix="x; DROP TABLE users")


@pytest.mark.parametrize("text", ["稀土", "羊绒 稀土 氢能 电机", ""])
def test_a_search_without_facets_ranks_and_counts_as_one_with_them(backend, text):
    """The matching's candidate queries (one kind, no facets) take a shorter path: same hits, order,
    scores and total, on every page, also past the last one."""
    backend.index_many(CORPUS)
    for kind in ("achievement", "need"):
        for page in (1, 2, 50):
            ask_with = dict(kinds=(kind,), per_page=3, page=page, highlight=False)
            full = ask(backend, text, facets=True, **ask_with)
            short = ask(backend, text, facets=False, **ask_with)
            assert [(h.id, h.score, h.source) for h in short.hits] == [(h.id, h.score, h.source) for h in full.hits]
            assert (short.total, short.page, short.pages) == (full.total, full.page, full.pages)
            assert short.facets == {}


# --- the matching's candidate query -------------------------------------------------------------------


def _achievement(n: int, title: str, body: str) -> dict:
    return {
        "id": n,
        "kind": "achievement",
        "version": 1,
        "status": "published",
        "title": title,
        "body": body,
        "keywords": [],
        "published_at": f"2026-03-{1 + n % 28:02d}T08:00:00",
    }


def _common_word_corpus(backend, plain: int = 30) -> None:
    """Every posting says 技术; a few say 石墨烯 or 涂层 as well."""
    docs = [_achievement(n, f"石墨烯导热膜技术（{n}）", "石墨烯技术用于散热。") for n in range(1, 6)]
    docs += [_achievement(n, f"防腐涂层技术（{n}）", "涂层技术用于管道。") for n in range(6, 9)]
    docs += [_achievement(n, f"通用设备改造（{n}）", "一项成熟技术。") for n in range(9, 9 + plain)]
    backend.index_many(docs)


def _candidates(backend, text: str, per_page: int):
    plan = backend.plan(SearchRequest(text=text, kinds=("achievement",), per_page=per_page, today=TODAY))
    return plan, backend.execute(plan.candidates()), backend.execute(plan.relax())


def test_candidates_leave_out_words_in_half_the_postings_and_keep_the_ranking(backend):
    _common_word_corpus(backend)
    plan, candidates, whole = _candidates(backend, "石墨烯 涂层 技术", per_page=5)
    conn = backend._conn()
    weightless = backend._weightless(conn, backend._stems(conn)["achievement"])
    pruned = fts_expression(plan.relax(), weightless)
    assert '"技术"' in fts_expression(plan.relax()) and '"技术"' not in pruned
    assert '"涂层"' in pruned and '"石墨 墨烯"' in pruned
    assert candidates.ids == whole.ids[:5]
    assert all(hit.source == {} for hit in candidates.hits)


def test_candidates_still_fill_the_page_with_postings_that_share_only_a_common_word(backend):
    _common_word_corpus(backend)
    _, candidates, whole = _candidates(backend, "石墨烯 涂层 技术", per_page=12)
    assert len(candidates.ids) == 12  # 8 with the rare words, then 4 that only say 技术
    assert candidates.ids == whole.ids[:12]


def test_a_word_stops_being_weightless_when_the_index_grows_elsewhere(backend, tmp_path):
    _common_word_corpus(backend, plain=2)
    conn = backend._conn()
    stem = backend._stems(conn)["achievement"]
    phrase = '{title_seg keywords_seg body_seg} : "技术"'
    assert backend._weightless(conn, stem)(phrase)  # in all 10 postings
    other = EmbeddedBackend(backend.path, analyzer=default_analyzer())
    other.index_many([_achievement(n, f"通用设备改造（{n}）", "设备改造。") for n in range(100, 112)])
    other.close()
    assert not backend._weightless(conn, stem)(phrase)  # 10 of 22, seen through another connection's write


def test_candidates_over_two_kinds_when_one_has_only_weightless_words(backend):
    """In one kind every posting says both words; in the other only 技术 is everywhere. The kind with
    nothing left to ask sits the pruned attempt out, and the page comes out as the whole query's (here
    the short 技术 capabilities outrank the long achievements among the postings with tiny scores)."""
    docs = [_achievement(n, f"设备{n}", "涂层技术。" + "设备改造用于工厂。" * 30) for n in range(1, 21)]
    capabilities = [(100 + n, f"防腐涂层（{n}）", "涂层用于管道。") for n in range(2)]
    capabilities += [(200 + n, f"技术（{n}）", "技术。") for n in range(4)] + [(300, "通用设备（0）", "设备。")]
    docs += [{**_achievement(n, title, body), "kind": "capability"} for n, title, body in capabilities]
    backend.index_many(docs)
    for per_page in (5, 10):
        plan = backend.plan(
            SearchRequest(text="涂层 技术", kinds=("achievement", "capability"), per_page=per_page, today=TODAY)
        )
        assert backend.execute(plan.candidates()).ids == backend.execute(plan.relax()).ids[:per_page]
