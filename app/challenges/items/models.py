"""揭榜挂帅 / 赛马制: the 榜单 (batch), its challenge items with their 考核指标 and payment plan, and the public Q&A.

Every item is backed by a published 研发需求 posting with the 揭榜挂帅 flag (`posting_id`): an item promoted
from an existing need keeps that posting (its ref, its matches); a new item gets one written from its text, so
search, matching (who might 揭榜) and the docking funnel see challenges like any other need.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus, TrancheTrigger
from app.core.enums import Tier
from app.core.models import EnumText, TimestampMixin, utcnow
from app.extensions import db


class ChallengeBatch(TimestampMixin, db.Model):
    """A 榜单: e.g. "2027年度关键核心技术攻关榜单（第一批）", by an issuer (主管部门, or a firm for its own needs),
    open for applications from `opens_on` until the end of `closes_on` (Beijing)."""

    __tablename__ = "challenge_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    opens_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    closes_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[BatchStatus] = mapped_column(
        EnumText(BatchStatus), default=BatchStatus.DRAFT, nullable=False, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    issuer = relationship("Organization")
    items = relationship(
        "ChallengeItem", back_populates="batch", cascade="all, delete-orphan", order_by="ChallengeItem.position"
    )

    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="window_order"),)

    def __repr__(self) -> str:
        return f"<ChallengeBatch {self.title}>"


class ChallengeItem(TimestampMixin, db.Model):
    """One challenge (榜单 item): goal, indicators, deadline, funding and payment plan, who may apply, IP terms,
    and the mode. For 赛马制, `teams_stage1` teams are funded in parallel and the gate keeps `teams_kept`."""

    __tablename__ = "challenge_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_batches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("postings.id", ondelete="SET NULL"), unique=True)
    position: Mapped[int] = mapped_column(nullable=False, default=1)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    goal: Mapped[str] = mapped_column(sa.Text, nullable=False)  # 攻关目标
    background: Mapped[str | None] = mapped_column(sa.Text)  # 需求背景 / 现有基础
    industry: Mapped[str | None] = mapped_column(sa.String(3))  # GB/T 4754 大类 or 门类
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)  # for search and matching
    complete_by: Mapped[date] = mapped_column(sa.Date, nullable=False)  # 完成时限
    funding_wan: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)  # 总经费 / 奖励（万元）
    mode: Mapped[ChallengeMode] = mapped_column(EnumText(ChallengeMode), default=ChallengeMode.SINGLE, nullable=False)
    teams_stage1: Mapped[int] = mapped_column(default=1, nullable=False)
    teams_kept: Mapped[int] = mapped_column(default=1, nullable=False)
    # 揭榜条件: empty lists mean "any"
    eligible_org_types: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    eligible_regions: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)  # 盟市 codes
    min_tier: Mapped[Tier | None] = mapped_column(EnumText(Tier))
    required_certificates: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    other_conditions: Mapped[str | None] = mapped_column(sa.Text)  # read by people at 形式审查
    consortium_allowed: Mapped[bool] = mapped_column(default=True, nullable=False)
    max_partners: Mapped[int] = mapped_column(default=4, nullable=False)
    ip_terms: Mapped[str | None] = mapped_column(sa.Text)
    # review settings
    experts_per_application: Mapped[int] = mapped_column(default=3, nullable=False)
    blind_review: Mapped[bool] = mapped_column(default=False, nullable=False)
    defence_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))  # 答辩
    status: Mapped[ItemStatus] = mapped_column(
        EnumText(ItemStatus), default=ItemStatus.DRAFT, nullable=False, index=True
    )
    failed_reason: Mapped[str | None] = mapped_column(sa.Text)  # 流榜 / 终止: why

    batch = relationship("ChallengeBatch", back_populates="items")
    posting = relationship("Posting")
    indicators = relationship(
        "ChallengeIndicator",
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="ChallengeIndicator.position",
    )
    tranches = relationship(
        "PaymentTranche", back_populates="item", cascade="all, delete-orphan", order_by="PaymentTranche.position"
    )

    __table_args__ = (
        sa.CheckConstraint("funding_wan > 0", name="funding_positive"),
        sa.CheckConstraint("teams_stage1 >= 1 AND teams_kept >= 1 AND teams_kept <= teams_stage1", name="teams"),
        sa.CheckConstraint("experts_per_application >= 1", name="experts_positive"),
        sa.CheckConstraint("max_partners >= 0", name="partners_nonneg"),
    )

    def __repr__(self) -> str:
        return f"<ChallengeItem {self.title}>"


class ChallengeIndicator(db.Model):
    """A measurable 考核指标: what, the target value and unit, and how it is verified (e.g. 第三方检测报告)."""

    __tablename__ = "challenge_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    target: Mapped[str] = mapped_column(sa.String(100), nullable=False)  # "≥ 98.5", "≤ 0.05", "通过"
    unit: Mapped[str | None] = mapped_column(sa.String(30))
    verification: Mapped[str | None] = mapped_column(sa.String(300))

    item = relationship("ChallengeItem", back_populates="indicators")


class PaymentTranche(db.Model):
    """A slice of the item's funding in whole percent, due at a trigger; the slices of an item sum to 100."""

    __tablename__ = "challenge_tranches"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)  # 首付款 / 中期款 / 验收款
    percent: Mapped[int] = mapped_column(nullable=False)
    trigger: Mapped[TrancheTrigger] = mapped_column(EnumText(TrancheTrigger), nullable=False)

    item = relationship("ChallengeItem", back_populates="tranches")

    __table_args__ = (sa.CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),)


class ChallengeQuestion(db.Model):
    """A question on an item from a signed-in organisation; the issuer's answer is published to everyone (the
    asker's name is not)."""

    __tablename__ = "challenge_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    asked_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
