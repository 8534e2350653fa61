"""Posting jobs: take postings down after their deadline, and warn owners a week before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.core.clock import local_date
from app.core.enums import NotificationKind, PostingKind, PostingStatus
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.postings import services
from app.postings.models import Posting

EXPIRING_NOTICE_DAYS = 7


def warn_expiring_postings(today: date) -> int:
    """Owners hear once per posting and deadline (a changed deadline is warned about again) when a
    published need or procurement posting closes within EXPIRING_NOTICE_DAYS. Returns postings warned now."""
    postings = db.session.scalars(
        sa.select(Posting)
        .where(
            Posting.status == PostingStatus.PUBLISHED,
            Posting.kind.in_([PostingKind.NEED, PostingKind.PROCUREMENT]),
            Posting.deadline.between(today, today + timedelta(days=EXPIRING_NOTICE_DAYS)),
        )
        .order_by(Posting.id)
    ).all()
    warned = 0
    for posting in postings:
        days = (posting.deadline - today).days
        when = "今天" if days == 0 else f"{days} 天后（{posting.deadline:%Y-%m-%d}）"
        created = notify(
            org_user_ids(posting.org_id),
            NotificationKind.POSTING_EXPIRING,
            f"posting:{posting.id}:expiring:{posting.deadline.isoformat()}",
            f"《{posting.title}》将于{when}截止",
            "截止后将自动下架。如仍需征集，请关闭后重新编辑截止日期并提交审核。",
            link_to("postings.detail", kind=posting.kind.value, posting_id=posting.id),
        )
        warned += bool(created)
    return warned


def expire_postings(now: datetime) -> str:
    """Published postings past their deadline (Beijing date) become expired, each with its status change
    and search-outbox row (postings.services.expire_postings); then the week-ahead warnings."""
    today = local_date(now)
    expired = services.expire_postings(today)
    warned = warn_expiring_postings(today)
    return f"已下架 {expired} 条；提醒即将截止 {warned} 条"
