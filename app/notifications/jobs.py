"""E-mail jobs. They commit the claims they make before sending (see app/notifications/delivery.py):
each mail goes out at most once, even when a run crashes or two runs overlap."""

from __future__ import annotations

from datetime import datetime

from app.core.mail import MailOutbox
from app.notifications.delivery import (
    compose_notification,
    deliver,
    deliver_outbox,
    fail_stuck,
    route_notifications,
)
from app.notifications.digests import queue_digests
from app.notifications.models import Notification


def _sent(counts) -> str:
    return f"发送 {counts['sent']}，待重试 {counts['retry']}，失败 {counts['failed']}"


def send_emails(now: datetime) -> str:
    """Notifications by each user's choices (skip / keep for the digest / send now), then the mail outbox
    (password resets, invitations, digests). A failed mail is retried after 2, 4, 8, 16 minutes and marked
    failed after the fifth attempt.

    At most once: each row's claim is committed before its mail is handed to SMTP, so a crash mid-send
    leaves the row `sending`; it is never sent again and is marked failed after 30 minutes."""
    stuck = fail_stuck(Notification, now) + fail_stuck(MailOutbox, now)
    instant, routed = route_notifications(now)
    notified = deliver(Notification, instant, compose_notification, now)
    outbox = deliver_outbox(now)
    summary = f"通知邮件：{_sent(notified)}，不发送 {routed['skipped']}，转入汇总 {routed['digest']}；账户邮件：{_sent(outbox)}"
    if stuck:
        summary += f"；中断未确认 {stuck}"
    return summary


def send_digests(now: datetime) -> str:
    """Daily digests every morning (08:00 Beijing), weekly ones on Monday; sent right away."""
    queued = queue_digests(now)
    outbox = deliver_outbox(now)
    return f"汇总邮件 {queued} 封；{_sent(outbox)}"
