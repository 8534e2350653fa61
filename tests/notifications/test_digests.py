"""Daily and weekly digests of the notifications a user keeps."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.enums import EmailState
from app.core.mail import MailOutbox
from app.notifications.jobs import send_digests
from app.notifications.services import update_settings
from tests.factories import UserFactory
from tests.notifications.helpers import K, run_emails, say, state

# 2026-12-07 is a Monday; 00:00 UTC is 08:00 Beijing, when the digest job runs.
MONDAY_8AM = datetime(2026, 12, 7, 0, 0)


def run_digests(now):
    from app.extensions import db

    result = send_digests(now)
    db.session.commit()
    return result


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
