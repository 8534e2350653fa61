"""Sync: the outbox drain keeps every index equal to the database, whatever order, failures or outages.

Embedded tests always run. Engine-marked tests talk to OpenSearch at SEARCH_URL (`make engine`), each
under its own index prefix; they skip without an engine, or fail under REQUIRE_ALL=1.
"""

from __future__ import annotations

import os
import socket
from contextlib import closing

import pytest
import sqlalchemy as sa

from app.core.outbox import SearchOutbox, enqueue_index
from app.postings.models import Posting
from app.postings.services import close_posting
from app.search.backend import get_search
from app.search.documents import posting_document
from app.search.sync import drain_outbox, reindex
from tests.factories import PostingFactory, UserFactory
from tests.search.syncing import announce, assert_agree, ids_for, logged_in, make_postings, pending

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


# --- embedded (always) ---------------------------------------------------------------------------------


def test_drain_makes_db_and_index_agree(app, db):
    make_postings(db)
    report = drain_outbox()
    assert report.processed == 5 and report.failed == 0
    assert pending(db) == []
    assert_agree(db, get_search().primary)


def test_drain_twice_changes_nothing(app, db):
    make_postings(db)
    drain_outbox()
    again = drain_outbox()
    assert (again.processed, again.failed) == (0, 0)
    assert_agree(db, get_search().primary)


def test_drafts_and_expired_postings_are_indexed_but_not_searchable(app, db):
    draft, expired = make_postings(db)[3:]
    drain_outbox()
    backend = get_search().primary
    assert backend.get("achievement", draft.id)["status"] == "draft"
    assert backend.get("procurement", expired.id) is not None
    assert ids_for(backend, "抛光粉") == []
    assert ids_for(backend, "过期的采购需求") == []


def test_older_outbox_row_processed_after_newer_one_does_not_overwrite(app, db):
    posting = PostingFactory(title="白云鄂博矿石选冶")
    announce(db, posting)
    stale = posting_document(posting)
    old_row = pending(db)[0]
    posting.title = "永磁电机控制"
    announce(db, posting)
    new_row = next(r for r in pending(db) if r.id != old_row.id)
    drain_outbox(ids=[new_row.id])
    drain_outbox(ids=[old_row.id])
    backend = get_search().primary
    assert backend.get("achievement", posting.id)["title"] == "永磁电机控制"
    assert backend.index(stale).skipped == [posting.id]  # the old state itself, pushed late, is refused
    assert backend.get("achievement", posting.id)["version"] == posting.version
    assert ids_for(backend, "白云鄂博") == []


def test_closed_posting_leaves_search_results(app, db):
    owner = UserFactory()
    posting = PostingFactory(org=owner.org, title="草原生态修复技术")
    announce(db, posting)
    drain_outbox()
    assert ids_for(get_search().primary, "草原生态修复") == [posting.id]
    close_posting(posting, owner)
    db.session.commit()
    drain_outbox()
    assert ids_for(get_search().primary, "草原生态修复") == []
    assert_agree(db, get_search().primary)


def test_deleted_posting_is_removed_from_the_index(app, db):
    posting = PostingFactory(title="要删除的成果")
    announce(db, posting)
    drain_outbox()
    posting_id, version = posting.id, posting.version
    db.session.delete(posting)
    enqueue_index("posting", posting_id, version + 1)
    db.session.commit()
    assert drain_outbox().processed == 1
    assert get_search().primary.get("achievement", posting_id) is None


def test_a_request_that_changes_a_posting_is_indexed_before_the_response(app, db, login):
    owner = UserFactory()
    posting = PostingFactory(org=owner.org, title="蒙药提取工艺")
    announce(db, posting)
    drain_outbox()
    response = login(owner).post(f"/postings/achievement/{posting.id}/close")
    assert response.status_code == 302
    assert pending(db) == []
    assert get_search().primary.get("achievement", posting.id)["status"] == "closed"


