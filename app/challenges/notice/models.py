"""公示 of the proposed winners, objections (异议) and their answers, and the admins' table of working days
that extends the chinese-calendar package (holidays and 调休 for years it does not know yet, or corrections)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.challenge_enums import NoticeStatus, ObjectionStatus
from app.core.models import EnumText, StoredFileMixin, utcnow
from app.extensions import db


class ChallengeNotice(db.Model):
    """One 公示 per item and round: the proposed winners (applications in PROPOSED) are public from `starts_on`
    through `ends_on`, the last of `working_days` Chinese working days."""

    __tablename__ = "challenge_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    working_days: Mapped[int] = mapped_column(nullable=False)
    text: Mapped[str | None] = mapped_column(sa.Text)  # 公示说明, 联系方式
    status: Mapped[NoticeStatus] = mapped_column(EnumText(NoticeStatus), default=NoticeStatus.OPEN, nullable=False)
    application_ids: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)  # as proposed
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    item = relationship("ChallengeItem")
    objections = relationship(
        "ChallengeObjection", back_populates="notice", cascade="all, delete-orphan", order_by="ChallengeObjection.id"
    )

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="period_order"),)


class ChallengeObjection(db.Model):
    """An objection lodged by a signed-in organisation during the notice period, with reasons and evidence;
    the issuer answers it, upholding or dismissing it."""

    __tablename__ = "challenge_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_notices.id", ondelete="CASCADE"), nullable=False, index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("challenge_applications.id", ondelete="SET NULL")
    )  # the proposed winner objected to (None: the notice as a whole)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    lodged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reasons: Mapped[str] = mapped_column(sa.Text, nullable=False)
    lodged_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    status: Mapped[ObjectionStatus] = mapped_column(
        EnumText(ObjectionStatus), default=ObjectionStatus.LODGED, nullable=False
    )
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    notice = relationship("ChallengeNotice", back_populates="objections")
    org = relationship("Organization")
    files = relationship("ObjectionFile", back_populates="objection", cascade="all, delete-orphan")


class ObjectionFile(StoredFileMixin, db.Model):
    __tablename__ = "challenge_objection_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_objections.id", ondelete="CASCADE"), nullable=False, index=True
    )

    objection = relationship("ChallengeObjection", back_populates="files")


class WorkdayOverride(db.Model):
    """A day whose working status the admins set by hand: a holiday (False) or a 调休 working weekend (True).
    It wins over the chinese-calendar package, and covers years the package does not know."""

    __tablename__ = "workday_overrides"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(100))  # e.g. 国庆节 / 国庆调休上班
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
