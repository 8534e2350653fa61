from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import local_today
from app.core.enums import OrgRole, OrgSize, OrgType, Tier, VerificationStatus
from app.core.models import EnumText, PlaceNamesMixin, StoredFileMixin, TimestampMixin, utcnow
from app.extensions import db


class OrgGroup(db.Model):
    """A 集团: organisations in the same group are never matched with each other."""

    __tablename__ = "org_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    members = relationship("Organization", back_populates="group")


class Organization(TimestampMixin, PlaceNamesMixin, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    org_type: Mapped[OrgType] = mapped_column(EnumText(OrgType), nullable=False, index=True)
    credit_code: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    region: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(3), index=True)
    size: Mapped[OrgSize | None] = mapped_column(EnumText(OrgSize))
    contact_name: Mapped[str | None] = mapped_column(sa.String(50))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_groups.id", ondelete="SET NULL"), index=True)
    verification: Mapped[VerificationStatus] = mapped_column(
        EnumText(VerificationStatus), default=VerificationStatus.PENDING, nullable=False, index=True
    )
    verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # No foreign key on purpose: users → organizations already points the other way, and the
    # full verification trail (who, when, why) lives in status_changes.
    verified_by_id: Mapped[int | None] = mapped_column()
    verification_note: Mapped[str | None] = mapped_column(sa.Text)

    group = relationship("OrgGroup", back_populates="members")
    users = relationship("User", back_populates="org", foreign_keys="User.org_id")
    tiers = relationship(
        "TierRecord", back_populates="org", cascade="all, delete-orphan", order_by="TierRecord.year.desc()"
    )
    licence = relationship("BusinessLicence", back_populates="org", uselist=False, cascade="all, delete-orphan")

    @property
    def is_verified(self) -> bool:
        return self.verification == VerificationStatus.VERIFIED

    def current_tier(self, on: date | None = None) -> Tier | None:
        """The highest tier whose recognition has not expired."""
        on = on or local_today()
        valid = [t.tier for t in self.tiers if t.expires_on is None or t.expires_on >= on]
        return max(valid, key=lambda t: t.rank) if valid else None

    def admins(self):
        return [u for u in self.users if u.org_role == OrgRole.ADMIN]

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class BusinessLicence(StoredFileMixin, db.Model):
    """The scan of an organisation's 营业执照 (or 法人登记证书), one per organisation, for platform verification.
    Only platform admins and the organisation's own admins may open it."""

    __tablename__ = "business_licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True, nullable=False
    )

    org = relationship("Organization", back_populates="licence")


class TierRecord(db.Model):
    """One recognition in the 梯度培育 library: which tier, which year, valid until when."""

    __tablename__ = "tier_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    tier: Mapped[Tier] = mapped_column(EnumText(Tier), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    certificate_no: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    org = relationship("Organization", back_populates="tiers")

    __table_args__ = (sa.UniqueConstraint("org_id", "tier", "year"),)


class Invitation(db.Model):
    """An org admin invites a colleague by e-mail; only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    role: Mapped[OrgRole] = mapped_column(EnumText(OrgRole), default=OrgRole.MEMBER, nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    org = relationship("Organization")
    invited_by = relationship("User", foreign_keys=[invited_by_id])
