"""The one query builder: bounded input, user text only in multi_match, filters, facets, paging;
and the OpenSearch and Elasticsearch adapters sending the very same request."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from search import SearchRequest, create_backend, default_analyzer
from search.backends.elasticsearch import ElasticsearchBackend, search_kwargs
from search.backends.opensearch import OpenSearchBackend
from search.documents import KINDS
from search.mappings import alias_name, index_body, new_index_name
from search.query import FACETS, MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_WINDOW, build_search_body, plan_search

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["*:*", '{"query":{"match_all":{}}}', "\\", "a" * 300, "！？。、……", 'title:x AND "y" OR z~2 /re.*/', ""]


def plan(text="", **kwargs):
    return plan_search(SearchRequest(text=text, today=date(2026, 6, 1), **kwargs), default_analyzer())


def body(text="", **kwargs):
    return build_search_body(plan(text, **kwargs))


def walk(node):
    """Every (key, value) pair in a nested DSL dict."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def user_texts(dsl) -> list[str]:
    return [value["query"] for key, value in walk(dsl) if key == "multi_match"]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_never_reaches_a_query_string_parser(text):
    dsl = body(text)
    keys = {key for key, _ in walk(dsl)}
    assert not keys & {"query_string", "simple_query_string", "regexp", "wildcard", "script", "fuzzy"}
    json.dumps(dsl)
    for query in user_texts(dsl):
        assert re.fullmatch(r"[^\W_]+( [^\W_]+)*", query), query


def test_long_query_is_cut_to_200_characters_and_flagged():
    long = plan("钕铁硼" * 100)
    assert long.truncated
    assert len(long.text) == MAX_QUERY_CHARS
    assert not plan("钕铁硼").truncated


@pytest.mark.parametrize("text", ["！？。、……", "\\", "*:*"])
def test_query_without_letters_or_digits_lists_everything_with_a_flag(text):
    punctuation = plan(text)
    assert punctuation.match_all and not punctuation.has_text
    assert "must" not in body(text)["query"]["bool"]


def test_empty_query_lists_everything_without_a_flag():
    assert not plan("   ").match_all


def test_title_and_keywords_are_boosted_over_the_body():
    match = next(v for k, v in walk(body("钕铁硼")) if k == "multi_match" and v["type"] == "best_fields")
    assert match["fields"] == ["title_seg^3", "keywords_seg^2", "body_seg^1"]
    assert match["operator"] == "and"


def test_partial_words_are_phrases_over_the_bigram_subfields():
    phrases = [v for k, v in walk(body("晶界扩")) if k == "multi_match" and v["type"] == "phrase"]
    assert phrases[0] == {"query": "晶界扩", "fields": ["title.cjk^1.5", "body.cjk^0.5"], "type": "phrase"}


def test_synonyms_are_alternatives_of_one_concept():
    concept = plan("钕铁硼").chunks[0].concepts[0]
    assert concept[0] == "钕铁硼" and "稀土永磁" in concept
    assert {"钕铁硼", "稀土永磁"} <= set(user_texts(body("钕铁硼")))


def test_every_chunk_must_match_until_the_search_is_relaxed():
    strict = plan("钕铁硼 乳清蛋白")
    assert strict.can_relax
    assert len(build_search_body(strict)["query"]["bool"]["must"][0]["bool"]["must"]) == 2
    relaxed = build_search_body(strict.relax())["query"]["bool"]["must"][0]
    assert relaxed["bool"]["minimum_should_match"] == 1
    assert not plan("钕铁硼").relax().can_relax


def test_only_published_unexpired_postings_are_searchable():
    filters = body()["query"]["bool"]["filter"]
    assert {"term": {"status": "published"}} in filters
    deadline = next(f for f in filters if "bool" in f)["bool"]["should"]
    assert {"range": {"deadline": {"gte": "2026-06-01"}}} in deadline
    assert {"bool": {"must_not": {"exists": {"field": "deadline"}}}} in deadline


@pytest.mark.parametrize(
    ("value", "expected"),
    [("c", {"term": {"industry_section": "C"}}), ("C39", {"term": {"industry": "C39"}}), ("Z99", None)],
)
def test_industry_filters_by_section_prefix_or_exact_division(value, expected):
    filters = body(industry=value)["query"]["bool"]["filter"]
    industry = [f for f in filters if "term" in f and "industry" in next(iter(f["term"]))]
    assert industry == ([expected] if expected else [])


def test_facet_selections_become_filters():
    dsl = body(region="150200", trl_min=12, cooperation="license", tier="little_giant", challenge=True, kinds="need")
    filters = dsl["query"]["bool"]["filter"]
    assert {"terms": {"kind": ["need"]}} in filters
    assert {"term": {"region": "150200"}} in filters
    assert {"range": {"trl": {"gte": 9}}} in filters
    assert {"term": {"cooperation": "license"}} in filters
    assert {"term": {"tier": "little_giant"}} in filters
    assert {"term": {"challenge": True}} in filters


def test_bad_filter_values_are_ignored():
    filters = body(region="'; DROP", kinds=["event"], trl_min="x")["query"]["bool"]["filter"]
    assert {"terms": {"kind": list(KINDS)}} in filters
    assert not [f for f in filters if "region" in f.get("term", {})]
    assert {"range": {"trl": {"gte": 1}}} in filters


