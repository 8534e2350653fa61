"""Housekeeping: delete what has served its purpose, so tables stay small."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.enums import EmailState
from app.core.mail import MailOutbox
from app.core.outbox import SearchOutbox
from app.extensions import db
from app.notifications.models import Notification
from app.organizations.models import Invitation
from app.search.models import SearchQueryLog

# How long each kind of row is kept after it stopped mattering.
INVITATION_DAYS = 30  # after expiry: the link still says "已过期" for a while rather than "无效"
OUTBOX_DAYS = 30
MAIL_DAYS = 30
READ_NOTIFICATION_DAYS = 180
QUERY_LOG_DAYS = 365


def _before(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _delete(stmt) -> int:
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def purge_expired(now: datetime) -> str:
    """Unaccepted invitations 30 days past expiry, processed search-outbox rows and sent or failed mails
    older than 30 days, read notifications older than 180 days, search log rows older than a year.
    Unread notifications and pending work are never deleted."""
    counts = {
        "邀请": _delete(
            sa.delete(Invitation).where(
                Invitation.accepted_at.is_(None), Invitation.expires_at < _before(now, INVITATION_DAYS)
            )
        ),
        "同步记录": _delete(
            sa.delete(SearchOutbox).where(
                SearchOutbox.processed_at.is_not(None), SearchOutbox.processed_at < _before(now, OUTBOX_DAYS)
            )
        ),
        "邮件": _delete(
            sa.delete(MailOutbox).where(
                MailOutbox.email_state.in_([EmailState.SENT, EmailState.FAILED]),
                MailOutbox.created_at < _before(now, MAIL_DAYS),
            )
        ),
        "已读通知": _delete(
            sa.delete(Notification).where(
                Notification.read_at.is_not(None), Notification.created_at < _before(now, READ_NOTIFICATION_DAYS)
            )
        ),
        "搜索记录": _delete(sa.delete(SearchQueryLog).where(SearchQueryLog.searched_at < _before(now, QUERY_LOG_DAYS))),
    }
    return "已清理 " + "，".join(f"{label} {n}" for label, n in counts.items())
