"""The search page: query box, kind tabs, facets, highlights, sorting, paging, notices, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import CooperationMode, PostingKind, PostingStatus, Tier
from app.core.models import utcnow
from app.postings.services import touch_posting
from app.search.models import SearchQueryLog
from app.search.searching import safe_highlight
from app.search.sync import drain_outbox
from tests.factories import OrgFactory, PostingFactory


def indexed(db, *postings):
    for posting in postings:
        touch_posting(posting)
    db.session.commit()
    drain_outbox()
    return postings


@pytest.fixture
def corpus(db):
    inner = OrgFactory(region="150200")
    other = OrgFactory(region="150100")
    postings = {
        "magnet": PostingFactory(org=inner, title="稀土永磁电机技术", industry="C38", trl=7),
        "polish": PostingFactory(
            org=other,
            title="稀土抛光粉制备",
            region="150100",
            industry="C32",
            trl=4,
            body="铈基稀土抛光粉，用于玻璃研磨。",
        ),
        "need": PostingFactory(
            org=other,
            kind=PostingKind.NEED,
            title="风挡玻璃防雾涂层需求",
            body="车窗玻璃冬季起雾严重。",
            keywords=["防雾"],
        ),
        "cap": PostingFactory(
            org=inner, kind=PostingKind.CAPABILITY, title="稀土永磁体加工能力", tier=Tier.SPECIALIZED
        ),
        "draft": PostingFactory(org=other, status=PostingStatus.DRAFT, title="稀土秘密草稿配方"),
    }
    postings["magnet"].cooperation = [CooperationMode.TRANSFER]
    indexed(db, *postings.values())
    return postings


def page(client, **args):
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def result_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h2 class="h6 mb-1"><a href="/postings/\w+/(\d+)"', html)]


def test_a_keyword_finds_published_postings_of_every_kind(client, corpus):
    html = page(client, q="稀土")
    assert set(result_ids(html)) == {corpus[k].id for k in ("magnet", "polish", "cap")}


def test_a_draft_never_appears_in_results(client, corpus):
    assert corpus["draft"].id not in result_ids(page(client, q="秘密草稿配方"))
    assert "秘密草稿" not in page(client, q="稀土")


def test_a_posting_closed_after_indexing_is_left_out_even_before_the_drain(client, db, corpus):
    corpus["polish"].status = PostingStatus.CLOSED
    db.session.commit()  # no outbox row drained yet: the index still says published
    assert corpus["polish"].id not in result_ids(page(client, q="抛光粉"))


def test_kind_tabs_show_counts_and_filter(client, corpus):
    html = page(client, q="稀土", kind="capability")
    assert result_ids(html) == [corpus["cap"].id]
    assert re.search(r"全部 <span[^>]*>3</span>", html)
    assert re.search(r"科技成果 <span[^>]*>2</span>", html)
    assert re.search(r"企业能力/产品 <span[^>]*>1</span>", html)


def test_facets_show_counts_and_are_clickable_filters(client, corpus):
    html = page(client, q="稀土")
    assert "包头市" in html and "呼和浩特市" in html
    assert 'href="/search?q=%E7%A8%80%E5%9C%9F&amp;region=150100"' in html
    filtered = page(client, q="稀土", region="150100")
    assert result_ids(filtered) == [corpus["polish"].id]
    assert "取消此条件" in filtered


def test_trl_facet_filters_at_least_that_level(client, corpus):
    assert result_ids(page(client, q="稀土", trl=6)) == [corpus["magnet"].id]
    assert "TRL 4 及以上" in page(client, q="稀土", kind="achievement")


def test_cooperation_and_tier_facets_filter(client, corpus):
    assert result_ids(page(client, q="稀土", coop="transfer")) == [corpus["magnet"].id]
    assert result_ids(page(client, q="稀土", tier="specialized")) == [corpus["cap"].id]
    assert "专精特新中小企业" in page(client, q="稀土")


def test_matches_are_highlighted(client, corpus):
    html = page(client, q="抛光粉")
    assert re.search(r"<h2[^>]*><a [^>]*><mark>[^<]*抛光粉</mark>制备</a>", html)
    assert re.search(r"铈基<mark>[^<]*抛光粉</mark>", html)


def test_synonyms_find_lay_wording(client, corpus):
    assert result_ids(page(client, q="车窗起雾")) == [corpus["need"].id]


def test_posting_text_cannot_inject_markup(client, db):
    evil = PostingFactory(
        title="稀土<script>alert(1)</script>", body='稀土 <img src=x onerror="alert(2)"> <mark>x</mark>'
    )
    indexed(db, evil)
    html = page(client, q="稀土")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_safe_highlight_keeps_only_mark_tags():
    assert safe_highlight("a &lt;b&gt; <mark>稀土</mark> &amp; <b>x</b>") == (
        "a &lt;b&gt; <mark>稀土</mark> &amp; &lt;b&gt;x&lt;/b&gt;"
    )


def test_sort_by_date_puts_the_newest_first(client, db):
    old = PostingFactory(title="羊绒分梳技术甲", published_at=utcnow() - timedelta(days=30))
    new = PostingFactory(title="羊绒分梳技术乙", published_at=utcnow())
    indexed(db, old, new)
    assert result_ids(page(client, q="羊绒", sort="date")) == [new.id, old.id]


def test_pages_past_the_end_show_the_last_page(make_app, db):
    app = make_app(PER_PAGE=2)
    with app.app_context():
        indexed(db, *[PostingFactory(title=f"羊绒制品{i}") for i in range(5)])
        client = app.test_client()
        html = page(client, q="羊绒", page=99)
        assert "第 3 / 3 页" in html and len(result_ids(html)) == 1
        assert "下一页" not in html and "上一页" in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("", "请输入关键词"),
        ("！！？、。", "没有可以搜索的文字"),
        ("稀" * 300, "关键词太长"),
        ("稀土 不存在的词", "包含部分关键词"),
    ],
)
def test_unusual_queries_get_a_clear_message(client, corpus, query, notice):
    assert notice in page(client, q=query)


@pytest.mark.parametrize(
    "query",
    ["*:*", '{"query": {"match_all": {}}}', "\\", "\\\\", "title:稀土 OR 1=1", '"稀土', "NEAR(稀土", "a" * 300],
)
def test_injection_attempts_are_plain_text(client, corpus, query):
    page(client, q=query)
    page(client, q=query, page="-1", trl="abc", kind="nope", industry="<x>", sort="x")


def test_searches_are_logged_with_their_result_count(client, db, corpus):
    page(client, q="稀土")
    page(client, q="月球采矿")
    page(client, q="月球采矿", page=2)  # paging does not log again
    rows = db.session.execute(sa.select(SearchQueryLog.text, SearchQueryLog.results)).all()
    assert sorted(rows) == [("月球采矿", 0), ("稀土", 3)]


def test_the_navbar_links_to_search(client):
    assert 'href="/search"' in client.get("/").get_data(as_text=True)


def test_the_page_fits_a_phone(client, corpus):
    html = page(client, q="稀土")
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="collapse d-lg-block" id="facets"' in html  # facets fold away behind a button on phones


def test_posting_lists_link_to_full_text_search_with_their_keyword(client):
    html = client.get("/postings/need", query_string={"q": "防雾"}).get_data(as_text=True)
    assert 'href="/search?q=%E9%98%B2%E9%9B%BE&amp;kind=need"' in html


def test_the_home_search_box_searches_every_kind_and_says_so(client, corpus):
    home = client.get("/").get_data(as_text=True)
    (form,) = re.findall(r'<form[^>]*role="search">.*?</form>', home, re.S)
    assert 'action="/search"' in form and 'method="get"' in form
    assert 'name="kind"' not in form  # no hidden kind: the search page shows every kind with tabs
    placeholder = re.search(r'name="q"[^>]*placeholder="([^"]+)"', form).group(1)
    assert all(word in placeholder for word in ("成果", "需求", "采购", "企业能力", "一起搜"))
    html = page(client, q="稀土")  # what submitting the box asks for
    assert set(result_ids(html)) == {corpus[k].id for k in ("magnet", "polish", "cap")}
    assert re.search(r'nav-link py-1 text-nowrap active"\s*href="[^"]*">全部', html)
    everything = result_ids(page(client, q=""))  # an empty box submitted lists every published posting
    assert len(everything) == 4 and corpus["draft"].id not in everything
