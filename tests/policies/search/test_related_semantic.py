"""相关政策 by meaning (EMBEDDINGS on, the real e5 model): the posting's stored vector against the items' vectors,
above a calibrated floor, the lexical rule when vectors are off (more of it in test_related.py); and the search
page's 惠企政策 tab ranking a lay question by meaning."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import current_app

from app.core.clock import local_today
from app.core.enums import PostingKind
from app.matching.jobs import drain_and_rematch
from app.policies.related import related_items
from app.policies.vectors import PolicyItemVector, item_passage
from app.postings.services import touch_posting
from app.search.backend import get_search
from app.search.searching import SearchArgs, search_postings
from search.embedding import passage_key
from tests.factories import OrgFactory, PostingFactory
from tests.policies.search.helpers import DIGITAL, DIGITAL_ITEM, JOBS, JOBS_ITEM, make_policy

MES_TITLE = "想上MES，但怕上了用不起来"
DIGITAL_DEMO_ITEM = {**DIGITAL_ITEM, "title": "中小企业数字化改造补助"}  # as in the demo catalogue
MES_BODY = "车间排产、报工全靠纸质单据和微信群，想上一套制造执行系统，担心实施周期长、工人不会用。"


@pytest.fixture
def semantic_app(make_app, db):
    app = make_app(EMBEDDINGS=True)
    with app.app_context():
        yield app


@pytest.fixture
def setting(semantic_app, db):
    """A 包头 SME with a lay need for an MES (no shared word with the subsidy's title), a 数字化 subsidy and
    稳岗返还 it both qualifies for; everything indexed and embedded as the drain does."""
    org = OrgFactory(region="150200")
    need = PostingFactory(org=org, kind=PostingKind.NEED, title=MES_TITLE, body=MES_BODY, keywords=[])
    digital = make_policy(db, DIGITAL, [DIGITAL_DEMO_ITEM]).items[0]
    jobs = make_policy(db, JOBS, [JOBS_ITEM]).items[0]
    touch_posting(need)
    db.session.commit()
    drain_and_rematch()
    return org, need, digital, jobs


def shown(org, posting):
    return [r.item for r in related_items(org, [posting])]


def test_an_mes_need_gets_the_digital_subsidy_by_meaning_and_not_the_job_subsidy(setting):
    org, need, digital, jobs = setting
    found = related_items(org, [need])
    assert [r.item for r in found] == [digital]
    assert found[0].semantic and found[0].reason.startswith("语义相近")
    assert not {"建设", "在线", "服务", "系统", "项目"} & set(found[0].words)


def test_the_floor_hides_an_unrelated_item(semantic_app, setting):
    org, need, digital, jobs = setting
    assert jobs not in shown(org, need)
    semantic_app.config["POLICY_RELATED_FLOOR"] = 0.0  # without a floor every fitting item is "related"
    assert jobs in shown(org, need)


def test_a_changed_posting_is_compared_by_its_new_vector(db, setting):
    org, need, digital, _ = setting
    need.title, need.body = "冷鲜羊肉发到南方货架期不够", "低温排酸后的冷鲜羊肉运到广州只能放5天，想延长货架期。"
    touch_posting(need)
    db.session.commit()
    drain_and_rematch()
    assert digital not in shown(org, need)
    need.title, need.body = MES_TITLE, MES_BODY
    touch_posting(need)
    db.session.commit()
    drain_and_rematch()
    assert digital in shown(org, need)


def test_an_item_s_vector_is_recomputed_when_its_text_changes(db, setting):
    _, _, digital, _ = setting
    before = db.session.get(PolicyItemVector, digital.id)
    old_hash, old_vector = before.text_hash, before.vector
    digital.title = "稀土永磁材料首批次应用奖励"
    db.session.commit()
    drain_and_rematch()
    db.session.expire_all()
    after = db.session.get(PolicyItemVector, digital.id)
    assert after.text_hash == passage_key(item_passage(digital)) != old_hash
    assert after.vector != old_vector


def test_an_outdated_item_vector_is_not_compared(db, setting):
    """Between an edit and the drain the stored vector describes the old text: the lexical rule applies."""
    org, need, digital, _ = setting
    db.session.execute(sa.update(PolicyItemVector).values(text_hash="0" * 40))
    db.session.commit()
    assert all(not r.semantic for r in related_items(org, [need]))


def test_without_embeddings_the_lexical_rule_still_relates_shared_words(make_app, db):
    app = make_app(EMBEDDINGS=False)
    with app.app_context():
        org = OrgFactory(region="150200")
        need = PostingFactory(
            org=org,
            kind=PostingKind.NEED,
            title="车间想上一套MES系统",
            body="想上MES实现车间生产数据采集和数字化管理。",
            keywords=["MES"],
        )
        digital = make_policy(db, DIGITAL, [DIGITAL_ITEM]).items[0]
        touch_posting(need)
        db.session.commit()
        drain_and_rematch()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyItemVector)) == 0
        [found] = related_items(org, [need])
        assert found.item == digital and not found.semantic and found.reason.startswith("共同词语：")


# --- the search page's 惠企政策 tab: a lay question finds the item written for it --------------------------------

TALENT_ITEM = {**JOBS_ITEM, "title": "引进博士及高级职称人才安家补贴"}
LOAN_ITEM = {**JOBS_ITEM, "title": "信易贷融资利息补贴"}


def tab_titles(**args) -> tuple[list[str], bool]:
    get_search().primary.refresh()
    with current_app.test_request_context("/search"):
        page = search_postings(SearchArgs.from_args({"kind": "policy", **args}), 20, local_today())
    return [re.sub("<[^>]+>", "", str(hit.title)) for hit in page.hits], page.blended


@pytest.fixture
def tab(semantic_app, db):
    make_policy(db, DIGITAL, [DIGITAL_DEMO_ITEM])
    make_policy(db, JOBS, [JOBS_ITEM, TALENT_ITEM, LOAN_ITEM])
    db.session.commit()
    drain_and_rematch()


def test_a_lay_question_on_the_policy_tab_ranks_the_item_meant_first(tab):
    found, blended = tab_titles(q="招博士有补贴吗")
    assert blended and found[0] == "引进博士及高级职称人才安家补贴"
    found, blended = tab_titles(q="车间数字化改造有补贴吗")
    assert blended and found[0] == "中小企业数字化改造补助"
    found, blended = tab_titles(q="银行借钱利息太高")
    assert blended and found == ["信易贷融资利息补贴"]


def test_the_policy_tab_s_filters_apply_to_the_meaning_hits(tab):
    found, _ = tab_titles(q="招博士有补贴吗", window="closed")
    assert "引进博士及高级职称人才安家补贴" not in found


def test_a_question_no_item_is_about_adds_no_meaning_hits(tab):
    assert tab_titles(q="羊绒分梳")[1] is False


def test_without_embeddings_the_policy_tab_is_lexical(make_app, db):
    app = make_app(EMBEDDINGS=False)
    with app.app_context():
        make_policy(db, JOBS, [JOBS_ITEM, TALENT_ITEM])
        db.session.commit()
        drain_and_rematch()
        assert tab_titles(q="招博士有补贴吗")[1] is False
