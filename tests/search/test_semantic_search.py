"""The search page understands lay wording: a sentence that shares no words with a posting still finds it
when it means the same (the real e5 model, EMBEDDINGS on), and unrelated text adds nothing."""

from __future__ import annotations

import re

import pytest

from app.core.enums import PostingKind
from app.matching.jobs import drain_and_rematch
from app.postings.services import touch_posting
from tests.factories import OrgFactory, PostingFactory

DUST = "基于湿式静电与脉冲袋式耦合的细颗粒治理技术"


@pytest.fixture
def semantic_app(make_app, db):
    """An app with the model on, its context pushed after the database fixture's (so it is current_app)."""
    app = make_app(EMBEDDINGS=True)
    with app.app_context():
        yield app


@pytest.fixture
def catalogue(semantic_app, db):
    org = OrgFactory()
    postings = [
        PostingFactory(
            org=org,
            title=DUST,
            keywords=["袋式除尘", "湿式静电"],
            body="细颗粒物排放浓度低于10mg/m³，适用于抛光、研磨等工段。",
        ),
        PostingFactory(
            org=org, title="低重稀土烧结钕铁硼晶界扩散技术", keywords=["钕铁硼"], body="矫顽力提高，重稀土用量降低。"
        ),
        PostingFactory(org=org, title="羊绒无损分梳工艺", keywords=["羊绒", "分梳"], body="提高羊绒长度，降低损伤。"),
        PostingFactory(org=org, title="奶酪快速成熟发酵剂", keywords=["奶酪"], body="缩短成熟周期，风味稳定。"),
        PostingFactory(
            org=OrgFactory(), kind=PostingKind.NEED, title="牧场奶牛发情监测需求", keywords=["奶牛"], body="漏配多。"
        ),
    ]
    for posting in postings:
        touch_posting(posting)
    db.session.commit()
    drain_and_rematch()  # indexes, computes the vectors, matches
    return postings


def titles(client, q: str) -> list[str]:
    text = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    return [re.sub("<[^>]+>", "", t) for t in re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">(.*?)</a>', text)]


def test_a_lay_sentence_finds_the_posting_written_in_other_words(semantic_app, catalogue):
    found = titles(semantic_app.test_client(), "打磨车间灰尘大，环保不达标")
    assert found and found[0] == DUST


def test_unrelated_text_adds_nothing_by_meaning(semantic_app, catalogue):
    assert DUST not in titles(semantic_app.test_client(), "冬天路面结冰，运输车打滑")


def test_a_repeated_search_is_not_encoded_again(semantic_app, catalogue):
    """The same query under another address (the same address is served from memory: app/core/pagecache.py)
    reuses the query's vector."""
    client, cache = semantic_app.test_client(), semantic_app.extensions["query_vectors"]
    titles(client, "车间里灰太大")
    misses = cache.misses
    assert client.get("/search", query_string={"q": "车间里灰太大", "sort": "relevance"}).status_code == 200
    assert cache.misses == misses and cache.hits >= 1


def test_a_posting_found_by_meaning_outside_the_chosen_filters_is_not_shown(semantic_app, catalogue):
    """The sentence means the dust posting, but the visitor chose another region: it stays out, as it would
    if its words had matched."""
    client = semantic_app.test_client()
    page = client.get("/search", query_string={"q": "打磨车间灰尘大，环保不达标", "region": "150100"})
    assert page.status_code == 200 and DUST not in page.get_data(as_text=True)
    assert DUST in titles(client, "打磨车间灰尘大，环保不达标")  # the same sentence without the filter finds it


def test_postings_that_match_the_words_come_first_and_those_found_by_meaning_follow_under_their_own_heading(
    semantic_app, catalogue, db
):
    meter = PostingFactory(
        title="车间灰尘浓度在线检测仪", keywords=["粉尘检测"], body="实时监测车间灰尘浓度，超标报警。"
    )
    touch_posting(meter)
    db.session.commit()
    drain_and_rematch()
    html = semantic_app.test_client().get("/search", query_string={"q": "灰尘浓度"}).get_data(as_text=True)
    assert "共 1 条结果，另有 1 条意思相近的信息列在后面" in html
    words, meaning = html.index(f'href="/postings/achievement/{meter.id}"'), html.index('id="related-title"')
    assert words < meaning < html.index(DUST)  # the count's one posting, then the heading, then the dust posting
