from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import DigestFrequency, EmailState, NotificationKind
from app.core.models import EnumText, utcnow
from app.extensions import db


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


class Notification(EmailDelivery, db.Model):
    """One thing a user should know about. Written in the same transaction as the change it reports;
    the e-mail (if any) is sent later by the jobs process from this row, so nothing is lost or sent twice.

    `key` makes notifying idempotent: the same (user, key) is stored once however often a job or a
    retried request asks for it.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[NotificationKind] = mapped_column(EnumText(NotificationKind), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_key", "key"),  # "was this event announced to anyone yet?"
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(db.Model):
    """A user's e-mail choices. No row means the defaults: every kind by e-mail, sent at once."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[DigestFrequency] = mapped_column(
        EnumText(DigestFrequency), default=DigestFrequency.INSTANT, nullable=False
    )
    muted_kinds: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # kinds not e-mailed
    last_digest_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    def emails(self, kind: NotificationKind) -> bool:
        return kind.value not in (self.muted_kinds or [])


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
