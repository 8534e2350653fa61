"""The embedded backend's own rules: a separate SQLite file, FTS5 queries built safely from the
plan, generations swapped by reindex, one connection per thread, no setup step required.
The behaviour shared with the engines is in test_search_backends.py."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from search import EngineUnavailable, SearchRequest, default_analyzer
from search.backends.embedded import EmbeddedBackend
from search.backends.fts import fts_expression
from tests.test_search_backends import CORPUS, TODAY, ask


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
    assert "lianqiao_need_5_docs" in tables
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
