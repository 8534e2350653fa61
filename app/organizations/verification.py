"""Platform verification of organisations, and the admin's list of all organisations.

Every decision is written to the audit trail (StatusChange) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.enums import OrgType, VerificationStatus
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.extensions import db
from app.organizations.models import Organization

EXPORT_HEADERS = [
    "机构名称",
    "机构类型",
    "统一社会信用代码",
    "所在盟市",
    "所属行业",
    "规模",
    "所属集团",
    "认证状态",
    "梯度培育层级",
    "联系人",
    "联系电话",
    "联系邮箱",
    "注册时间",
]


def _require_platform_admin(actor: User) -> None:
    if not actor.is_platform_admin:
        raise Forbidden("只有平台管理员可以审核机构")


def _pending_org(org_id: int) -> Organization:
    """The organisation, locked so two admins deciding at once cannot both succeed."""
    org = db.session.get(Organization, org_id, with_for_update=True)
    if org is None:
        raise NotFound()
    if org.verification != VerificationStatus.PENDING:
        raise InvalidTransition(f"“{org.name}”当前状态为“{org.verification.label}”，已不在待认证队列中")
    return org


def _decide(org: Organization, to: VerificationStatus, actor: User, note: str | None) -> None:
    record_change("organization", org.id, org.verification, to, actor, note)
    org.verification = to
    org.verified_at = utcnow()
    org.verified_by_id = actor.id
    org.verification_note = note


def verify_organization(org_id: int, actor: User, note: str | None = None) -> Organization:
    """A platform admin approves a pending organisation; it may then publish."""
    _require_platform_admin(actor)
    org = _pending_org(org_id)
    _decide(org, VerificationStatus.VERIFIED, actor, (note or "").strip() or None)
    db.session.flush()
    return org


def reject_organization(org_id: int, actor: User, reason: str) -> Organization:
    """A platform admin rejects a pending organisation, always saying why; it may edit and re-submit."""
    _require_platform_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("退回认证时必须填写原因，以便机构修改后重新提交")
    org = _pending_org(org_id)
    _decide(org, VerificationStatus.REJECTED, actor, reason)
    db.session.flush()
    return org


def verify_organizations(org_ids: Iterable[int], actor: User) -> int:
    """Bulk approval: approves those still pending, skips any another admin decided meanwhile."""
    _require_platform_admin(actor)
    approved = 0
    for org_id in sorted(set(org_ids)):
        org = db.session.get(Organization, org_id, with_for_update=True)
        if org is not None and org.verification == VerificationStatus.PENDING:
            _decide(org, VerificationStatus.VERIFIED, actor, None)
            approved += 1
    db.session.flush()
    return approved


def pending_verification_count() -> int:
    """Organisations waiting for the platform's verification."""
    stmt = sa.select(sa.func.count()).where(Organization.verification == VerificationStatus.PENDING)
    return db.session.scalar(stmt) or 0


def pending_organizations() -> list[Organization]:
    return db.session.scalars(
        sa.select(Organization)
        .options(selectinload(Organization.licence))
        .where(Organization.verification == VerificationStatus.PENDING)
        .order_by(Organization.created_at, Organization.id)
    ).all()


def organizations_query(
    org_type: OrgType | None = None,
    region: str | None = None,
    verification: VerificationStatus | None = None,
    keyword: str | None = None,
):
    """All organisations for the admin list, filtered; keyword matches name or credit code."""
    query = sa.select(Organization).order_by(Organization.created_at.desc(), Organization.id.desc())
    if org_type:
        query = query.where(Organization.org_type == org_type)
    if region:
        query = query.where(Organization.region == region)
    if verification:
        query = query.where(Organization.verification == verification)
    keyword = (keyword or "").strip()
    if keyword:
        query = query.where(
            sa.or_(
                Organization.name.icontains(keyword, autoescape=True),
                Organization.credit_code.icontains(keyword, autoescape=True),
            )
        )
    return query


def export_row(org: Organization) -> list:
    tier = org.current_tier()
    return [
        org.name,
        org.org_type.label,
        org.credit_code,
        org.region_name,
        org.industry_name,
        org.size.label if org.size else "",
        org.group.name if org.group else "",
        org.verification.label,
        tier.label if tier else "",
        org.contact_name,
        org.contact_phone,
        org.contact_email,
        org.created_at,
    ]
