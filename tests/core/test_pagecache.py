"""Anonymous visitors' public pages come from memory until the data behind them changes (app/core/pagecache.py):
never stale after a change, never shared with a signed-in user, never a download or a page with a message."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.core.enums import NotificationKind
from app.extensions import db
from app.notifications.services import notify
from app.postings.services import touch_posting
from app.search.models import SearchQueryLog
from app.search.sync import drain_outbox
from tests.conftest import login_as
from tests.factories import PostingFactory, UserFactory

LIST = "/postings/achievement"


class Statements:
    """The SQL statements the app runs while the block is open; `rendered`: it read postings (a hit reads
    only the content version)."""

    def __enter__(self):
        self.sql = []
        sa.event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, conn, cursor, statement, *args):
        self.sql.append(statement)

    @property
    def count(self) -> int:
        return len(self.sql)

    @property
    def rendered(self) -> bool:
        return any("postings" in s for s in self.sql)

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._seen)


def test_a_repeated_visit_is_served_from_memory_with_one_query(app, client):
    PostingFactory(title="风电叶片无损检测")
    db.session.commit()
    first = client.get(LIST).get_data(as_text=True)
    with Statements() as statements:
        again = client.get(LIST).get_data(as_text=True)
    assert "风电叶片无损检测" in first and again == first
    assert statements.count == 1  # the content version, nothing else


def test_a_change_is_seen_at_once_by_the_next_visitor(app, client):
    posting = PostingFactory(title="风电叶片无损检测")
    db.session.commit()
    assert "风电叶片无损检测" in client.get(LIST).get_data(as_text=True)
    PostingFactory(title="光伏组件清洗机器人")
    posting.title = "风电叶片超声检测"
    db.session.commit()
    text = client.get(LIST).get_data(as_text=True)
    assert "光伏组件清洗机器人" in text and "风电叶片超声检测" in text and "风电叶片无损检测" not in text
    detail = f"/postings/achievement/{posting.id}"
    client.get(detail)
    db.session.execute(sa.update(type(posting)).where(type(posting).id == posting.id).values(title="叶片检测新方法"))
    db.session.commit()  # a bulk UPDATE outside the unit of work counts as well
    assert "叶片检测新方法" in client.get(detail).get_data(as_text=True)


def test_a_change_left_to_the_commit_to_flush_is_seen_too(app, client):
    posting = PostingFactory(title="风电叶片无损检测")
    db.session.commit()
    assert "风电叶片无损检测" in client.get(LIST).get_data(as_text=True)
    posting.title = "风电叶片超声检测"  # nothing flushes it before the commit does
    db.session.commit()
    assert "风电叶片超声检测" in client.get(LIST).get_data(as_text=True)


def test_private_writes_and_rollbacks_leave_cached_pages_alone(app, client):
    user = UserFactory()
    PostingFactory(title="风电叶片无损检测")
    db.session.commit()
    client.get(LIST)
    notify(user, NotificationKind.SYSTEM, "welcome", "欢迎使用联桥")
    db.session.commit()
    PostingFactory(title="不会保存的成果")
    db.session.rollback()
    with Statements() as statements:
        client.get(LIST)
    assert statements.count == 1


def test_a_signed_in_user_never_gets_the_visitors_page(app, client):
    PostingFactory(title="风电叶片无损检测")
    user = UserFactory()
    db.session.commit()
    visitor = client.get("/").get_data(as_text=True)
    assert "机构注册" in visitor
    login_as(client, user)
    mine = client.get("/").get_data(as_text=True)
    assert "机构注册" not in mine and user.name in mine


def test_downloads_keep_their_headers_and_are_not_kept(app, client):
    PostingFactory(title="风电叶片无损检测")
    db.session.commit()
    for _ in range(2):
        resp = client.get(LIST, query_string={"format": "csv"})
        assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in resp.headers["Content-Disposition"]


def test_pages_that_follow_the_clock_are_at_most_the_set_seconds_late(make_app):
    app = make_app(PAGE_CACHE_SECONDS=10)
    with app.app_context():
        PostingFactory(title="风电叶片无损检测")
        db.session.commit()
        client = app.test_client()
        client.get(LIST)
        with Statements() as statements:
            client.get(LIST)
        assert statements.count == 1
        with time_machine.travel(timedelta(seconds=11)), Statements() as statements:
            client.get(LIST)
        assert statements.rendered


def test_a_search_served_from_memory_is_still_logged(app, client):
    touch_posting(PostingFactory(title="风电叶片无损检测"))
    db.session.commit()
    drain_outbox()
    for _ in range(3):
        assert "共 1 条" in client.get("/search", query_string={"q": "无损检测"}).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchQueryLog)) == 3


def test_switched_off_every_visit_renders(make_app):
    app = make_app(PAGE_CACHE=False)
    with app.app_context():
        PostingFactory(title="风电叶片无损检测")
        db.session.commit()
        client = app.test_client()
        client.get(LIST)
        with Statements() as statements:
            client.get(LIST)
        assert statements.rendered
