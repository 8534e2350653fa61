"""Notify users: one function every feature calls inside its own transaction; reading and marking
notifications; each user's e-mail choices; and queueing account e-mails for the jobs process."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.core.enums import DigestFrequency, NotificationKind
from app.core.errors import NotFound, ValidationFailed
from app.core.models import utcnow
from app.extensions import db
from app.notifications.models import Notification, NotificationSettings


def _user_id(user) -> int:
    return user if isinstance(user, int) else user.id


def notify(
    users,
    kind: NotificationKind,
    key: str,
    title: str,
    body: str = "",
    link: str | None = None,
) -> list[Notification]:
    """Tell each user about something, once: a (user, key) pair already stored is not stored again.

    `users` is a user, a user id, or an iterable of either. `key` names the event being reported
    (e.g. "docking:12:accepted"), so a job run twice or a retried request adds nothing. Flushes, never
    commits: the row lands with the change that caused it. Returns the rows created now.
    """
    if isinstance(users, Iterable) and not isinstance(users, (str, bytes)):
        ids = list(dict.fromkeys(_user_id(u) for u in users))
    else:
        ids = [_user_id(users)]
    if not ids:
        return []
    existing = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.user_id.in_(ids), Notification.key == key)
        )
    )
    created = []
    for user_id in ids:
        if user_id in existing:
            continue
        row = Notification(user_id=user_id, kind=kind, key=key, title=title[:200], body=body, link=link)
        db.session.add(row)
        created.append(row)
    db.session.flush()
    return created


def org_user_ids(org_id: int) -> list[int]:
    """Every active user of an organisation: who hears about things addressed to the organisation."""
    return list(
        db.session.scalars(sa.select(User.id).where(User.org_id == org_id, User.active.is_(True)).order_by(User.id))
    )


def link_to(endpoint: str, **values) -> str:
    """A site path for a notification's link, built without a request (jobs have none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


# --- reading and marking ---------------------------------------------------------------------------


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def notifications_for(user_id: int, unread_only: bool = False):
    """A user's notifications, newest first (a select for pagination)."""
    stmt = sa.select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def get_own_notification(notification_id: int, user) -> Notification:
    """Only the user it was written for may see a notification; anyone else gets a 404."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    return row


def mark_read(notification: Notification) -> None:
    """Reading is remembered once: the first time stays the time it was read."""
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    """Everything unread becomes read; returns how many changed."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


# --- e-mail choices --------------------------------------------------------------------------------


def settings_for(user_id: int) -> NotificationSettings:
    """The stored choices, or the defaults (every kind by e-mail, at once) when the user never chose."""
    return db.session.get(NotificationSettings, user_id) or NotificationSettings(
        user_id=user_id, frequency=DigestFrequency.INSTANT, muted_kinds=[]
    )


def update_settings(user, frequency: str, emailed_kinds: Iterable[str]) -> NotificationSettings:
    """Store how often and for which kinds the user wants e-mail. In-app notifications are always kept."""
    chosen = DigestFrequency.from_any(frequency)
    if chosen is None:
        raise ValidationFailed("请选择邮件发送频率", errors={"frequency": "请选择邮件发送频率"})
    wanted = {NotificationKind.from_any(k) for k in emailed_kinds}
    if None in wanted:
        raise ValidationFailed("通知类型无效，请刷新页面后重试")
    settings = db.session.get(NotificationSettings, user.id) or NotificationSettings(user_id=user.id)
    settings.frequency = chosen
    settings.muted_kinds = [k.value for k in NotificationKind if k not in wanted]
    db.session.add(settings)
    db.session.flush()
    return settings
