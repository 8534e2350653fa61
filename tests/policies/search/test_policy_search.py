"""Policy items as a searchable kind: indexed through the search outbox like postings, found by their words on the
惠企政策 tab of /search (published policies only), with facets 发文部门 / 地区 / 支持方式 / 申报状态 computed on the
Beijing date. Each test runs on the embedded index and, marked `engine`, on OpenSearch (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import current_app

from app.core.clock import local_today
from app.core.outbox import SearchOutbox
from app.core.policy_enums import BenefitType, PolicyStatus
from app.policies.indexing import ENTITY, item_document
from app.policies.models import PolicyItem
from app.policies.services import change_policy_status
from app.search.backend import get_search
from app.search.searching import SearchArgs, search_postings
from app.search.sync import drain_outbox
from search import SearchRequest
from tests.policies.search.helpers import DIGITAL, DIGITAL_ITEM, JOBS, JOBS_ITEM, make_policy


def policy_ids(text: str = "", **filters) -> list[int]:
    search = get_search()
    search.primary.refresh()
    request = SearchRequest(text=text, kinds=("policy",), today=local_today(), facets=False, **filters)
    return search.primary.search(request).ids


def pending(db) -> list[SearchOutbox]:
    return db.session.scalars(
        sa.select(SearchOutbox).where(SearchOutbox.processed_at.is_(None), SearchOutbox.entity_type == ENTITY)
    ).all()


def page_of(**args):
    get_search().primary.refresh()
    with current_app.test_request_context("/search"):
        return search_postings(SearchArgs.from_args({"kind": "policy", **args}), 20, local_today())


def facet(page, label: str) -> dict[str, int]:
    found = next(f for f in page.facets if f.label == label)
    return {option.label: option.count for option in found.options}


def test_a_published_item_is_found_by_its_words_and_its_policy(search_app, db):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    [item] = policy.items
    assert policy_ids("数字化改造") == [item.id]  # the item's title
    assert policy_ids("MES") == [item.id]  # the interpretation
    assert policy_ids("内工信规") == [item.id]  # the 文号
    assert policy_ids("工业和信息化厅") == [item.id]  # the issuer
    assert policy_ids("稀土永磁") == []


def test_the_search_page_has_a_policy_tab_that_links_to_the_policy(search_app, db):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    page = search_app.test_client().get("/search?q=数字化转型&kind=policy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="nav-link py-1 text-nowrap active"' in html and "惠企政策" in html
    assert "<mark>数字化</mark>改造项目补助" in html
    assert f'href="/policies/{policy.id}"' in html
    assert "10–50万元" in html and "申报中" in html
    other_tab = search_app.test_client().get("/search?q=数字化转型").get_data(as_text=True)
    assert 'href="/search?q=%E6%95%B0%E5%AD%97%E5%8C%96%E8%BD%AC%E5%9E%8B&amp;kind=policy"' in other_tab


@pytest.mark.parametrize("status", [PolicyStatus.DRAFT, PolicyStatus.WITHDRAWN])
def test_drafts_and_withdrawn_policies_are_not_searchable(search_app, db, status):
    make_policy(db, DIGITAL, [DIGITAL_ITEM], status=status)
    drain_outbox()
    assert policy_ids("数字化改造") == []


def test_withdrawing_a_published_policy_takes_its_items_out_of_search(search_app, db):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    assert policy_ids("数字化改造")
    change_policy_status(policy, PolicyStatus.WITHDRAWN, reason="政策调整")
    db.session.commit()
    assert len(pending(db)) == 1
    drain_outbox()
    assert policy_ids("数字化改造") == []


def test_an_edited_item_is_found_by_its_new_words(search_app, db):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    policy.items[0].title = "智能工厂建设奖励"
    db.session.commit()
    drain_outbox()
    assert policy_ids("智能工厂") == [policy.items[0].id]


def test_a_deleted_item_leaves_the_index(search_app, db):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM, {**DIGITAL_ITEM, "title": "首购首用补贴"}])
    drain_outbox()
    gone = policy.items[1]
    assert policy_ids("首购首用") == [gone.id]
    db.session.delete(gone)
    db.session.commit()
    drain_outbox()
    assert policy_ids("首购首用") == []
    assert get_search().primary.get("policy", gone.id) is None


def test_a_crash_between_commit_and_indexing_loses_nothing(search_app, db, monkeypatch):
    """The outbox row is committed with the change; a drain that dies before the index is written leaves it
    pending, and the next drain makes the index agree with the database."""
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM], status=PolicyStatus.DRAFT)
    drain_outbox()
    change_policy_status(policy, PolicyStatus.PUBLISHED)
    db.session.commit()  # committed: the process dies before any drain ran
    assert [row.entity_id for row in pending(db)] == [policy.items[0].id]
    assert policy_ids("数字化改造") == []

    primary = get_search().primary

    def crash(*args, **kwargs):
        raise RuntimeError("进程在写索引时崩溃")

    monkeypatch.setattr(primary, "index_many", crash)
    report = drain_outbox()
    assert report.failed == 1 and pending(db)[0].attempts == 1
    monkeypatch.undo()

    assert drain_outbox().processed == 1
    assert pending(db) == []
    item = policy.items[0]
    for backend in get_search().backends:
        backend.refresh()
        assert backend.versions("policy") == {item.id: item_document(item)["version"]}
    assert policy_ids("数字化改造") == [item.id]


def test_facets_count_issuer_region_and_benefit(search_app, db):
    make_policy(
        db, DIGITAL, [DIGITAL_ITEM, {**DIGITAL_ITEM, "title": "上云服务券", "benefit_type": BenefitType.VOUCHER}]
    )
    make_policy(db, JOBS, [JOBS_ITEM])
    drain_outbox()
    page = page_of()
    assert page.total == 3
    assert facet(page, "发文部门") == {"内蒙古自治区工业和信息化厅": 2, "包头市人力资源和社会保障局": 1}
    assert facet(page, "地区") == {"自治区本级": 2, "包头市": 1}
    assert facet(page, "支持方式") == {"资金补助": 1, "服务券": 1, "其他": 1}
    narrowed = page_of(region="150200")
    assert [hit.title for hit in narrowed.hits] == ["失业保险稳岗返还"]
    assert facet(narrowed, "发文部门") == {"包头市人力资源和社会保障局": 1}


WINDOWS = [
    ("已截止昨天", date(2026, 12, 3)),
    ("今天截止", date(2026, 12, 4)),
    ("七天后截止", date(2026, 12, 11)),
    ("八天后截止", date(2026, 12, 12)),
    ("长期受理", None),
]


def window_items(db):
    make_policy(db, JOBS, [{**JOBS_ITEM, "title": title, "closes_on": closes} for title, closes in WINDOWS])
    make_policy(db, DIGITAL, [{**DIGITAL_ITEM, "title": "明年开放", "opens_on": date(2027, 1, 1), "closes_on": None}])
    drain_outbox()


def titles(page) -> set[str]:
    return {str(hit.title) for hit in page.hits}


def test_window_status_is_counted_on_the_beijing_date(search_app, db):
    window_items(db)  # the test clock: 2026-12-04 10:00 in Beijing
    page = page_of()
    assert facet(page, "申报状态") == {"申报中": 4, "即将截止（7天内）": 2, "已截止": 1}
    assert titles(page_of(window="closing")) == {"今天截止", "七天后截止"}
    assert titles(page_of(window="closed")) == {"已截止昨天"}
    assert titles(page_of(window="open")) == {"今天截止", "七天后截止", "八天后截止", "长期受理"}


def test_window_status_turns_at_beijing_midnight_not_utc(search_app, db):
    window_items(db)
    # 01:00 on 12-05 in Beijing is still 12-04 in UTC: the item closing on 12-04 has closed for Beijing.
    with time_machine.travel(datetime(2026, 12, 4, 17, 0, tzinfo=UTC), tick=False):
        assert local_today() == date(2026, 12, 5)
        page = page_of()
        assert facet(page, "申报状态") == {"申报中": 3, "即将截止（7天内）": 2, "已截止": 2}
        assert titles(page_of(window="closed")) == {"已截止昨天", "今天截止"}
        assert titles(page_of(window="closing")) == {"七天后截止", "八天后截止"}


def test_policy_filters_never_reach_a_posting_search(search_app, db):
    """The posting tabs ignore the policy facets, and a policy search never lists postings."""
    from tests.factories import PostingFactory
    from tests.search.syncing import announce

    announce(db, PostingFactory(title="数字化改造服务能力"))
    make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    get_search().primary.refresh()
    with current_app.test_request_context("/search"):
        posting_page = search_postings(
            SearchArgs.from_args({"q": "数字化改造", "benefit": "subsidy"}), 20, local_today()
        )
    assert [hit.posting.title for hit in posting_page.hits] == ["数字化改造服务能力"]
    assert dict((v, n) for v, _, n in posting_page.tabs)["policy"] == 1
    assert [str(hit.title) for hit in page_of(q="数字化改造").hits] == ["<mark>数字化改造</mark>项目补助"]


def test_reindex_rebuilds_the_policy_index_from_the_database(search_app, db, runner):
    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    db.session.execute(sa.delete(SearchOutbox))  # as if the rows had been lost: only a rebuild can help
    db.session.commit()
    result = search_app.test_cli_runner().invoke(args=["search", "reindex", "--kind", "policy"])
    assert result.exit_code == 0, result.output
    assert "惠企政策: 已切换到" in result.output
    assert policy_ids("数字化改造") == [policy.items[0].id]
    status = search_app.test_cli_runner().invoke(args=["search", "status"])
    assert "惠企政策 [policy]  数据库: 共 1，可搜索 1" in status.output


def test_policy_items_have_their_own_outbox_rows(search_app, db):
    make_policy(db, DIGITAL, [DIGITAL_ITEM, {**DIGITAL_ITEM, "title": "上云服务券"}])
    ids = sorted(db.session.scalars(sa.select(PolicyItem.id)))
    assert sorted(row.entity_id for row in pending(db)) == ids


def test_the_admins_synonyms_reach_policy_items_as_they_reach_postings(search_app, db):
    """Same analysis as postings: no vectors for items, but a word an admin maps to the policy's word finds it."""
    from app.search.dictionary import create_synonym_group, seed_dictionary
    from tests.factories import AdminFactory

    policy = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    drain_outbox()
    assert policy_ids("MOM") == []
    seed_dictionary()  # what the admin's first visit to the dictionary pages does
    create_synonym_group("MES, MOM", "制造运营管理", AdminFactory())
    db.session.commit()
    assert policy_ids("MOM") == [policy.items[0].id]
