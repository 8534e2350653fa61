"""Notification tests' shared pieces: notify a user, and run the mail job as the jobs process does."""

from __future__ import annotations

from app.core.enums import NotificationKind
from app.core.models import utcnow
from app.notifications.jobs import send_emails
from app.notifications.services import notify

K = NotificationKind


def say(user, key="docking_request:1:received", kind=K.DOCKING_REQUEST, link="/postings/need/1"):
    return notify(user, kind, key, f"通知 {key}", "正文", link)[0]


def run_emails(now=None):
    result = send_emails(now or utcnow())
    from app.extensions import db

    db.session.commit()
    return result


def state(db, row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)
