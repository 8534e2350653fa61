"""Mail delivery: instant e-mail with retries and at-most-once claims, account mails sent from the outbox,
and posting reviews told to their owners."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import EmailState, PostingStatus
from app.core.mail import MailOutbox, queue_mail
from app.core.models import utcnow
from app.notifications import delivery
from app.notifications.jobs import send_emails
from app.notifications.models import Notification
from app.notifications.services import update_settings
from app.postings.services import approve_posting, reject_posting
from tests.conftest import race
from tests.factories import AdminFactory, PostingFactory, UserFactory
from tests.notifications.helpers import K, run_emails, say, state


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
