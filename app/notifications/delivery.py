"""Sending e-mail from rows: notifications (per each user's choices) and the mail outbox.

At most once per row. A row is claimed (pending → sending, a conditional UPDATE whose rowcount says
whether this run won it) and the claim is COMMITTED before the SMTP call; the outcome is committed right
after each mail. Two overlapping runs therefore never send the same row, and a crash between the claim
and the outcome leaves the row in `sending`: it is not sent again, and after STUCK_AFTER it is marked
failed with a note that it may not have arrived. Losing one mail in a crash is preferred to sending an
invitation or a notice twice. Because of those commits these functions are the one exception to
"jobs flush, never commit".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.mail import send_mail
from app.auth.models import User
from app.core.enums import DigestFrequency, EmailState
from app.core.mail import MailOutbox, site_url
from app.extensions import db
from app.notifications.models import Notification, NotificationSettings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=30)
BATCH = 200
ERROR_MAX = 1000

Composer = Callable[[object], tuple[str, str, str]]


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2**attempts)


def _due(model, now: datetime):
    return sa.and_(
        model.email_state == EmailState.PENDING,
        sa.or_(model.email_next_attempt_at.is_(None), model.email_next_attempt_at <= now),
    )


def _set_state(model, ids: list[int], state: EmailState) -> int:
    """Move rows that are still pending; rows another run has claimed meanwhile are left alone."""
    if not ids:
        return 0
    stmt = (
        sa.update(model)
        .where(model.id.in_(ids), model.email_state == EmailState.PENDING)
        .values(email_state=state)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount


def _claim(model, row_id: int, now: datetime) -> bool:
    stmt = (
        sa.update(model)
        .where(model.id == row_id, model.email_state == EmailState.PENDING)
        .values(email_state=EmailState.SENDING, email_claimed_at=now, email_attempts=model.email_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount == 1


def _record_outcome(row, error: str | None, now: datetime) -> str:
    if error is None:
        row.email_state, row.email_sent_at, row.email_error = EmailState.SENT, now, None
        row.email_next_attempt_at = None
        return "sent"
    row.email_error = error[:ERROR_MAX]
    if row.email_attempts >= MAX_ATTEMPTS:
        row.email_state = EmailState.FAILED
        return "failed"
    row.email_state = EmailState.PENDING
    row.email_next_attempt_at = now + backoff(row.email_attempts)
    return "retry"


def _send(to: str, subject: str, body: str) -> str | None:
    """None when the mail went out, else why not."""
    try:
        return None if send_mail(to, subject, body) else "邮件服务器不可用或拒收（详见日志）"
    except Exception as exc:  # noqa: BLE001 - one broken mail must not stop the others; the row keeps why
        log.exception("sending mail to %s failed", to)
        return f"{type(exc).__name__}: {exc}"


def deliver(model, ids: list[int], compose: Composer, now: datetime) -> Counter:
    """Claim, commit, send and record each row (see the module docstring). Returns sent/retry/failed counts."""
    claimed = [row_id for row_id in ids if _claim(model, row_id, now)]
    db.session.commit()
    outcome: Counter = Counter()
    for row_id in claimed:
        row = db.session.get(model, row_id)
        outcome[_record_outcome(row, _send(*compose(row)), now)] += 1
        db.session.commit()
    return outcome


def fail_stuck(model, now: datetime) -> int:
    """Rows left `sending` by a crashed run: never sent again (at most once), marked failed."""
    stmt = (
        sa.update(model)
        .where(model.email_state == EmailState.SENDING, model.email_claimed_at < now - STUCK_AFTER)
        .values(email_state=EmailState.FAILED, email_error="发送过程中断，可能未送达；为避免重复发送，不再重试")
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount


# --- notifications ---------------------------------------------------------------------------------


def route_notifications(now: datetime) -> tuple[list[int], Counter]:
    """Decide each due pending notification by its user's choices: skipped (that kind's e-mail is off, or
    the user is inactive or has no address), kept for the digest (daily/weekly), or sent now (returned)."""
    rows = db.session.execute(
        sa.select(Notification.id, Notification.kind, User.active, User.email, NotificationSettings)
        .join(User, User.id == Notification.user_id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(_due(Notification, now))
        .order_by(Notification.id)
        .limit(BATCH)
    ).all()
    skipped, digest, instant = [], [], []
    for row_id, kind, active, email, settings in rows:
        if not active or not email or (settings is not None and not settings.emails(kind)):
            skipped.append(row_id)
        elif settings is not None and settings.frequency != DigestFrequency.INSTANT:
            digest.append(row_id)
        else:
            instant.append(row_id)
    counts = Counter(
        skipped=_set_state(Notification, skipped, EmailState.SKIPPED),
        digest=_set_state(Notification, digest, EmailState.DIGEST),
    )
    return instant, counts


def compose_notification(row: Notification) -> tuple[str, str, str]:
    lines = [f"{row.user.name}，您好：", "", row.title]
    if row.body:
        lines.append(row.body)
    if row.link:
        lines += ["", f"查看详情：{site_url(row.link)}"]
    lines += ["", f"—— 联桥平台。调整邮件提醒：{site_url('/notifications/settings')}"]
    return row.user.email, f"联桥平台：{row.title}", "\n".join(lines)


def compose_outbox(row: MailOutbox) -> tuple[str, str, str]:
    return row.to, row.subject, row.body


def due_ids(model, now: datetime) -> list[int]:
    return list(db.session.scalars(sa.select(model.id).where(_due(model, now)).order_by(model.id).limit(BATCH)))


def deliver_outbox(now: datetime) -> Counter:
    return deliver(MailOutbox, due_ids(MailOutbox, now), compose_outbox, now)
