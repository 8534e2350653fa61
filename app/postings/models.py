from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import CooperationMode, PostingKind, PostingStatus, Tier
from app.core.models import EnumText, PlaceNamesMixin, StoredFileMixin, TimestampMixin
from app.extensions import db


class Posting(TimestampMixin, PlaceNamesMixin, db.Model):
    """One table for the four kinds (achievement, need, procurement, capability).

    They share title, body, keywords, industry, region, contact and lifecycle; kind-specific
    columns are nullable. Search and matching read them all through one shape.
    """

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PostingKind] = mapped_column(EnumText(PostingKind), nullable=False, index=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[PostingStatus] = mapped_column(
        EnumText(PostingStatus), default=PostingStatus.DRAFT, nullable=False, index=True
    )
    ref: Mapped[str | None] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")  # summary / description
    keywords: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    industry: Mapped[str | None] = mapped_column(sa.String(3), index=True)
    region: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    contact_name: Mapped[str | None] = mapped_column(sa.String(50))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    deadline: Mapped[date | None] = mapped_column(sa.Date, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, nullable=False)  # bumped on every change; search uses it
    # A random token carried by the "new posting" form: a second POST of the same form (double tap, retry on a
    # flaky mobile connection) finds the posting the first one created instead of making another.
    form_token: Mapped[str | None] = mapped_column(sa.String(40))

    # achievement
    trl: Mapped[int | None] = mapped_column(sa.SmallInteger)
    patents: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    year: Mapped[int | None] = mapped_column(sa.SmallInteger)
    # need
    budget_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    challenge: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    reward_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    ip_terms: Mapped[str | None] = mapped_column(sa.Text)
    # procurement
    quantity: Mapped[str | None] = mapped_column(sa.String(200))
    qualifications: Mapped[str | None] = mapped_column(sa.Text)
    # capability
    certifications: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    tier: Mapped[Tier | None] = mapped_column(EnumText(Tier))

    org = relationship("Organization")
    created_by = relationship("User")
    modes = relationship("PostingMode", cascade="all, delete-orphan", lazy="selectin")
    attachments = relationship("Attachment", cascade="all, delete-orphan", back_populates="posting")

    __table_args__ = (
        sa.UniqueConstraint("kind", "ref"),
        sa.UniqueConstraint("org_id", "form_token"),
        sa.CheckConstraint("trl IS NULL OR (trl BETWEEN 1 AND 9)", name="trl_range"),
        sa.CheckConstraint("budget_wan IS NULL OR budget_wan >= 0", name="budget_nonneg"),
        sa.CheckConstraint("reward_wan IS NULL OR reward_wan >= 0", name="reward_nonneg"),
        sa.Index("ix_postings_kind_status_published", "kind", "status", "published_at"),
    )

    @property
    def cooperation(self) -> list[CooperationMode]:
        return sorted((m.mode for m in self.modes), key=lambda m: list(CooperationMode).index(m))

    @cooperation.setter
    def cooperation(self, modes) -> None:
        wanted = {CooperationMode(m) for m in modes or []}
        self.modes = [m for m in self.modes if m.mode in wanted]
        have = {m.mode for m in self.modes}
        for mode in wanted - have:
            self.modes.append(PostingMode(mode=mode))

    @property
    def is_public(self) -> bool:
        return self.status == PostingStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status in (PostingStatus.DRAFT, PostingStatus.REJECTED, PostingStatus.PUBLISHED)

    @property
    def has_deadline(self) -> bool:
        return self.kind in (PostingKind.NEED, PostingKind.PROCUREMENT)

    def __repr__(self) -> str:
        return f"<Posting {self.kind.value}:{self.id} {self.title!r}>"


class PostingMode(db.Model):
    """A cooperation mode of a posting, one row each so lists can filter on it in SQL."""

    __tablename__ = "posting_modes"

    posting_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[CooperationMode] = mapped_column(EnumText(CooperationMode), primary_key=True)


class Attachment(StoredFileMixin, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False, index=True
    )

    posting = relationship("Posting", back_populates="attachments")
