"""Sync: the outbox drain keeps every index equal to the database, whatever order, failures or outages.

Embedded tests always run. Engine-marked tests talk to OpenSearch at SEARCH_URL (`make engine`), each
under its own index prefix; they skip without an engine, or fail under REQUIRE_ALL=1.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import closing
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import PostingKind, PostingStatus
from app.matching.backend import get_search
from app.matching.documents import posting_document
from app.matching.models import SearchOutbox, enqueue_index
from app.matching.sync import drain_outbox, reindex
from app.postings.models import Posting
from app.postings.services import close_posting, touch_posting
from search import SearchRequest
from search.documents import KINDS
from tests.conftest import login_as, missing
from tests.factories import OrgFactory, PostingFactory, UserFactory

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


# --- helpers -------------------------------------------------------------------------------------


def announce(db, *postings) -> None:
    """What the posting services do on every change: a new version and an outbox row, committed."""
    for posting in postings:
        touch_posting(posting)
    db.session.commit()


def make_postings(db):
    org = OrgFactory()
    postings = [
        PostingFactory(org=org, title="稀土永磁电机技术"),
        PostingFactory(org=org, kind=PostingKind.NEED, title="风挡防雾涂层需求"),
        PostingFactory(org=org, kind=PostingKind.CAPABILITY, title="羊绒分梳加工能力"),
        PostingFactory(org=org, status=PostingStatus.DRAFT, title="稀土抛光粉草稿"),
        PostingFactory(
            org=org,
            kind=PostingKind.PROCUREMENT,
            title="过期的采购需求",
            deadline=date.today() - timedelta(days=3),
        ),
    ]
    announce(db, *postings)
    return postings


def pending(db) -> list[SearchOutbox]:
    return db.session.scalars(sa.select(SearchOutbox).where(SearchOutbox.processed_at.is_(None))).all()


def assert_agree(db, backend) -> None:
    """Every posting is in the index at its current version; exactly the open published ones are searchable."""
    backend.refresh()
    postings = db.session.scalars(sa.select(Posting)).all()
    for kind in KINDS:
        expected = {p.id: p.version for p in postings if p.kind.value == kind}
        assert backend.versions(kind) == expected, kind
    today = date.today()
    searchable = {
        p.id for p in postings if p.status == PostingStatus.PUBLISHED and (p.deadline is None or p.deadline >= today)
    }
    result = backend.search(SearchRequest(per_page=50, facets=False, today=today))
    assert set(result.ids) == searchable


def logged_in(app, user):
    """A test client of `app` (not the default one) with `user` logged in."""
    client = app.test_client()
    login_as(client, user)
    return client


def ids_for(backend, text: str) -> list[int]:
    backend.refresh()
    return backend.search(SearchRequest(text=text, facets=False)).ids


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
    from app.matching.sync import _claim

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


# --- OpenSearch (engine marker) --------------------------------------------------------------------


class Switch:
    """A TCP relay in front of the engine that can be cut and restored: the engine "dies" and comes back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with closing(sock):
                    pass

    def cut(self) -> None:
        self.up = False
        for sock in self.open:
            with closing(sock):
                pass
        self.open.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def engine_app(make_app, db):
    from urllib.parse import urlparse

    from search.backends.opensearch import OpenSearchBackend

    if not OpenSearchBackend(SEARCH_URL).ping():
        missing(f"no search engine at SEARCH_URL={SEARCH_URL} (start one with `make engine`)")
    url = urlparse(SEARCH_URL)
    switch = Switch((url.hostname, url.port or 9200))
    app = make_app(
        SEARCH_BACKEND="opensearch",
        SEARCH_URL=f"http://127.0.0.1:{switch.port}",
        SEARCH_PREFIX=f"lqapp-{uuid.uuid4().hex[:8]}",
        SEARCH_TIMEOUT=3,
        SEARCH_RETRY_SECONDS=0,
    )
    with app.app_context():
        yield app, switch
        switch.restore()
        for backend in app.extensions["search"].backends:
            backend.drop_all()
            backend.close()
    switch.close()


@pytest.mark.engine
def test_drain_makes_db_and_opensearch_agree(engine_app, db):
    make_postings(db)
    assert drain_outbox().failed == 0
    service = get_search()
    assert_agree(db, service.primary)
    assert_agree(db, service.fallback)