def test_inline_drain_can_be_turned_off_and_the_cli_catches_up(make_app, db):
    app = make_app(SEARCH_INLINE_DRAIN=False)
    with app.app_context():
        owner = UserFactory()
        posting = PostingFactory(org=owner.org)
        db.session.commit()
        client = logged_in(app, owner)
        assert client.post(f"/postings/achievement/{posting.id}/close").status_code == 302
        assert len(pending(db)) == 1
        result = app.test_cli_runner().invoke(args=["search", "drain"])
        assert result.exit_code == 0, result.output
        assert "已同步 1 条，失败 0 条" in result.output
        assert pending(db) == []


def _closed_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_engine_down_rows_stay_pending_and_the_fallback_is_fed(make_app, db):
    app = make_app(SEARCH_BACKEND="opensearch", SEARCH_URL=f"http://127.0.0.1:{_closed_port()}", SEARCH_TIMEOUT=1)
    with app.app_context():
        make_postings(db)
        report = drain_outbox()
        assert (report.processed, report.failed) == (0, 5)
        rows = pending(db)
        assert len(rows) == 5 and all(r.attempts == 1 and "opensearch" in r.last_error for r in rows)
        assert_agree(db, get_search().fallback)


def test_engine_down_pages_render_from_the_fallback_with_a_notice(make_app, db):
    app = make_app(SEARCH_BACKEND="opensearch", SEARCH_URL=f"http://127.0.0.1:{_closed_port()}", SEARCH_TIMEOUT=1)
    with app.app_context():
        owner = UserFactory()
        posting = PostingFactory(org=owner.org, title="稀土永磁电机技术")
        announce(db, posting)
        client = logged_in(app, owner)
        drain_outbox()
        page = client.get("/search?q=稀土永磁")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "搜索服务暂不可用，当前显示本地索引结果" in html
        assert f"/postings/achievement/{posting.id}" in html
        assert client.post(f"/postings/achievement/{posting.id}/close").status_code == 302
        assert len(pending(db)) == 2  # nothing lost: the first and the close wait for the engine


def test_reindex_swaps_to_a_new_index_and_search_answers_during_it(app, db):
    make_postings(db)
    drain_outbox()
    backend = get_search().primary
    seen_during = []

    def progress(label, total):
        from contextlib import contextmanager

        @contextmanager
        def bar():
            yield lambda n: seen_during.append(ids_for(backend, "稀土永磁"))

        return bar()

    before = backend.versions("achievement")
    outcomes = reindex(progress=progress)
    assert all(o.error is None and o.index for o in outcomes)
    assert seen_during and all(ids for ids in seen_during)
    assert backend.versions("achievement") == before
    assert_agree(db, backend)


def test_status_shows_db_and_index_counts_and_the_outbox_lag(app, db, runner):
    make_postings(db)
    drain_outbox()
    PostingFactory(title="还没同步的")
    announce(db, db.session.scalars(sa.select(Posting).where(Posting.title == "还没同步的")).one())
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "科技成果 [achievement]  数据库: 共 3，可搜索 2" in result.output
    assert "embedded: 文档 2，可搜索 1" in result.output
    assert "待同步: 1 条" in result.output


def test_reindex_cli_prints_each_swap(app, db, runner):
    make_postings(db)
    result = runner.invoke(args=["search", "reindex", "--kind", "need"])
    assert result.exit_code == 0, result.output
    assert "embedded · 研发需求: 已切换到" in result.output
    assert get_search().primary.count("need") == 1


@pytest.mark.pg
def test_two_drains_never_claim_the_same_rows(app, db):
    from app.search.sync import _claim

    make_postings(db)
    first = _claim(3, 0, None)
    other = db.engine.connect()
    try:
        with other.begin():
            ids = other.execute(
                sa.select(SearchOutbox.id)
                .where(SearchOutbox.processed_at.is_(None))
                .order_by(SearchOutbox.id)
                .with_for_update(skip_locked=True)
            ).scalars()
            assert set(ids).isdisjoint({r.id for r in first})
    finally:
        other.close()
        db.session.rollback()
