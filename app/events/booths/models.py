"""Expo booths and exhibitors' applications for them.

A booth is held by at most one application (a unique booth_id), and an organisation has at most one
application waiting at a time (a partial unique index), so a double submit cannot queue it twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import BoothApplicationStatus, BoothSize
from app.core.models import EnumText, TimestampMixin, utcnow
from app.extensions import db

booth_showcase = sa.Table(
    "event_booth_showcase",
    db.metadata,
    sa.Column("application_id", sa.ForeignKey("event_booth_applications.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("posting_id", sa.ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True),
)


class Booth(db.Model):
    __tablename__ = "event_booths"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    zone: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    size: Mapped[BoothSize] = mapped_column(EnumText(BoothSize), nullable=False, default=BoothSize.STANDARD)
    area_m2: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    event = relationship("Event")
    application = relationship("BoothApplication", back_populates="booth", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "number"),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="booth_area_positive"),
    )

    @property
    def size_text(self) -> str:
        area = f"{self.area_m2.normalize():f} m²" if self.area_m2 is not None else ""
        return " · ".join(part for part in (self.size.label, area) if part)


class BoothApplication(TimestampMixin, db.Model):
    __tablename__ = "event_booth_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[BoothApplicationStatus] = mapped_column(
        EnumText(BoothApplicationStatus), nullable=False, default=BoothApplicationStatus.PENDING
    )
    preferred_zone: Mapped[str | None] = mapped_column(sa.String(50))
    preferred_size: Mapped[BoothSize | None] = mapped_column(EnumText(BoothSize))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Unique: no booth goes to two exhibitors, whatever the order of clicks.
    booth_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_booths.id", ondelete="SET NULL"), unique=True)
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    event = relationship("Event")
    org = relationship("Organization")
    user = relationship("User", foreign_keys=[user_id])
    booth = relationship("Booth", back_populates="application")
    showcase = relationship("Posting", secondary=booth_showcase, order_by="Posting.id")

    __table_args__ = (
        sa.Index(
            "uq_booth_application_pending",
            "event_id",
            "org_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )
