"""What happens between a policy item and a firm: the firm's own marks (关注 / 已申报 / 已获批 with the amount, a
satisfaction rating after 获批), when it first viewed the item, and each notice the platform sent it.

One PolicyMark row per (organisation, item), created on the first view or mark; the authority's figures
(知晓率 = viewed / qualifying, 惠及率 = approved / qualifying, 满意率 from the ratings) are counted from these rows.
PolicyNotice is the push's ledger: its unique key (organisation, item, kind) makes every notice at most once,
however often the job or a profile change runs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, utcnow
from app.extensions import db

# PolicyNotice.kind values: the firm newly qualifies for an open item; reminders before the window closes.
NOTICE_ELIGIBLE = "eligible"
NOTICE_CLOSING_7 = "closing_7d"
NOTICE_CLOSING_1 = "closing_1d"
NOTICE_KINDS = (NOTICE_ELIGIBLE, NOTICE_CLOSING_7, NOTICE_CLOSING_1)


class PolicyMark(TimestampMixin, db.Model):
    """A firm's relation to one policy item. The firm sets watched/applied/approved/rating itself; viewed is
    recorded when one of its users opens the item's page."""

    __tablename__ = "policy_marks"
    __table_args__ = (sa.UniqueConstraint("org_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("policy_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    first_viewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    watched_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # 关注; None = not watched
    applied_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # 已申报
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # 已获批
    approved_amount_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)  # 1–5, only after 获批
    rated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    organization = relationship("Organization")
    item = relationship("PolicyItem")

    @property
    def watched(self) -> bool:
        return self.watched_at is not None

    @property
    def applied(self) -> bool:
        return self.applied_at is not None

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class PolicyNotice(db.Model):
    """One notice sent to one firm about one item (NOTICE_KINDS); never sent twice."""

    __tablename__ = "policy_notices"
    __table_args__ = (sa.UniqueConstraint("org_id", "item_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("policy_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


class CalculatorUse(db.Model):
    """Anonymous 政策计算器 use, counted per Beijing day: nothing about the visitor is kept."""

    __tablename__ = "policy_calculator_uses"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    uses: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
