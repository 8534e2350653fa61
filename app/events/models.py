"""Events, their sessions and ticket categories, and the registrations and attendees every event feature
(registration, check-in, booths, meetings, judging) reads. Times are naive UTC like everywhere else; pages
show Beijing time."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import EventStatus, EventType, RegistrationStatus, TicketType
from app.core.models import EnumText, PlaceNamesMixin, TimestampMixin, utcnow
from app.extensions import db

# Registrations still in play: they hold (or wait for) seats and block a second one from the same organisation.
LIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# An attendee's short code: no 0/O, 1/I/L, as it is read aloud and typed on a phone at the desk.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8


class Event(TimestampMixin, PlaceNamesMixin, db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[EventType] = mapped_column(EnumText(EventType), nullable=False, index=True)
    status: Mapped[EventStatus] = mapped_column(
        EnumText(EventStatus), default=EventStatus.DRAFT, nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    region: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(3))  # optional theme (GB/T 4754 大类)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    capacity: Mapped[int | None] = mapped_column()  # attendees (seats); None = unlimited
    # Confirmed attendees, kept in step with registrations under the event's lock (see services).
    seats_taken: Mapped[int] = mapped_column(default=0, nullable=False)
    audience: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # OrgType values; [] = all
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    host_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    organiser = relationship("User", foreign_keys=[organiser_id])
    host_org = relationship("Organization")
    sessions = relationship(
        "EventSession", back_populates="event", cascade="all, delete-orphan", order_by="EventSession.starts_at"
    )
    ticket_categories = relationship(
        "TicketCategory", back_populates="event", cascade="all, delete-orphan", order_by="TicketCategory.id"
    )
    registrations = relationship("Registration", back_populates="event", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_nonneg"),
        sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
    )

    @property
    def seats_left(self) -> int | None:
        """Seats still free for confirmation; None when the event has no limit."""
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def place(self) -> str:
        return self.venue or ("线上活动" if self.online_url else "")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


# Which limited sessions (分会场) a registration signed up for; all its attendees attend them.
registration_sessions = sa.Table(
    "event_registration_sessions",
    db.metadata,
    sa.Column("registration_id", sa.ForeignKey("event_registrations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("session_id", sa.ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True),
)


class EventSession(db.Model):
    """An agenda item: its own time, room and optional capacity (confirmed attendees who chose it)."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    speaker: Mapped[str | None] = mapped_column(sa.String(200))
    room: Mapped[str | None] = mapped_column(sa.String(100))
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    capacity: Mapped[int | None] = mapped_column()
    taken: Mapped[int] = mapped_column(default=0, nullable=False)  # under the event lock, like seats_taken

    event = relationship("Event", back_populates="sessions")

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class TicketCategory(db.Model):
    """观众 / 参展商 / 路演企业 / 评委 / 媒体, each with its own quota of attendees (None = no own limit)."""

    __tablename__ = "event_ticket_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    ticket_type: Mapped[TicketType] = mapped_column(EnumText(TicketType), nullable=False)
    name: Mapped[str | None] = mapped_column(sa.String(100))  # shown instead of the type's label when set
    quota: Mapped[int | None] = mapped_column()
    taken: Mapped[int] = mapped_column(default=0, nullable=False)  # confirmed attendees, under the event lock

    event = relationship("Event", back_populates="ticket_categories")

    __table_args__ = (sa.UniqueConstraint("event_id", "ticket_type"),)

    @property
    def label(self) -> str:
        return self.name or self.ticket_type.label

    @property
    def left(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.taken, 0)


class Registration(TimestampMixin, db.Model):
    """An organisation's registration for an event, made by one of its users, for one or more attendees.

    `seats` (the number of attendees) counts against the event's capacity while confirmed. `queue_no` is
    the arrival order, given under the event's lock, and orders the waitlist.
    """

    __tablename__ = "event_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    ticket_category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_ticket_categories.id", ondelete="SET NULL")
    )
    status: Mapped[RegistrationStatus] = mapped_column(EnumText(RegistrationStatus), nullable=False, index=True)
    seats: Mapped[int] = mapped_column(default=1, nullable=False)
    queue_no: Mapped[int] = mapped_column(nullable=False)
    form_token: Mapped[str | None] = mapped_column(sa.String(40))  # a double submit finds the first one
    note: Mapped[str | None] = mapped_column(sa.Text)
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    event = relationship("Event", back_populates="registrations")
    org = relationship("Organization")
    user = relationship("User")
    ticket_category = relationship("TicketCategory")
    sessions = relationship("EventSession", secondary=registration_sessions, order_by="EventSession.starts_at")
    attendees = relationship(
        "Attendee", back_populates="registration", cascade="all, delete-orphan", order_by="Attendee.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("event_id", "form_token"),
        sa.UniqueConstraint("event_id", "queue_no"),
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        # One live registration per organisation and event; a cancelled or rejected one may be followed by a
        # new one. The services check this under the event lock; the index is the last word.
        sa.Index(
            "uq_event_registrations_live_org",
            "event_id",
            "org_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted')"),
            postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted')"),
        ),
    )

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class Attendee(db.Model):
    """A named person on a registration; holds the ticket (QR token and short code) and the check-in."""

    __tablename__ = "event_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_registrations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    position: Mapped[str | None] = mapped_column(sa.String(50))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    ticket_token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    short_code: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    registration = relationship("Registration", back_populates="attendees")
    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("event_id", "short_code"),)


def new_ticket_codes() -> tuple[str, str]:
    """(token, short_code) for a new attendee. The token is 256 random bits; the short code is unique per
    event by a database constraint, so a (very unlikely) clash fails the insert instead of sharing a ticket."""
    token = secrets.token_urlsafe(32)
    short = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
    return token, short
