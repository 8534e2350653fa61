"""The same behaviour, asked of every search backend: finding, filtering, facets, highlights, paging.

Embedded always runs; OpenSearch runs when SEARCH_URL answers (`make engine`), is skipped
otherwise, and fails under REQUIRE_ALL=1. The corpus is tests/search/corpus.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from search.query import MAX_QUERY_CHARS
from tests.search.corpus import SEARCHABLE, ask, newest_first


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


def test_an_ids_filter_keeps_only_those_postings_and_still_applies_the_others(backend):
    wanted = tuple(d["id"] for d in SEARCHABLE[:3])
    assert sorted(ask(backend, "", ids=wanted, per_page=50).ids) == sorted(wanted)
    kind = SEARCHABLE[0]["kind"]
    same_kind = {d["id"] for d in SEARCHABLE[:3] if d["kind"] == kind}
    assert set(ask(backend, "", ids=wanted, kinds=(kind,), per_page=50).ids) == same_kind
