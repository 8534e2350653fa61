"""1:1 meetings (对接洽谈) at docking events: the organiser's settings (windows, slots, tables), requests
between participating organisations, and the meetings booked from accepted requests.

Double booking is prevented by the database, not by Python: a meeting owns its (slot, table) pair
(unique), and each party's time is a `MeetingHold` row unique on (slot, org) — the same row shape
marks a slot a party has blocked (no meeting), so a blocked slot can never be booked either.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import MeetingOutcome, MeetingRequestStatus
from app.core.models import EnumText, utcnow
from app.extensions import db


class MeetingSettings(db.Model):
    """Per event: slot length and how long a request may stay unanswered (hours after sending)."""

    __tablename__ = "meeting_settings"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    slot_minutes: Mapped[int] = mapped_column(nullable=False, default=20)
    answer_hours: Mapped[int] = mapped_column(nullable=False, default=48)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class MeetingWindow(db.Model):
    """A stretch of time given to meetings (e.g. 14:00–17:00); slots are cut from the windows."""

    __tablename__ = "meeting_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)


class MeetingTable(db.Model):
    __tablename__ = "meeting_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)

    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)


class MeetingSlot(db.Model):
    __tablename__ = "meeting_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)

    __table_args__ = (sa.UniqueConstraint("event_id", "starts_at"),)


class MeetingRequest(db.Model):
    """One organisation asks another for a meeting. `open_key` ("small_org_id-large_org_id") is set while
    the request is pending or accepted, so a second open request between the same two organisations (in
    either direction) breaks a unique constraint even when two submissions race."""

    __tablename__ = "meeting_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    sender_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    recipient_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sender_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status: Mapped[MeetingRequestStatus] = mapped_column(
        EnumText(MeetingRequestStatus), nullable=False, default=MeetingRequestStatus.PENDING, index=True
    )
    open_key: Mapped[str | None] = mapped_column(sa.String(30))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    sender_org = relationship("Organization", foreign_keys=[sender_org_id])
    recipient_org = relationship("Organization", foreign_keys=[recipient_org_id])
    sender_user = relationship("User", foreign_keys=[sender_user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    meeting = relationship("Meeting", back_populates="request", uselist=False)
    preferred_slots = relationship(
        "MeetingSlot", secondary="meeting_request_slots", order_by="MeetingSlot.starts_at", viewonly=True
    )

    __table_args__ = (
        sa.UniqueConstraint("event_id", "open_key"),
        sa.CheckConstraint("sender_org_id <> recipient_org_id", name="not_self"),
    )


class MeetingRequestSlot(db.Model):
    """A time the sender would like to meet at (one to three per request, chosen among slots both sides
    had free when sending). Accepting may pick one of them; booking without a pick tries them first."""

    __tablename__ = "meeting_request_slots"

    request_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_requests.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_slots.id", ondelete="CASCADE"), primary_key=True)


class Meeting(db.Model):
    """A booked meeting: one slot, one table, the two organisations, and afterwards its outcome. Cancelling
    deletes it and its holds (the request, now cancelled, and the audit trail keep the history), so the
    unique constraints free the slot and table for the next booking."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_requests.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_slots.id", ondelete="CASCADE"), nullable=False)
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_tables.id", ondelete="CASCADE"), nullable=False)
    outcome: Mapped[MeetingOutcome | None] = mapped_column(EnumText(MeetingOutcome))
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    request = relationship("MeetingRequest", back_populates="meeting")
    slot = relationship("MeetingSlot")
    table = relationship("MeetingTable")

    __table_args__ = (sa.UniqueConstraint("slot_id", "table_id"),)

    @property
    def org_ids(self) -> tuple[int, int]:
        return self.request.sender_org_id, self.request.recipient_org_id

    def other_org(self, org_id: int):
        req = self.request
        return req.recipient_org if req.sender_org_id == org_id else req.sender_org


class MeetingHold(db.Model):
    """An organisation's slot is taken: by a meeting (meeting_id set) or blocked by the party (busy)."""

    __tablename__ = "meeting_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_slots.id", ondelete="CASCADE"), nullable=False)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)

    __table_args__ = (sa.UniqueConstraint("slot_id", "org_id"),)
