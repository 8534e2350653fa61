from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.models import EnumText, StoredFileMixin, TimestampMixin
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.extensions import db
from app.policies.places import place_name
from app.policies.rules import render_rule, validate_rule


class Policy(TimestampMixin, db.Model):
    """A policy document (政策文件) as issued: who, which 文号, where it applies, when it is in force."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  # the import file's key
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    issuer: Mapped[str] = mapped_column(sa.String(200), nullable=False)  # 发文部门
    doc_number: Mapped[str | None] = mapped_column(sa.String(100))  # 文号
    scope: Mapped[PolicyScope] = mapped_column(EnumText(PolicyScope), nullable=False)
    region: Mapped[str] = mapped_column(sa.String(6), nullable=False, index=True)  # app.policies.places
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    effective_on: Mapped[date | None] = mapped_column(sa.Date)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    body: Mapped[str | None] = mapped_column(sa.Text)  # 全文
    interpretation: Mapped[str | None] = mapped_column(sa.Text)  # 政策解读
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[PolicyStatus] = mapped_column(
        EnumText(PolicyStatus), default=PolicyStatus.DRAFT, nullable=False, index=True
    )
    issuing_org_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )

    # A random token carried by the staff "new policy" form: a second POST of the same form finds the first policy.
    form_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    issuing_org = relationship("Organization")
    items = relationship("PolicyItem", back_populates="policy", cascade="all, delete-orphan", order_by="PolicyItem.id")
    attachments = relationship(
        "PolicyAttachment", back_populates="policy", cascade="all, delete-orphan", order_by="PolicyAttachment.id"
    )

    @property
    def region_name(self) -> str:
        return place_name(self.region)

    def __repr__(self) -> str:
        return f"<Policy {self.title}>"


class PolicyItem(TimestampMixin, db.Model):
    """One thing a firm can apply for under a policy (申报事项), with its window and its eligibility rule."""

    __tablename__ = "policy_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("policies.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    benefit_type: Mapped[BenefitType] = mapped_column(EnumText(BenefitType), nullable=False)
    amount_min_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    amount_max_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    opens_on: Mapped[date | None] = mapped_column(sa.Date)
    closes_on: Mapped[date | None] = mapped_column(sa.Date)
    materials: Mapped[str | None] = mapped_column(sa.Text)  # 申报材料
    how_to_apply: Mapped[str | None] = mapped_column(sa.Text)  # 申报方式与地点
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    rules: Mapped[dict | None] = mapped_column(sa.JSON)

    policy = relationship("Policy", back_populates="items")

    @validates("rules")
    def _check_rules(self, key, value):
        """No rule is stored unread: validate_rule raises RuleError (Chinese, naming the condition)."""
        return validate_rule(value)

    @property
    def rule_text(self) -> str:
        return render_rule(self.rules)

    def __repr__(self) -> str:
        return f"<PolicyItem {self.title}>"


class PolicyAttachment(StoredFileMixin, db.Model):
    """A file of the policy as issued (原文 PDF, 申报表…): PDF, JPEG or PNG, stored under UPLOAD_DIR/policies."""

    __tablename__ = "policy_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("policies.id", ondelete="CASCADE"), nullable=False, index=True)

    policy = relationship("Policy", back_populates="attachments")
