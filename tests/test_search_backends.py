"""The same behaviour, asked of every search backend.

Embedded always runs; OpenSearch runs when SEARCH_URL answers (`make engine`), is skipped
otherwise, and fails under REQUIRE_ALL=1. One index set per backend per module, dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from search import SearchRequest, default_analyzer
from search.backends.embedded import EmbeddedBackend
from search.query import MAX_QUERY_CHARS
from tests.conftest import missing

TODAY = date(2026, 6, 1)
SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")

SPECIAL = [
    {
        "id": 1,
        "kind": "achievement",
        "title": "高性能烧结钕铁硼永磁体制备技术",
        "body": "采用晶界扩散工艺降低重稀土用量，适用于新能源汽车驱动电机。",
        "keywords": ["晶界扩散"],
        "industry": "C32",
        "region": "150200",
        "trl": 7,
        "cooperation": ["transfer", "license"],
        "org_id": 101,
        "group_id": 11,
    },
    {
        "id": 2,
        "kind": "achievement",
        "title": "风挡防雾涂层",
        "body": "一种用于汽车挡风玻璃的长效防雾涂层，透光率高，耐擦洗。",
        "keywords": ["防雾", "涂层"],
        "industry": "C26",
        "region": "150100",
        "trl": 5,
        "cooperation": ["joint_dev"],
        "org_id": 102,
    },
    {
        "id": 3,
        "kind": "need",
        "title": "露天矿区道路粉尘治理",
        "body": "运输道路扬尘严重，寻求长效抑尘剂和洒水方案。",
        "industry": "B06",
        "region": "150600",
        "deadline": "2026-12-31",
        "challenge": True,
        "budget_wan": 80,
        "cooperation": ["contract_rd"],
        "org_id": 103,
        "group_id": 11,
    },
    {
        "id": 4,
        "kind": "need",
        "title": "煤焦油深加工催化剂",
        "body": "截止日期已过的需求。",
        "industry": "C25",
        "region": "150300",
        "deadline": "2026-05-01",
        "org_id": 104,
    },
    {
        "id": 5,
        "kind": "achievement",
        "status": "draft",
        "title": "稀土抛光粉回收工艺",
        "body": "草稿不可搜索。",
        "industry": "C32",
        "region": "150200",
        "org_id": 105,
    },
    {
        "id": 6,
        "kind": "capability",
        "title": "光伏组件清洗机器人",
        "body": "适用于大型光伏电站的无水清洗，<script>alert(1)</script> 不应执行。",
        "industry": "C34",
        "region": "150900",
        "tier": "little_giant",
        "org_id": 106,
    },
    {
        "id": 7,
        "kind": "procurement",
        "title": "碱性电解槽隔膜采购",
        "body": "绿氢项目采购电解槽隔膜，要求国产化。",
        "industry": "D44",
        "region": "150600",
        "deadline": "2026-09-30",
        "org_id": 107,
    },
]

TOPICS = [
    ("乳清蛋白提取", "C14", "乳清蛋白膜分离提取与喷雾干燥"),
    ("益生菌发酵乳", "C14", "益生菌菌株筛选和发酵工艺"),
    ("羊绒分梳设备", "C17", "无毛绒分梳提高收率"),
    ("煤制烯烃催化剂", "C26", "甲醇制烯烃催化剂寿命提升"),
    ("风电运维无人机", "M74", "风机叶片巡检与缺陷识别"),
    ("肉苁蓉人工种植", "A01", "梭梭林下接种肉苁蓉"),
    ("沙棘果汁加工", "C15", "沙棘果汁澄清与保鲜"),
    ("蒙药现代制剂", "C27", "蒙药传统方剂的颗粒剂开发"),
    ("退化草原修复", "N77", "草原修复与补播改良"),
    ("矿用卡车无人驾驶", "C35", "露天矿运输车辆自动驾驶系统"),
    ("工业互联网平台", "I64", "设备联网与数据采集"),
    ("智慧牧场管理系统", "I65", "耳标识别与饲喂管理"),
]
KIND_CYCLE = ["achievement", "need", "procurement", "capability"]
REGION_CYCLE = ["150100", "150200", "150400", "150600", "150700", "152500"]
COOP_CYCLE = [["transfer"], ["license", "joint_dev"], ["service"], []]
TIER_CYCLE = ["innovative", "specialized", None]


def _filler(n: int) -> dict:
    topic, industry, body = TOPICS[n % len(TOPICS)]
    kind = KIND_CYCLE[n % 4]
    return {
        "id": 100 + n,
        "kind": kind,
        "title": f"{topic}（{n}号）",
        "body": body,
        "keywords": [topic],
        "industry": industry,
        "region": REGION_CYCLE[n % len(REGION_CYCLE)],
        "trl": (n % 9) + 1 if kind == "achievement" else None,
        "cooperation": COOP_CYCLE[n % len(COOP_CYCLE)],
        "tier": TIER_CYCLE[n % 3] if kind == "capability" else None,
        "org_id": 200 + n % 5,
    }


def _corpus() -> list[dict]:
    docs = SPECIAL + [_filler(n) for n in range(50 - len(SPECIAL))]
    out = []
    for i, doc in enumerate(docs):
        full = {"version": 1, "status": "published", "body": "", "keywords": [], **doc}
        full["published_at"] = f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T08:00:00"
        out.append(full)
    return out


CORPUS = _corpus()


def searchable(doc: dict) -> bool:
    return doc["status"] == "published" and (doc.get("deadline") is None or doc["deadline"] >= TODAY.isoformat())


SEARCHABLE = [d for d in CORPUS if searchable(d)]


def newest_first(docs) -> list[int]:
    return [d["id"] for d in sorted(docs, key=lambda d: d["published_at"], reverse=True)]


def ask(backend, text="", **kwargs):
    kwargs.setdefault("today", TODAY)
    return backend.search(SearchRequest(text=text, **kwargs))


def opensearch_backend(prefix: str):
    from search.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(SEARCH_URL, analyzer=default_analyzer(), prefix=prefix)
    if not backend.ping():
        missing(f"no search engine at SEARCH_URL={SEARCH_URL} (start one with `make engine`)")
    return backend


def build_backend(name: str, tmp_path_factory):
    prefix = f"lqtest-{uuid.uuid4().hex[:8]}"
    if name == "embedded":
        path = tmp_path_factory.mktemp("search") / "search.db"
        backend = EmbeddedBackend(path, analyzer=default_analyzer(), prefix=prefix)
    else:
        backend = opensearch_backend(prefix)
    backend.ensure_indices()
    report = backend.index_many(CORPUS)
    assert sorted(report.indexed) == sorted(d["id"] for d in CORPUS)
    backend.refresh()
    return backend


@pytest.fixture(scope="module", params=["embedded", pytest.param("opensearch", marks=pytest.mark.engine)])
def backend(request, tmp_path_factory):
    backend = build_backend(request.param, tmp_path_factory)
    yield backend
    backend.drop_all()
    backend.close()


def test_full_word_finds_the_posting(backend):
    result = ask(backend, "钕铁硼")
    assert result.ids == [1]
    assert not result.relaxed


def test_synonym_finds_a_posting_worded_differently(backend):
    assert ask(backend, "稀土永磁").ids == [1]
    result = ask(backend, "除尘")
    assert result.ids == [3]
    assert result.hits[0].highlights["title"] == ["露天矿区道路<mark>粉尘治理</mark>"]


def test_lay_wording_finds_the_technical_posting_through_synonyms(backend):
    assert ask(backend, "车窗玻璃老起雾").ids[0] == 2


def test_partial_word_finds_the_posting_through_bigrams(backend):
    result = ask(backend, "晶界扩")
    assert result.ids == [1]
    assert not result.relaxed


def test_drafts_and_expired_postings_are_not_searchable(backend):
    assert ask(backend, "煤焦油").total == 0
    assert ask(backend, "抛光粉").total == 0
    assert ask(backend).total == len(SEARCHABLE)


def test_all_terms_must_match_before_any_term_is_accepted(backend):
    result = ask(backend, "钕铁硼 乳清蛋白")
    assert result.relaxed
    assert 1 in result.ids and 100 in result.ids


def test_kind_filter(backend):
    result = ask(backend, kinds=["need"], per_page=50)
    assert sorted(result.ids) == sorted(d["id"] for d in SEARCHABLE if d["kind"] == "need")


def test_industry_filter_by_section_prefix_or_exact_division(backend):
    by_section = ask(backend, industry="c", per_page=50)
    assert sorted(by_section.ids) == sorted(d["id"] for d in SEARCHABLE if d["industry"].startswith("C"))
    assert sorted(ask(backend, industry="C32").ids) == [1]


def test_region_trl_cooperation_tier_and_challenge_filters(backend):
    def expected(predicate):
        return sorted(d["id"] for d in SEARCHABLE if predicate(d))

    assert sorted(ask(backend, region="150600", per_page=50).ids) == expected(lambda d: d["region"] == "150600")
    assert sorted(ask(backend, trl_min=7, per_page=50).ids) == expected(lambda d: (d.get("trl") or 0) >= 7)
    assert sorted(ask(backend, cooperation="license", per_page=50).ids) == expected(
        lambda d: "license" in d.get("cooperation", [])
    )
    assert sorted(ask(backend, tier="little_giant").ids) == expected(lambda d: d.get("tier") == "little_giant")
    assert ask(backend, challenge=True).ids == [3]


def test_own_organisation_and_group_can_be_excluded(backend):
    result = ask(backend, "钕铁硼 粉尘", exclude_group_ids=(11,))
    assert result.total == 0
    assert 1 not in ask(backend, exclude_org_ids=(101,), per_page=50).ids


def test_facet_counts_match_the_corpus(backend):
    facets = ask(backend, per_page=1).facets
    expected_region = Counter(d["region"] for d in SEARCHABLE)
    assert dict(facets["region"]) == dict(expected_region)
    assert dict(facets["kind"]) == dict(Counter(d["kind"] for d in SEARCHABLE))
    assert dict(facets["industry_section"]) == dict(Counter(d["industry"][0] for d in SEARCHABLE))
    assert dict(facets["trl"]) == dict(Counter(d["trl"] for d in SEARCHABLE if d.get("trl")))
    assert dict(facets["cooperation"]) == dict(Counter(m for d in SEARCHABLE for m in d.get("cooperation", [])))
    assert dict(facets["tier"]) == dict(Counter(d["tier"] for d in SEARCHABLE if d.get("tier")))
    counts = [n for _, n in facets["region"]]
    assert counts == sorted(counts, reverse=True)


def test_facets_count_within_the_filtered_results(backend):
    facets = ask(backend, "乳清蛋白").facets
    assert sum(n for _, n in facets["kind"]) == ask(backend, "乳清蛋白").total


def test_highlight_marks_matched_words_on_the_original_text(backend):
    hit = ask(backend, "钕铁硼").hits[0]
    assert hit.highlights["title"] == ["高性能烧结<mark>钕铁硼</mark>永磁体制备技术"]


def test_highlight_escapes_html_in_the_posting_text(backend):
    hit = ask(backend, "光伏清洗").hits[0]
    assert hit.id == 6
    assert "<mark>光伏</mark>" in hit.highlights["title"][0]
    body = hit.highlights["body"][0]
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_sort_by_date_puts_the_newest_first(backend):
    result = ask(backend, sort="date", per_page=10)
    assert result.ids == newest_first(SEARCHABLE)[:10]


def test_paging_walks_every_result_once(backend):
    seen = []
    for page in range(1, 10):
        seen += ask(backend, per_page=7, page=page, facets=False).ids
    assert seen == newest_first(SEARCHABLE)


def test_page_beyond_the_end_is_empty_but_keeps_the_total(backend):
    result = ask(backend, page=40, per_page=20)
    assert result.hits == []
    assert result.total == len(SEARCHABLE)
    assert result.page == 40


@pytest.mark.parametrize(
    "text", ["*:*", '{"query":{"match_all":{}}}', "\\", "！？。、", "title:钕铁硼 OR 1=1", "钕铁硼" * 120]
)
def test_odd_and_hostile_input_gives_a_normal_result(backend, text):
    result = ask(backend, text)
    assert result.total >= 0
    if len(text) > MAX_QUERY_CHARS:
        assert result.truncated and result.ids == [1]


def test_punctuation_only_lists_everything_with_a_flag(backend):
    result = ask(backend, "？！……")
    assert result.match_all
    assert result.total == len(SEARCHABLE)


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
