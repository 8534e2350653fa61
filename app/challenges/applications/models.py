"""揭榜 applications: one per organisation per item, alone or as the lead of a consortium, and the issuer's
invitations to likely 揭榜方."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.challenge_enums import ApplicationStatus, PartnerStatus
from app.core.models import EnumText, StoredFileMixin, TimestampMixin, utcnow
from app.extensions import db


class ChallengeApplication(TimestampMixin, db.Model):
    """The lead organisation's application. Structured parts are JSON lists of rows:
    team [{name, title, role}], budget [{item, amount_wan}], milestones [{name, months, deliverable}],
    indicator_plans {indicator_id: how it will be met}, linked_posting_ids [posting id]."""

    __tablename__ = "challenge_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ApplicationStatus] = mapped_column(
        EnumText(ApplicationStatus), default=ApplicationStatus.DRAFT, nullable=False, index=True
    )
    project_title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    technical_plan: Mapped[str | None] = mapped_column(sa.Text)
    team: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    budget: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    milestones: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    indicator_plans: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    linked_posting_ids: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    commitment_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # 承诺书 confirmed (立军令状)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # 形式审查
    screened_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    resubmit_by: Mapped[date | None] = mapped_column(sa.Date)
    # decision
    final_score: Mapped[str | None] = mapped_column(sa.String(20))  # the review result as shown (e.g. "86.35")
    rank: Mapped[int | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    item = relationship("ChallengeItem")
    org = relationship("Organization")
    partners = relationship(
        "ConsortiumPartner", back_populates="application", cascade="all, delete-orphan", order_by="ConsortiumPartner.id"
    )
    attachments = relationship(
        "ApplicationAttachment",
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationAttachment.id",
    )

    __table_args__ = (sa.UniqueConstraint("item_id", "org_id"),)


class ConsortiumPartner(db.Model):
    """A partner organisation named by the lead; it confirms (or declines) its part in the consortium."""

    __tablename__ = "challenge_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    part: Mapped[str] = mapped_column(sa.String(300), nullable=False)  # 承担任务
    budget_share_wan: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[PartnerStatus] = mapped_column(
        EnumText(PartnerStatus), default=PartnerStatus.INVITED, nullable=False
    )
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    application = relationship("ChallengeApplication", back_populates="partners")
    org = relationship("Organization")

    __table_args__ = (sa.UniqueConstraint("application_id", "org_id"),)


class ApplicationAttachment(StoredFileMixin, db.Model):
    """A file of the application (方案书, 检测报告, 资质证明…): PDF, JPEG or PNG under UPLOAD_DIR/challenges."""

    __tablename__ = "challenge_application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )

    application = relationship("ChallengeApplication", back_populates="attachments")


class ChallengeInvite(db.Model):
    """The issuer invited an organisation the platform suggested (or found) to apply for an item."""

    __tablename__ = "challenge_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))  # the match reason shown to the issuer
    message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    org = relationship("Organization")

    __table_args__ = (sa.UniqueConstraint("item_id", "org_id"),)
