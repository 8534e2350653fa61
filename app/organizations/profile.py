"""企业画像: the facts about a firm that policies ask about, one row per organisation.

Each fact carries where it came from (企业填报 / 平台认定 / 导入) and the day it was last set. A fact never set is
unknown (NULL), never zero: the policy rules treat it as "cannot tell" and say which fact is missing. The firm's
type, region, industry and 梯度培育 tier are not repeated here: they live on Organization and its TierRecords.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import local_today
from app.core.errors import FieldError
from app.core.models import EnumText
from app.core.policy_enums import ProfileSource, RevenueBand
from app.extensions import db
from app.organizations.models import Organization

_signals = Namespace()
# Sent (sender: the organisation's id; keyword `today`) after a firm's profile, certificates, tier, region or
# industry changed and was flushed. Features above this layer that judge firms by these facts (the policy push)
# connect a receiver in create_app; organizations never imports them.
profile_changed = _signals.signal("profile-changed")

# The certificates and titles policies most often ask for; a rule may only name one of these (a typo in a rule
# would otherwise silently match nobody). A firm may record others too.
CERTIFICATE_NAMES: tuple[str, ...] = (
    "高新技术企业",
    "科技型中小企业",
    "技术先进型服务企业",
    "企业技术中心",
    "工程技术研究中心",
    "重点实验室",
    "知识产权优势企业",
    "知识产权示范企业",
    "知识产权管理体系认证",
    "两化融合管理体系认证",
    "绿色工厂",
    "瞪羚企业",
    "独角兽企业",
    "农业产业化重点龙头企业",
    "ISO9001",
    "ISO14001",
    "ISO45001",
)

# The profile's facts, each with its own source and date columns (`<fact>_source`, `<fact>_updated_on`).
FACTS: dict[str, str] = {
    "established_on": "成立日期",
    "employees": "从业人数",
    "revenue": "上年度营业收入",
    "rd_ratio": "研发投入占比",
    "certificates": "资质证书",
    "above_scale": "规上企业",
    "listed": "上市企业",
}


def _source():
    return mapped_column(EnumText(ProfileSource))


def _updated():
    return mapped_column(sa.Date)


class OrganizationProfile(db.Model):
    __tablename__ = "organization_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    established_on: Mapped[date | None] = mapped_column(sa.Date)
    established_on_source: Mapped[ProfileSource | None] = _source()
    established_on_updated_on: Mapped[date | None] = _updated()
    employees: Mapped[int | None] = mapped_column()
    employees_source: Mapped[ProfileSource | None] = _source()
    employees_updated_on: Mapped[date | None] = _updated()
    # Revenue in 万元: the exact figure, or only its band when that is all the firm will say.
    revenue: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    revenue_band: Mapped[RevenueBand | None] = mapped_column(EnumText(RevenueBand))
    revenue_source: Mapped[ProfileSource | None] = _source()
    revenue_updated_on: Mapped[date | None] = _updated()
    rd_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))  # R&D spend / revenue, in %
    rd_ratio_source: Mapped[ProfileSource | None] = _source()
    rd_ratio_updated_on: Mapped[date | None] = _updated()
    # Set when the firm has declared its certificates (even none): before that, "has no 高企" is unknown.
    certificates_source: Mapped[ProfileSource | None] = _source()
    certificates_updated_on: Mapped[date | None] = _updated()
    above_scale: Mapped[bool | None] = mapped_column(sa.Boolean)  # 规模以上企业
    above_scale_source: Mapped[ProfileSource | None] = _source()
    above_scale_updated_on: Mapped[date | None] = _updated()
    listed: Mapped[bool | None] = mapped_column(sa.Boolean)
    listed_source: Mapped[ProfileSource | None] = _source()
    listed_updated_on: Mapped[date | None] = _updated()

    org = relationship(Organization)
    certificates = relationship(
        "OrganizationCertificate",
        primaryjoin="OrganizationProfile.org_id == foreign(OrganizationCertificate.org_id)",
        order_by="OrganizationCertificate.name",
        viewonly=True,
    )

    def source_of(self, fact: str) -> ProfileSource | None:
        return getattr(self, f"{fact}_source")

    def updated_on(self, fact: str) -> date | None:
        return getattr(self, f"{fact}_updated_on")


class OrganizationCertificate(db.Model):
    """One certificate or title a firm holds (高新技术企业, ISO9001 …), valid until `expires_on` (None: no end)."""

    __tablename__ = "organization_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    certificate_no: Mapped[str | None] = mapped_column(sa.String(100))
    expires_on: Mapped[date | None] = mapped_column(sa.Date)

    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)


def profile_of(org: Organization) -> OrganizationProfile | None:
    return db.session.scalar(sa.select(OrganizationProfile).where(OrganizationProfile.org_id == org.id))


def _profile_for_update(org: Organization) -> OrganizationProfile:
    profile = profile_of(org)
    if profile is None:
        profile = OrganizationProfile(org_id=org.id)
        db.session.add(profile)
    return profile


def _number(field: str, value, low: Decimal, high: Decimal | None, integer: bool = False) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    label = FACTS.get(field, "数值")
    if number is None or isinstance(value, bool) or not number.is_finite():
        raise FieldError(field, f"{label}应为数字")
    if integer and number != number.to_integral_value():
        raise FieldError(field, f"{label}应为整数")
    if number < low or (high is not None and number > high):
        upper = f"至 {high}" if high is not None else "以上"
        raise FieldError(field, f"{label}应在 {low} {upper}")
    return number


def _checked(field: str, value, today: date):
    """One fact, checked: the value to store, or a FieldError with a Chinese message."""
    if field == "established_on":
        if value is not None and not isinstance(value, date):
            raise FieldError(field, "成立日期应为日期")
        if value is not None and value > today:
            raise FieldError(field, "成立日期不能晚于今天")
        return value
    if field == "employees":
        number = _number(field, value, Decimal(0), None, integer=True)
        return None if number is None else int(number)
    if field == "revenue":
        if isinstance(value, RevenueBand):
            return value
        return _number(field, value, Decimal(0), Decimal("999999999999"))
    if field == "rd_ratio":
        return _number(field, value, Decimal(0), Decimal(100))
    if field in ("above_scale", "listed"):
        if value is not None and not isinstance(value, bool):
            raise FieldError(field, f"{FACTS[field]}应为“是”或“否”")
        return value
    raise FieldError(field, f"企业画像没有“{field}”这一项")


def update_profile(org: Organization, values: dict, source: ProfileSource, today: date | None = None):
    """Set some facts of the firm's profile, each stamped with `source` and today's (Beijing) date.

    A value of None clears the fact (unknown again). Revenue takes a number (万元) or a RevenueBand; setting one
    clears the other. Every value is checked before any is set: one bad value changes nothing."""
    today = today or local_today()
    checked = {field: _checked(field, value, today) for field, value in values.items()}
    profile = _profile_for_update(org)
    for field, value in checked.items():
        if field == "revenue":
            profile.revenue_band = value if isinstance(value, RevenueBand) else None
            profile.revenue = None if isinstance(value, RevenueBand) else value
        else:
            setattr(profile, field, value)
        setattr(profile, f"{field}_source", ProfileSource(source))
        setattr(profile, f"{field}_updated_on", today)
    db.session.flush()
    profile_changed.send(org.id, today=today)
    return profile


def set_certificates(
    org: Organization, certificates: list[tuple[str, date | None]], source: ProfileSource, today: date | None = None
) -> OrganizationProfile:
    """Replace the firm's certificates with `certificates` (name, expiry); an empty list declares "none"."""
    today = today or local_today()
    names = [(name or "").strip() for name, _ in certificates]
    if any(not name or len(name) > 50 for name in names):
        raise FieldError("certificates", "证书名称不能为空，且不超过 50 个字")
    if len(set(names)) != len(names):
        raise FieldError("certificates", "同一证书只能登记一次")
    profile = _profile_for_update(org)
    db.session.execute(sa.delete(OrganizationCertificate).where(OrganizationCertificate.org_id == org.id))
    for name, (_, expires_on) in zip(names, certificates, strict=True):
        db.session.add(OrganizationCertificate(org_id=org.id, name=name, expires_on=expires_on))
    profile.certificates_source = ProfileSource(source)
    profile.certificates_updated_on = today
    db.session.flush()
    db.session.expire(profile, ["certificates"])
    profile_changed.send(org.id, today=today)
    return profile