@pytest.mark.engine
def test_what_a_drain_wrote_is_searchable_on_opensearch_when_it_returns(engine_app, db):
    """The recompute after a drain, or `flask matching run` right after it, must find the new postings:
    here the engine's own periodic refresh is off, so only the drain's refresh can show them."""
    engine = get_search().primary
    engine.ensure_indices()
    for kind in KINDS:
        engine.client.indices.put_settings(index=f"{engine.prefix}-{kind}", body={"index": {"refresh_interval": "-1"}})
    posting = PostingFactory(title="稀土永磁电机技术")
    announce(db, posting)
    assert drain_outbox().processed == 1
    request = SearchRequest(text="稀土永磁", kinds=("achievement",), today=date.today())
    assert engine.search(request).ids == [posting.id]


@pytest.mark.engine
def test_a_run_on_two_processes_matches_as_one_process_does_on_opensearch(engine_app, db):
    """Each forked worker talks to the engine through a client of its own (SearchBackend.after_fork)."""
    from app.matching.models import Match
    from app.matching.services import run_matches

    org, other = OrgFactory(), OrgFactory()
    postings = [PostingFactory(org=org, kind=PostingKind.NEED, title=f"稀土永磁电机需求{n}") for n in range(4)]
    postings += [PostingFactory(org=other, title=f"稀土永磁电机技术{n}") for n in range(4)]
    announce(db, *postings)
    drain_outbox()

    def stored() -> list[tuple]:
        rows = db.session.execute(sa.select(Match.source_id, Match.target_id, Match.rank, Match.score))
        return sorted((*row[:3], round(row.score, 6)) for row in rows)

    for _ in run_matches(batch_size=2, workers=1):
        db.session.commit()
    alone = stored()
    for _ in run_matches(batch_size=2, workers=2):
        db.session.commit()
    assert stored() == alone and len(alone) == 32  # 4 needs × 4 achievements, both ways


@pytest.mark.engine
def test_older_state_never_overwrites_newer_on_opensearch(engine_app, db):
    posting = PostingFactory(title="白云鄂博矿石选冶")
    announce(db, posting)
    stale = posting_document(posting)
    posting.title = "永磁电机控制"
    announce(db, posting)
    drain_outbox()
    engine = get_search().primary
    assert engine.index(stale).skipped == [posting.id]
    assert engine.get("achievement", posting.id)["title"] == "永磁电机控制"


@pytest.mark.engine
def test_engine_killed_midway_then_back_after_a_drain_db_and_index_agree(engine_app, db):
    app, switch = engine_app
    owner = UserFactory()
    postings = make_postings(db)
    assert drain_outbox().failed == 0
    switch.cut()
    for posting in postings[:3]:
        posting.title += "（已更新）"
    announce(db, *postings[:3])
    close_target = postings[0]
    close_target.org = owner.org
    db.session.commit()
    client = logged_in(app, owner)
    assert client.post(f"/postings/achievement/{close_target.id}/close").status_code == 302
    page = client.get("/search?q=羊绒")
    assert page.status_code == 200
    assert "搜索服务暂不可用，当前显示本地索引结果" in page.get_data(as_text=True)
    down = drain_outbox()
    assert down.processed == 0 and down.failed == len(pending(db)) == 4
    switch.restore()
    back = drain_outbox()
    assert (back.processed, back.failed) == (4, 0)
    assert_agree(db, get_search().primary)
    assert_agree(db, get_search().fallback)
    assert "搜索服务暂不可用" not in client.get("/search?q=羊绒").get_data(as_text=True)


@pytest.mark.engine
def test_reindex_on_opensearch_swaps_the_alias_while_search_answers(engine_app, db):
    make_postings(db)
    drain_outbox()
    engine = get_search().primary
    alias = f"{engine.prefix}-achievement"
    before = set(engine.client.indices.get_alias(name=alias))
    answers = []

    def progress(label, total):
        from contextlib import contextmanager

        @contextmanager
        def bar():
            yield lambda n: answers.append(ids_for(engine, "稀土永磁")) if label.startswith("opensearch") else None

        return bar()

    outcomes = reindex(kinds=[PostingKind.ACHIEVEMENT], progress=progress)
    assert all(o.error is None for o in outcomes)
    after = set(engine.client.indices.get_alias(name=alias))
    assert len(after) == 1 and after != before
    assert answers and all(answers)
    assert_agree(db, engine)
