"""E-mail that must not be lost: the delivery state every queued e-mail carries, and the mail outbox for
account e-mails (password reset, invitation, digest). Written in the request's transaction and sent by
the jobs process (app/notifications/delivery.py). It sits in core so that accounts and organisations
queue their mails without importing the notifications package above them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.enums import EmailState
from app.core.models import EnumText, utcnow
from app.core.validators import one_line, single_line_error
from app.extensions import db


def site_url(path: str | None) -> str:
    """An address people can open from their mail client: SITE_URL + path (just the path without it).

    Every link in a mail is built here and never from the request's Host header, which the sender of the
    request chooses: a reset link must not point at someone else's site."""
    base = (current_app.config.get("SITE_URL") or "").rstrip("/")
    return f"{base}{path or '/'}"


def sent_or_link(to: str, link: str, what: str = "邀请") -> str:
    """What to tell whoever sent an invitation: it goes by mail, or (no MAIL_SERVER: an intranet without mail)
    the link, for them to pass on by hand."""
    if current_app.config.get("MAIL_SERVER"):
        return f"{what}已发送至 {to}"
    return f"平台未配置邮件服务，请将此{what}链接发给 {to}：{link}"


class EmailDelivery:
    """The delivery state of one e-mail, shared by notifications and the mail outbox so that one piece of
    code (app/notifications/delivery.py) claims, sends, retries and gives up on both alike.

    pending → sending (claimed by one run, committed before the SMTP call) → sent, or back to pending with
    `email_next_attempt_at` set (backoff), or failed after the last attempt.
    """

    email_state: Mapped[EmailState] = mapped_column(
        EnumText(EmailState), default=EmailState.PENDING, nullable=False, index=True
    )
    email_attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # backoff: not before this
    email_claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    email_error: Mapped[str | None] = mapped_column(sa.Text)


class MailOutbox(EmailDelivery, db.Model):
    """An e-mail that is not a notification (password reset, invitation, digest), written in the request's
    transaction and sent by the jobs process. `key` (when given) makes queueing the same mail twice a no-op."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(sa.String(160), unique=True)
    to: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False, index=True)


def queue_mail(to: str, subject: str, body: str, key: str | None = None) -> MailOutbox | None:
    """Queue an e-mail in this transaction; the jobs process sends it (send_emails), never the request.

    A mail queued again under the same `key` is not queued twice (returns None then). The subject is made one
    line (a title typed before the single-line rule may hold a line break); an address with a control character
    in it is not queued at all (returns None), since it would add lines to the mail's header.
    """
    if single_line_error(to):
        current_app.logger.warning("邮件地址含控制字符，未发送：%r（%s）", to, subject)
        return None
    if key is not None and db.session.scalar(sa.select(MailOutbox.id).where(MailOutbox.key == key)):
        return None
    mail = MailOutbox(key=key, to=to, subject=one_line(subject)[:300], body=body)
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        return None  # the same key was queued by a concurrent transaction
    return mail
