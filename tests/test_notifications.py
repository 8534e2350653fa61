"""Notification rules: the unread badge, the list and marking read, e-mail preferences, instant e-mail
with retries and at-most-once claims, daily/weekly digests, and account mails sent from the outbox."""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import DigestFrequency, EmailState, NotificationKind, PostingStatus
from app.core.models import utcnow
from app.notifications import delivery
from app.notifications.jobs import send_digests, send_emails
from app.notifications.models import MailOutbox, Notification, NotificationSettings
from app.notifications.services import notify, queue_mail, update_settings
from app.postings.services import approve_posting, reject_posting
from tests.factories import AdminFactory, PostingFactory, UserFactory
from tests.test_jobs import race

K = NotificationKind
# 2026-12-07 is a Monday; 00:00 UTC is 08:00 Beijing, when the digest job runs.
MONDAY_8AM = datetime(2026, 12, 7, 0, 0)


def say(user, key="docking_request:1:received", kind=K.DOCKING_REQUEST, link="/postings/need/1"):
    return notify(user, kind, key, f"通知 {key}", "正文", link)[0]


@pytest.fixture
def mailbox(monkeypatch):
    """Every mail the jobs send: (to, subject, body). Set `mailbox.fail` to make the SMTP server refuse."""

    class Box(list):
        fail: Exception | bool | None = None
        delay = 0.0  # seconds each mail takes: lets overlapping runs overlap

    box = Box()

    def fake_send(to, subject, body):
        time.sleep(box.delay)
        if isinstance(box.fail, Exception):
            raise box.fail
        if box.fail:
            return False
        box.append((to, subject, body))
        return True

    monkeypatch.setattr(delivery, "send_mail", fake_send)
    return box


def run_emails(now=None):
    result = send_emails(now or utcnow())
    from app.extensions import db

    db.session.commit()
    return result


def run_digests(now):
    from app.extensions import db

    result = send_digests(now)
    db.session.commit()
    return result


