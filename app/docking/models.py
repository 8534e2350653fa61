"""Docking (对接): a request from one organisation to the owner of a posting, and — once accepted — the
docking record that follows the cooperation from first contact to a signed and completed contract.

Every change to a record is a line of its timeline (`docking_events`), with who and when.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import (
    ContractType,
    DeclineReason,
    DockingEventKind,
    DockingOrigin,
    DockingRequestStatus,
    DockingStage,
)
from app.core.models import EnumText, StoredFileMixin, utcnow
from app.extensions import db

PENDING = DockingRequestStatus.PENDING.value


class DockingRequest(db.Model):
    __tablename__ = "docking_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    to_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_posting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    own_posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("postings.id", ondelete="SET NULL"))
    match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matches.id", ondelete="SET NULL"))
    origin: Mapped[DockingOrigin] = mapped_column(EnumText(DockingOrigin), nullable=False)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[DockingRequestStatus] = mapped_column(
        EnumText(DockingRequestStatus), default=DockingRequestStatus.PENDING, nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False, index=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[DeclineReason | None] = mapped_column(EnumText(DeclineReason))
    decline_note: Mapped[str | None] = mapped_column(sa.String(500))
    # Carried by the "发起对接" form: a second POST of the same form finds the first request.
    form_token: Mapped[str | None] = mapped_column(sa.String(40))

    from_org = relationship("Organization", foreign_keys=[from_org_id])
    to_org = relationship("Organization", foreign_keys=[to_org_id])
    from_user = relationship("User", foreign_keys=[from_user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    target = relationship("Posting", foreign_keys=[target_posting_id])
    own_posting = relationship("Posting", foreign_keys=[own_posting_id])
    record = relationship("DockingRecord", back_populates="request", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("from_org_id", "form_token"),
        # One open request per (requesting organisation, posting), enforced by the database.
        sa.Index(
            "uq_docking_requests_open",
            "from_org_id",
            "target_posting_id",
            unique=True,
            sqlite_where=sa.text(f"status = '{PENDING}'"),
            postgresql_where=sa.text(f"status = '{PENDING}'"),
        ),
    )

    def party_org_ids(self) -> tuple[int, int]:
        return self.from_org_id, self.to_org_id

    @property
    def is_open(self) -> bool:
        """Pending and still answerable (the expiry job may not have caught up with the deadline yet)."""
        return self.status == DockingRequestStatus.PENDING and self.expires_at > utcnow()


class DockingRecord(db.Model):
    """对接记录: one per accepted request. `stage` is where it is now; `peak_stage` the furthest forward stage
    it reached (termination keeps it), which is what the funnel counts."""

    __tablename__ = "docking_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("docking_requests.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    stage: Mapped[DockingStage] = mapped_column(
        EnumText(DockingStage), default=DockingStage.CONTACT, nullable=False, index=True
    )
    peak_stage: Mapped[DockingStage] = mapped_column(
        EnumText(DockingStage), default=DockingStage.CONTACT, nullable=False
    )
    contract_type: Mapped[ContractType | None] = mapped_column(EnumText(ContractType))
    amount_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    signed_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)  # 验收日期
    completion_note: Mapped[str | None] = mapped_column(sa.Text)
    termination_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    request = relationship("DockingRequest", back_populates="record", lazy="joined")
    events = relationship(
        "DockingEvent", back_populates="record", order_by="DockingEvent.at, DockingEvent.id", cascade="all"
    )
    files = relationship("DockingFile", back_populates="record", order_by="DockingFile.id", cascade="all")

    __table_args__ = (sa.CheckConstraint("amount_wan IS NULL OR amount_wan >= 0", name="amount_nonneg"),)


class DockingFile(StoredFileMixin, db.Model):
    """A document attached to a docking record; only the two parties and platform admins can download it."""

    __tablename__ = "docking_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("docking_records.id", ondelete="CASCADE"), nullable=False, index=True
    )

    record = relationship("DockingRecord", back_populates="files")


class DockingEvent(db.Model):
    """One line of a record's timeline: acceptance, a stage move, a note or a file, with who and when."""

    __tablename__ = "docking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("docking_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[DockingEventKind] = mapped_column(EnumText(DockingEventKind), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    from_stage: Mapped[DockingStage | None] = mapped_column(EnumText(DockingStage))
    to_stage: Mapped[DockingStage | None] = mapped_column(EnumText(DockingStage))
    text: Mapped[str | None] = mapped_column(sa.Text)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("docking_files.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    record = relationship("DockingRecord", back_populates="events")
    actor = relationship("User")
    org = relationship("Organization")
    file = relationship("DockingFile")


class DockingFollowUp(db.Model):
    """A status question the platform asked both parties (14 days after acceptance, 6 months after signing).

    Answered when either party records a stage change or a note after `asked_at`; until then the job asks
    again every DOCKING_FOLLOW_UP_REPEAT_DAYS days.
    """

    __tablename__ = "docking_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("docking_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    milestone: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    asked_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (sa.UniqueConstraint("record_id", "milestone"),)
