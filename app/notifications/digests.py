"""Daily and weekly digests: one e-mail per user listing the notifications kept for it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import DigestFrequency, EmailState
from app.core.mail import queue_mail, site_url
from app.core.web import local_time
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import settings_for

SUBJECTS = {DigestFrequency.DAILY: "每日汇总", DigestFrequency.WEEKLY: "每周汇总", DigestFrequency.INSTANT: "通知汇总"}


def digest_due(frequency: DigestFrequency, last_digest_at: datetime | None, today: date) -> bool:
    """Daily: once per Beijing day. Weekly: on Monday, or on the next run when a Monday's run was missed.
    Someone who went back to instant mail gets what was kept for the digest at once."""
    last = local_date(last_digest_at) if last_digest_at else None
    if frequency == DigestFrequency.DAILY:
        return last is None or last < today
    if frequency == DigestFrequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        if last is None:
            return today == monday
        return last < monday
    return True


def _body(user, rows: list[Notification]) -> str:
    lines = [f"{user.name}，您好：", "", f"以下是您在联桥平台的 {len(rows)} 条新通知：", ""]
    for row in rows:
        lines.append(f"· [{local_time(row.created_at, '%m-%d %H:%M')}] {row.kind.label}：{row.title}")
        if row.link:
            lines.append(f"  {site_url(row.link)}")
    lines += [
        "",
        f"查看全部通知：{site_url('/notifications/')}",
        f"调整邮件提醒：{site_url('/notifications/settings')}",
    ]
    return "\n".join(lines)


def queue_digests(now: datetime) -> int:
    """Queue one digest mail per user whose digest is due, and mark the notifications it lists as sent.

    Idempotent: the listed rows leave the `digest` state, the user's last_digest_at moves to now, and the
    mail's key (user and newest row) cannot be queued twice. Returns how many digests were queued.
    """
    today = local_date(now)
    user_ids = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.email_state == EmailState.DIGEST).distinct()
    ).all()
    queued = 0
    for user_id in sorted(user_ids):
        settings = settings_for(user_id)
        if not digest_due(settings.frequency, settings.last_digest_at, today):
            continue
        user = db.session.get(User, user_id)
        rows = db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id, Notification.email_state == EmailState.DIGEST)
            .order_by(Notification.created_at, Notification.id)
        ).all()
        if user.active and user.email:
            subject = f"联桥平台{SUBJECTS[settings.frequency]}（{today:%Y-%m-%d}，{len(rows)} 条）"
            # Keyed by the newest row it lists: the same batch is never queued twice, a new batch always is.
            if queue_mail(user.email, subject, _body(user, rows), f"digest:{user_id}:{rows[-1].id}"):
                queued += 1
            state = EmailState.SENT
        else:
            state = EmailState.SKIPPED
        for row in rows:
            row.email_state, row.email_sent_at = state, now if state == EmailState.SENT else None
        settings.last_digest_at = now
        db.session.add(settings)
    db.session.flush()
    return queued