def state(db, row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


# --- the badge and the list ------------------------------------------------------------------------


def checked(text: str, name: str) -> list[str]:
    """The values of the ticked inputs named `name` on a page."""
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', text)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if re.search(r"\schecked[\s>]", tag)]


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


# --- preferences -----------------------------------------------------------------------------------


def test_settings_default_to_every_kind_by_email_at_once(client, db, login):
    user = UserFactory()
    db.session.commit()
    text = login(user).get("/notifications/settings").text
    assert checked(text, "frequency") == ["instant"]
    assert checked(text, "emailed") == [k.value for k in K]


def test_settings_are_saved_and_shown_again(client, db, login):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post(
        "/notifications/settings", data={"frequency": "weekly", "emailed": ["docking_request"]}, follow_redirects=True
    )
    assert "通知设置已保存" in resp.text
    settings = db.session.get(NotificationSettings, user.id)
    assert settings.frequency == DigestFrequency.WEEKLY
    assert settings.emails(K.DOCKING_REQUEST) and not settings.emails(K.MATCH_NEW)
    assert checked(resp.text, "frequency") == ["weekly"] and checked(resp.text, "emailed") == ["docking_request"]


@pytest.mark.parametrize(
    "data, message",
    [({"frequency": "hourly"}, "请选择邮件发送频率"), ({"frequency": "daily", "emailed": ["nope"]}, "通知类型无效")],
)
def test_bad_settings_are_refused_and_change_nothing(client, db, login, data, message):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post("/notifications/settings", data=data, follow_redirects=True)
    assert message in resp.text
    assert db.session.get(NotificationSettings, user.id) is None


# --- instant e-mail --------------------------------------------------------------------------------


def test_instant_mail_is_sent_once_even_when_the_job_runs_twice(db, mailbox):
    user = UserFactory()
    row = say(user, link="/postings/need/3")
    db.session.commit()
    run_emails()
    run_emails()
    assert len(mailbox) == 1
    to, subject, body = mailbox[0]
    assert to == user.email and row.title in subject and "/postings/need/3" in body
    row = state(db, row)
    assert row.email_state == EmailState.SENT and row.email_sent_at is not None and row.email_attempts == 1


def test_preferences_decide_what_the_job_does(db, mailbox):
    muted, daily, inactive, default = UserFactory(), UserFactory(), UserFactory(active=False), UserFactory()
    update_settings(muted, "instant", [k.value for k in K if k != K.DOCKING_REQUEST])
    update_settings(daily, "daily", [k.value for k in K])
    rows = [say(u) for u in (muted, daily, inactive, default)]
    db.session.commit()
    run_emails()
    states = [state(db, r).email_state for r in rows]
    assert states == [EmailState.SKIPPED, EmailState.DIGEST, EmailState.SKIPPED, EmailState.SENT]
    assert [m[0] for m in mailbox] == [default.email]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 4  # in-app always kept


@pytest.mark.parametrize("failure", [True, OSError("SMTP 连接被拒绝")])
def test_a_failed_mail_is_retried_with_backoff_then_marked_failed(db, mailbox, failure):
    row = say(UserFactory())
    db.session.commit()
    mailbox.fail = failure
    t = datetime(2026, 12, 4, 1, 0)
    waits = []
    for attempt in range(1, 6):
        run_emails(t)
        row = state(db, row)
        assert row.email_attempts == attempt and row.email_error
        if attempt < 5:
            assert row.email_state == EmailState.PENDING
            waits.append(row.email_next_attempt_at - t)
            run_emails(row.email_next_attempt_at - timedelta(seconds=1))  # too early: not tried again
            assert state(db, row).email_attempts == attempt
            t = row.email_next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert row.email_state == EmailState.FAILED
    mailbox.fail = None
    run_emails(t + timedelta(days=1))
    assert mailbox == [] and state(db, row).email_state == EmailState.FAILED


def test_a_retry_that_succeeds_is_sent_once(db, mailbox):
    row = say(UserFactory())
    db.session.commit()
    mailbox.fail = True
    t = datetime(2026, 12, 4, 1, 0)
    run_emails(t)
    mailbox.fail = None
    run_emails(t + timedelta(minutes=2))
    run_emails(t + timedelta(minutes=10))
    assert len(mailbox) == 1 and state(db, row).email_state == EmailState.SENT


def test_a_row_claimed_by_another_run_is_not_sent_again(db, mailbox):
    row = say(UserFactory())
    db.session.commit()
    now = utcnow()
    assert delivery._claim(Notification, row.id, now)  # an overlapping run got it first
    assert not delivery._claim(Notification, row.id, now)
    db.session.commit()
    run_emails(now)
    assert mailbox == [] and state(db, row).email_state == EmailState.SENDING


def test_two_overlapping_send_runs_send_each_mail_once(app, db, mailbox):
    users = [UserFactory() for _ in range(6)]
    for user in users:
        say(user)
    queue_mail("invitee@example.cn", "邀请", "正文", key="invitation:9")
    db.session.commit()
    now = utcnow()
    mailbox.delay = 0.05
    race(app, lambda i: send_emails(now))
    assert sorted(m[0] for m in mailbox) == sorted([u.email for u in users] + ["invitee@example.cn"])


def test_a_row_left_sending_by_a_crash_is_marked_failed_not_resent(db, mailbox):
    row = say(UserFactory())
    db.session.commit()
    t = datetime(2026, 12, 4, 1, 0)
    delivery._claim(Notification, row.id, t)
    db.session.commit()
    run_emails(t + timedelta(minutes=29))
    assert state(db, row).email_state == EmailState.SENDING
    run_emails(t + timedelta(minutes=31))
    row = state(db, row)
    assert mailbox == [] and row.email_state == EmailState.FAILED and "中断" in row.email_error


# --- digests ---------------------------------------------------------------------------------------


def digest_user(db, frequency: str):
    user = UserFactory()
    update_settings(user, frequency, [k.value for k in K])
    db.session.commit()
    return user


def test_daily_digest_is_one_mail_per_day_listing_the_kept_notifications(db, mailbox):
    user = digest_user(db, "daily")
    first, second = say(user, "a"), say(user, "b")
    db.session.commit()
    run_emails(MONDAY_8AM - timedelta(hours=3))
    assert mailbox == []

    run_digests(MONDAY_8AM)
    run_digests(MONDAY_8AM + timedelta(minutes=5))
    assert len(mailbox) == 1
    to, subject, body = mailbox[0]
    assert to == user.email and "每日汇总" in subject and first.title in body and second.title in body
    assert {state(db, r).email_state for r in (first, second)} == {EmailState.SENT}

    say(user, "c")
    db.session.commit()
    run_emails(MONDAY_8AM + timedelta(hours=1))
    run_digests(MONDAY_8AM + timedelta(hours=2))  # same Beijing day: waits for tomorrow
    assert len(mailbox) == 1
    run_digests(MONDAY_8AM + timedelta(days=1))
    assert len(mailbox) == 2 and "通知 c" in mailbox[1][2] and "通知 a" not in mailbox[1][2]


def test_weekly_digest_goes_out_on_monday_only(db, mailbox):
    user = digest_user(db, "weekly")
    say(user, "a")
    db.session.commit()
    run_emails(MONDAY_8AM - timedelta(days=3))
    for days_before in (3, 2, 1):  # Friday, Saturday, Sunday
        run_digests(MONDAY_8AM - timedelta(days=days_before))
    assert mailbox == []
    run_digests(MONDAY_8AM)
    run_digests(MONDAY_8AM)
    assert len(mailbox) == 1 and "每周汇总" in mailbox[0][1]
    say(user, "b")
    db.session.commit()
    run_emails(MONDAY_8AM + timedelta(days=1))
    run_digests(MONDAY_8AM + timedelta(days=1))
    assert len(mailbox) == 1
    run_digests(MONDAY_8AM + timedelta(days=7))
    assert len(mailbox) == 2


def test_users_without_kept_notifications_get_no_digest(db, mailbox):
    digest_user(db, "daily")
    run_digests(MONDAY_8AM)
    assert mailbox == [] and db.session.scalar(sa.select(sa.func.count()).select_from(MailOutbox)) == 0


# --- account mails and posting reviews -------------------------------------------------------------


def test_password_reset_mail_is_queued_by_the_request_and_sent_by_the_job(client, db, caplog):
    caplog.set_level(logging.INFO)
    user = UserFactory()
    db.session.commit()
    client.post("/auth/reset", data={"email": user.email})
    assert "/auth/reset/" not in caplog.text  # nothing is sent inside the request
    mail = db.session.scalar(sa.select(MailOutbox))
    assert mail.to == user.email and mail.email_state == EmailState.PENDING
    run_emails()
    run_emails()
    assert caplog.text.count("/auth/reset/") == 1  # no MAIL_SERVER: the mail is printed to the log
    assert state(db, mail).email_state == EmailState.SENT


def test_a_mail_queued_twice_under_one_key_is_queued_once(db):
    assert queue_mail("a@example.cn", "主题", "正文", key="invitation:1") is not None
    assert queue_mail("a@example.cn", "主题", "正文", key="invitation:1") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailOutbox)) == 1


def test_owners_hear_when_their_posting_is_approved_or_rejected(db):
    admin = AdminFactory()
    approved = PostingFactory(status=PostingStatus.SUBMITTED, published_at=None)
    colleague = UserFactory(org=approved.org)
    rejected = PostingFactory(status=PostingStatus.SUBMITTED, published_at=None)
    owner = UserFactory(org=rejected.org)
    approve_posting(approved, admin)
    reject_posting(rejected, admin, "请补充专利证明")
    rows = {(n.user_id, n.kind) for n in db.session.scalars(sa.select(Notification))}
    assert rows == {(colleague.id, K.POSTING_APPROVED), (owner.id, K.POSTING_REJECTED)}
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == owner.id))
    assert "请补充专利证明" in notice.body and notice.link == f"/postings/achievement/{rejected.id}"
