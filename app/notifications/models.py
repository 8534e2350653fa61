from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import DigestFrequency, NotificationKind
from app.core.mail import EmailDelivery
from app.core.models import EnumText, utcnow
from app.extensions import db


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
