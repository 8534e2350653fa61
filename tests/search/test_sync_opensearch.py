"""The drain, reindex and recovery on a real OpenSearch (the `engine` marker: SEARCH_URL, `make engine`)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import closing
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.enums import PostingKind
from app.search.backend import get_search
from app.search.documents import posting_document
from app.search.sync import drain_outbox, reindex
from search import SearchRequest
from search.documents import KINDS
from tests.conftest import missing
from tests.factories import OrgFactory, PostingFactory, UserFactory
from tests.search.syncing import announce, assert_agree, ids_for, logged_in, make_postings, pending

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


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
