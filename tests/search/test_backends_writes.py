"""The same behaviour, asked of every search backend: versions, deletes, reindexing, candidates.

Embedded always runs; OpenSearch runs when SEARCH_URL answers (`make engine`), is skipped
otherwise, and fails under REQUIRE_ALL=1. The corpus is tests/search/corpus.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from search import SearchRequest
from tests.search.corpus import CORPUS, SEARCHABLE, TODAY, ask


def test_older_version_never_overwrites_a_newer_one(backend):
    newer = {**CORPUS[1], "id": 9001, "version": 5, "title": "新版本标题沙棘油胶囊"}
    older = {**newer, "version": 3, "title": "旧版本标题枸杞原浆"}
    assert backend.index(newer).indexed == [9001]
    assert backend.index(older).skipped == [9001]
    backend.refresh()
    assert backend.get("achievement", 9001)["title"] == newer["title"]
    assert ask(backend, "枸杞原浆").total == 0
    assert backend.versions("achievement")[9001] == 5
    assert backend.index(newer).indexed == [9001]  # the same version again: an outbox drained twice
    backend.delete("achievement", 9001)
    backend.refresh()


def test_delete_removes_the_posting_unless_a_newer_version_is_stored(backend):
    doc = {**CORPUS[1], "id": 9002, "version": 4, "title": "待删除的沙棘饮料配方"}
    backend.index(doc)
    backend.refresh()
    assert ask(backend, "沙棘饮料配方").ids == [9002]
    assert backend.delete("achievement", 9002, version=2) is False
    backend.refresh()
    assert backend.get("achievement", 9002)["version"] == 4
    assert backend.delete("achievement", 9002, version=4) is True
    backend.refresh()
    assert 9002 not in ask(backend, "沙棘饮料配方").ids
    assert backend.get("achievement", 9002) is None
    assert backend.delete("achievement", 9002) is False


def test_reindex_swaps_the_alias_and_serves_old_results_meanwhile(backend):
    stale = {**CORPUS[2], "id": 9003, "kind": "need", "title": "只在旧索引里的马铃薯淀粉需求"}
    backend.index(stale)
    backend.refresh()
    needs = [d for d in CORPUS if d["kind"] == "need"]
    during = []

    def rebuilding():
        for i, doc in enumerate(needs):
            if i == len(needs) // 2:
                during.append(ask(backend, "马铃薯淀粉").ids)
                backend.index({**needs[0], "version": 2, "title": needs[0]["title"] + "（重建期间修改）"})
            yield doc

    backend.reindex("need", rebuilding(), batch_size=3)
    backend.refresh()
    assert during == [[9003]]
    assert ask(backend, "马铃薯淀粉").total == 0
    assert backend.versions("need") == {d["id"]: (2 if d is needs[0] else 1) for d in needs}
    assert ask(backend, kinds="need", per_page=50).total == sum(1 for d in SEARCHABLE if d["kind"] == "need")
    assert backend.count() == len(CORPUS)
    assert backend.count(searchable=True, today=TODAY) == len(SEARCHABLE)
    backend.index({**needs[0], "version": 3})
    backend.refresh()


def test_a_failed_reindex_keeps_serving_the_old_index(backend):
    def broken():
        yield from (d for d in CORPUS if d["kind"] == "procurement")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.reindex("procurement", broken())
    backend.index({**CORPUS[6], "version": 2})  # a live write after the failure reaches only the live index
    backend.refresh()
    assert ask(backend, "电解槽隔膜").ids == [7]
    assert ask(backend, kinds="procurement", per_page=50).total == sum(
        1 for d in SEARCHABLE if d["kind"] == "procurement"
    )


@pytest.mark.parametrize(
    "text, kind",
    [
        ("钕铁硼 稀土永磁 磁体", "achievement"),
        ("车窗玻璃老起雾", "achievement"),
        ("粉尘治理 除尘 露天矿区", "need"),
        ("稀土永磁 粉尘治理 乳清蛋白", None),  # every kind
    ],
)
def test_candidates_are_the_top_of_the_any_term_query_without_total_or_source(backend, text, kind):
    plan = backend.plan(SearchRequest(text=text, kinds=(kind,) if kind else (), per_page=3, today=TODAY))
    candidates, whole = backend.execute(plan.candidates()), backend.execute(replace(plan, per_page=50).relax())
    assert whole.total > 0
    # The same best scores; postings tied at the cut may come in another order (the engine breaks ties
    # by its own document order when it does not sort them).
    scores = {hit.id: hit.score for hit in whole.hits}
    assert [round(h.score, 4) for h in candidates.hits] == [round(h.score, 4) for h in whole.hits[:3]]
    assert all(round(scores[h.id], 4) == round(h.score, 4) for h in candidates.hits)
    kinds = {hit.id: hit.kind for hit in whole.hits}
    assert [hit.kind for hit in candidates.hits] == [kinds[hit.id] for hit in candidates.hits]
    assert all(hit.source == {} for hit in candidates.hits)