def test_excluded_organisations_and_groups_are_must_not():
    dsl = body(exclude_org_ids=(3,), exclude_group_ids=(9,))
    assert dsl["query"]["bool"]["must_not"] == [{"terms": {"org_id": [3]}}, {"terms": {"group_id": [9]}}]


def test_facets_are_terms_aggregations():
    aggs = body()["aggs"]
    assert set(aggs) == set(FACETS) >= {"industry", "region", "trl", "cooperation", "tier"}
    assert aggs["region"] == {"terms": {"field": "region", "size": 50}}
    assert "aggs" not in body(facets=False)


def test_highlight_is_html_encoded_on_the_raw_text():
    highlight = body("钕铁硼")["highlight"]
    assert highlight["encoder"] == "html"
    assert highlight["pre_tags"] == ["<mark>"]
    assert set(highlight["fields"]) == {"title.cjk", "body.cjk"}
    assert "highlight" not in body("")


def test_sort_by_relevance_or_date_with_stable_tie_breaks():
    assert body("钕铁硼")["sort"][0] == {"_score": {"order": "desc"}}
    assert body(sort="date")["sort"] == [
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"id": {"order": "desc"}},
    ]
    assert plan(sort="popularity").sort == "relevance"


def test_paging_is_bounded_by_the_result_window():
    deep = plan(page=10_000, per_page=20)
    assert deep.page_clamped and deep.offset + deep.per_page <= MAX_WINDOW
    assert plan(per_page=5000).per_page == MAX_PER_PAGE
    assert plan(page="abc").page == 1
    assert plan(page=-3).page == 1
    assert body(page=3, per_page=10)["from"] == 20


def test_mappings_need_no_engine_plugin():
    index = index_body()
    analyzers = index["settings"]["analysis"]["analyzer"]
    assert analyzers["lq_cjk_bigram"]["filter"] == ["cjk_width", "lowercase", "cjk_bigram"]
    assert analyzers["lq_whitespace"]["tokenizer"] == "whitespace"
    assert "vector" not in index["mappings"]["properties"]
    assert index_body(384, "elasticsearch")["mappings"]["properties"]["vector"]["type"] == "dense_vector"
    assert index_body(384, "opensearch")["settings"]["knn"] is True


def test_index_names_sit_behind_a_per_kind_alias():
    assert alias_name("lianqiao", "need") == "lianqiao-need"
    assert re.fullmatch(r"lianqiao-need-\d{20}", new_index_name("lianqiao", "need"))
    with pytest.raises(ValueError):
        alias_name("lianqiao", "events")


class StubClient:
    """Records the search call and answers like an engine would."""

    def __init__(self):
        self.calls = []

    def search(self, **kwargs):
        self.calls.append(kwargs)
        hit = {
            "_id": "1",
            "_score": 2.5,
            "_source": {"kind": "achievement", "title": "钕铁硼"},
            "highlight": {"title.cjk": ["<mark>钕铁硼</mark>"]},
        }
        aggs = {name: {"buckets": [{"key": "x", "doc_count": 1}]} for name in FACETS}
        return {"hits": {"total": {"value": 1}, "hits": [hit]}, "aggregations": aggs}


def test_opensearch_and_elasticsearch_send_the_same_request():
    os_client, es_client = StubClient(), StubClient()
    request = SearchRequest(text="钕铁硼 包头", industry="C", page=2, today=date(2026, 6, 1))
    os_result = OpenSearchBackend("http://os", client=os_client).search(request)
    es_result = ElasticsearchBackend("http://es", client=es_client).search(request)
    sent_os, sent_es = os_client.calls[0], es_client.calls[0]
    assert sent_os["index"] == sent_es["index"] == ",".join(alias_name("lianqiao", k) for k in KINDS)
    assert search_kwargs(sent_os["body"]) == {k: v for k, v in sent_es.items() if k in search_kwargs(sent_os["body"])}
    assert sent_es["from_"] == 20 and "body" not in sent_es
    assert os_result == es_result
    assert os_result.hits[0].highlights == {"title": ["<mark>钕铁硼</mark>"]}
    assert os_result.facets["region"] == [("x", 1)]


def test_create_backend_chooses_by_name(tmp_path):
    assert create_backend("embedded", path=tmp_path / "s.db").name == "embedded"
    assert create_backend("opensearch", url="http://127.0.0.1:9200").name == "opensearch"
    assert create_backend("elasticsearch", url="http://127.0.0.1:9200").name == "elasticsearch"
    with pytest.raises(ValueError):
        create_backend("solr", url="http://x")
    with pytest.raises(ValueError):
        create_backend("embedded")


def test_search_package_imports_without_flask_or_the_app():
    code = (
        "import sys, search, search.backends.embedded, search.backends.opensearch, search.backends.elasticsearch;"
        "bad = sorted(m for m in sys.modules if m in ('app', 'flask') or m.startswith(('app.', 'flask.')));"
        "print(*bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_candidate_query_asks_for_ids_and_scores_only():
    """No hit count, no tie-break sort and no stored document: what lets Lucene skip the documents
    that cannot reach the top; the text clauses are those of the any-term query."""
    whole = plan("钕铁硼 稀土永磁", kinds=("achievement",), per_page=50).relax()
    got = build_search_body(whole.candidates())
    assert got["track_total_hits"] is False and got["_source"] is False
    assert "sort" not in got and "aggs" not in got and "highlight" not in got
    assert got["size"] == 50
    assert got["query"] == build_search_body(whole)["query"]
    assert search_kwargs(got)["source"] is False  # the Elasticsearch client's keyword
