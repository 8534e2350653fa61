"""The unread badge, the list, opening a notification and marking read, one notification per event."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
import time_machine

from app.core.models import utcnow
from app.notifications.models import Notification
from app.notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.helpers import K, say, state


def badge(resp) -> str | None:
    found = re.search(r"data-unread>([^<]+)<", resp.text)
    return found.group(1) if found else None


def test_badge_shows_the_users_own_unread_count(client, db, login):
    user, other = UserFactory(), UserFactory()
    for i in range(3):
        say(user, f"k{i}")
    say(other, "k-other")
    db.session.execute(sa.update(Notification).where(Notification.key == "k0").values(read_at=utcnow()))
    db.session.commit()

    assert badge(login(user).get("/")) == "2"
    assert badge(login(other).get("/")) == "1"


def test_badge_is_absent_without_unread_notifications_and_for_visitors(client, db, login):
    user = UserFactory()
    db.session.commit()
    assert badge(client.get("/")) is None
    assert badge(login(user).get("/")) is None


def test_badge_costs_one_count_query_per_page(app, client, db, login):
    user = UserFactory()
    say(user)
    db.session.commit()
    login(user)
    counts = []

    def watch(conn, cursor, statement, *args):
        if "FROM notifications" in statement:
            counts.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", watch)
    try:
        client.get("/")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", watch)
    assert len(counts) == 1 and "count(" in counts[0].lower()


def test_list_shows_newest_first_with_unread_marked(client, db, login):
    user = UserFactory()
    with time_machine.travel(datetime(2026, 12, 1, 2), tick=False):
        say(user, "old")
    with time_machine.travel(datetime(2026, 12, 2, 2), tick=False):
        say(user, "new")
    db.session.execute(sa.update(Notification).where(Notification.key == "old").values(read_at=utcnow()))
    db.session.commit()

    text = login(user).get("/notifications/").text
    assert text.index("通知 new") < text.index("通知 old")
    assert text.count(">未读</span>") == 1
    unread_only = client.get("/notifications/?unread=1").text
    assert "通知 new" in unread_only and "通知 old" not in unread_only


def test_list_needs_login(client):
    resp = client.get("/notifications/")
    assert resp.status_code == 302 and "/auth/login" in resp.location


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, db, login):
    user = UserFactory()
    row = say(user, link="/postings/need/7")
    db.session.commit()
    resp = login(user).get(f"/notifications/{row.id}")
    assert resp.status_code == 302 and resp.location == "/postings/need/7"
    assert state(db, row).read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example.com/x", "//evil.example.com", "/\\evil.example.com", None])
def test_opening_a_notification_never_leaves_the_site(client, db, login, link):
    user = UserFactory()
    row = say(user, link=link)
    db.session.commit()
    resp = login(user).get(f"/notifications/{row.id}")
    assert resp.location == "/notifications/"


@pytest.mark.parametrize("suffix", ["{other}", "999999", "99999999999999999999", "abc"])
def test_another_users_or_a_missing_notification_is_404(client, db, login, suffix):
    user, other = UserFactory(), UserFactory()
    theirs = say(other)
    db.session.commit()
    resp = login(user).get("/notifications/" + suffix.format(other=theirs.id))
    assert resp.status_code == 404
    assert state(db, theirs).read_at is None


def test_mark_all_read_marks_only_the_users_own(client, db, login):
    user, other = UserFactory(), UserFactory()
    say(user, "a"), say(user, "b"), say(other, "c")
    db.session.commit()
    resp = login(user).post("/notifications/read-all", follow_redirects=True)
    assert "已将 2 条通知标为已读" in resp.text
    unread = db.session.scalars(sa.select(Notification.key).where(Notification.read_at.is_(None))).all()
    assert unread == ["c"]
    assert "没有未读通知" in client.post("/notifications/read-all", follow_redirects=True).text


def test_notify_stores_each_event_once_per_user(db):
    user = UserFactory()
    assert len(notify([user, user.id], K.SYSTEM, "system:1", "一次")) == 1
    assert notify(user, K.SYSTEM, "system:1", "再一次") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
