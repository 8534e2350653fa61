"""After the award: the 任务书 (contract) of each winning team, its milestones and their reports, payments
against the plan, the 赛马制 stage-gate outcome, and 验收 (an expert panel's verdict on each 考核指标)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.challenge_enums import AcceptanceResult, ContractStatus, MilestoneStatus
from app.core.models import EnumText, StoredFileMixin, utcnow
from app.extensions import db


class ChallengeContract(db.Model):
    """The 任务书 of one awarded application. `amount_wan` is this team's share of the item's funding (the
    whole funding for 揭榜挂帅; for 赛马制 the issuer splits it). It creates or advances a docking record
    (签约, amount) so the funnel counts it."""

    __tablename__ = "challenge_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_applications.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    docking_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("docking_records.id", ondelete="SET NULL"))
    signed_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    amount_wan: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    status: Mapped[ContractStatus] = mapped_column(
        EnumText(ContractStatus), default=ContractStatus.ACTIVE, nullable=False, index=True
    )
    gate_score: Mapped[str | None] = mapped_column(sa.String(20))
    gate_rank: Mapped[int | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(sa.Text)  # stopped at the gate, terminated
    acceptance_result: Mapped[AcceptanceResult | None] = mapped_column(EnumText(AcceptanceResult))
    accepted_on: Mapped[date | None] = mapped_column(sa.Date)
    acceptance_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    application = relationship("ChallengeApplication")
    item = relationship("ChallengeItem")
    milestones = relationship(
        "ContractMilestone",
        back_populates="contract",
        cascade="all, delete-orphan",
        order_by="ContractMilestone.position",
    )
    payments = relationship(
        "ChallengePayment", back_populates="contract", cascade="all, delete-orphan", order_by="ChallengePayment.id"
    )

    __table_args__ = (sa.CheckConstraint("amount_wan > 0", name="amount_positive"),)


class ContractMilestone(db.Model):
    """A milestone of the contract: due date, what is expected, the payment tranche it releases (if any)."""

    __tablename__ = "challenge_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_contracts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    expected: Mapped[str | None] = mapped_column(sa.Text)
    tranche_id: Mapped[int | None] = mapped_column(sa.ForeignKey("challenge_tranches.id", ondelete="SET NULL"))
    status: Mapped[MilestoneStatus] = mapped_column(
        EnumText(MilestoneStatus), default=MilestoneStatus.PENDING, nullable=False
    )
    reminded_on: Mapped[date | None] = mapped_column(sa.Date)  # last overdue reminder (one a day at most)

    contract = relationship("ChallengeContract", back_populates="milestones")
    reports = relationship(
        "MilestoneReport", back_populates="milestone", cascade="all, delete-orphan", order_by="MilestoneReport.id"
    )


class MilestoneReport(db.Model):
    """The winner's report on a milestone (text, indicator values achieved, files) and the issuer's review."""

    __tablename__ = "challenge_milestone_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_milestones.id", ondelete="CASCADE"), nullable=False, index=True
    )
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    indicator_values: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)  # indicator id → value
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    review_status: Mapped[MilestoneStatus] = mapped_column(
        EnumText(MilestoneStatus), default=MilestoneStatus.SUBMITTED, nullable=False
    )
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    milestone = relationship("ContractMilestone", back_populates="reports")
    files = relationship("MilestoneFile", back_populates="report", cascade="all, delete-orphan")


class MilestoneFile(StoredFileMixin, db.Model):
    __tablename__ = "challenge_milestone_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_milestone_reports.id", ondelete="CASCADE"), nullable=False, index=True
    )

    report = relationship("MilestoneReport", back_populates="files")


class ChallengePayment(db.Model):
    """Money paid to a team against a tranche of the plan. The payments of an item never exceed its funding,
    nor a contract's its amount (checked under a lock when recorded)."""

    __tablename__ = "challenge_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_contracts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    tranche_id: Mapped[int | None] = mapped_column(sa.ForeignKey("challenge_tranches.id", ondelete="SET NULL"))
    amount_wan: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    paid_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    contract = relationship("ChallengeContract", back_populates="payments")

    __table_args__ = (sa.CheckConstraint("amount_wan > 0", name="amount_positive"),)


class AcceptanceCheck(db.Model):
    """One 验收 expert's verdict on one 考核指标 of a contract: met or not, with the value measured."""

    __tablename__ = "challenge_acceptance_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_contracts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_assignments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_indicators.id", ondelete="CASCADE"), nullable=False
    )
    met: Mapped[bool] = mapped_column(nullable=False)
    measured: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    checked_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    __table_args__ = (sa.UniqueConstraint("assignment_id", "indicator_id"),)
