"""Organisation rules: profile, visibility, members and invitations, 梯度培育 tiers.

Platform verification lives in app/organizations/verification.py. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, fields
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.clock import local_today
from app.core.enums import OrgRole, OrgSize, OrgType, Tier, VerificationStatus
from app.core.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.mail import queue_mail, site_url
from app.core.models import record_change, utcnow
from app.core.validators import credit_code_error, normalize_credit_code
from app.extensions import db
from app.organizations.contact import orgs_share_contact
from app.organizations.models import Invitation, Organization, OrgGroup, TierRecord
from app.organizations.profile import profile_changed

FIRST_TIER_YEAR = 2000


class NotVerified(Forbidden):
    code = "org_not_verified"


class InvitationUnusable(DomainError):
    """The invitation link is forged, used, revoked or expired."""

    code = "invitation_unusable"
    status = 410


@dataclass
class OrgProfile:
    """What an organisation says about itself, at registration and on its edit page."""

    name: str
    org_type: OrgType
    credit_code: str
    region: str | None = None
    industry: str | None = None
    size: OrgSize | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    address: str | None = None
    website: str | None = None
    description: str | None = None
    group_name: str | None = None


# Fields whose change means the platform must verify the organisation again.
IDENTITY_FIELDS = ("name", "credit_code")


def normalize_org_name(name: str) -> str:
    """Registered names use full-width brackets; treat "(集团)" and "（集团）" as the same name."""
    return " ".join(name.split()).replace("(", "（").replace(")", "）")


def find_or_create_group(name: str | None) -> OrgGroup | None:
    name = normalize_org_name(name or "")
    if not name:
        return None
    group = db.session.scalar(sa.select(OrgGroup).where(OrgGroup.name == name))
    if group is None:
        group = OrgGroup(name=name)
        db.session.add(group)
    return group


def _taken(column, value, org: Organization) -> bool:
    query = sa.select(Organization.id).where(column == value)
    if org.id is not None:
        query = query.where(Organization.id != org.id)
    return db.session.scalar(query.limit(1)) is not None


def check_profile(org: Organization, profile: OrgProfile) -> tuple[str, str]:
    """The profile's name and credit code, normalised. Names and credit codes are unique; the code must be
    valid. Changes nothing (registration checks a profile before it knows whether it will use it)."""
    name = normalize_org_name(profile.name)
    code = normalize_credit_code(profile.credit_code)
    if not name:
        raise FieldError("name", "请填写机构名称")
    error = credit_code_error(code)
    if error:
        raise FieldError("credit_code", error)
    with db.session.no_autoflush:
        if _taken(Organization.name, name, org):
            raise FieldError("name", f"机构名称“{name}”已被注册。如您属于该机构，请联系其机构管理员邀请您加入。")
        if _taken(Organization.credit_code, code, org):
            raise FieldError("credit_code", "该统一社会信用代码已被其他机构注册，请核对；如有疑问请联系平台管理员。")
    return name, code


def apply_profile(org: Organization, profile: OrgProfile) -> None:
    """Copy a profile, once check_profile passes, onto an organisation."""
    name, code = check_profile(org, profile)
    with db.session.no_autoflush:  # the caller flushes once, through flush_unique()
        for f in fields(OrgProfile):
            if f.name != "group_name":
                setattr(org, f.name, getattr(profile, f.name) or None)
        org.name, org.credit_code = name, code
        org.group = find_or_create_group(profile.group_name)


def flush_unique() -> None:
    """Flush; a unique index that fires anyway (two requests at once) becomes a readable error."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise ValidationFailed("机构名称、统一社会信用代码或邮箱已被注册，请核对后重试") from exc


def require_org_admin(org: Organization, actor: User) -> None:
    if not (actor.is_platform_admin or (actor.belongs_to(org.id) and actor.is_org_admin)):
        raise Forbidden("只有本机构管理员可以执行此操作")


def update_organization(org: Organization, profile: OrgProfile, actor: User) -> bool:
    """Org admins edit the profile. A rejected organisation is re-submitted for verification, and a
    verified one goes back to verification when its name or credit code changes.

    Returns True when the organisation now awaits verification again.
    """
    require_org_admin(org, actor)
    before = {f: getattr(org, f) for f in IDENTITY_FIELDS}
    apply_profile(org, profile)
    identity_changed = any(getattr(org, f) != before[f] for f in IDENTITY_FIELDS)
    reason = None
    if org.verification == VerificationStatus.REJECTED:
        reason = "修改资料后重新提交认证"
    elif org.verification == VerificationStatus.VERIFIED and identity_changed:
        reason = "机构名称或统一社会信用代码变更，需重新认证"
    if reason:
        record_change("organization", org.id, org.verification, VerificationStatus.PENDING, actor, reason)
        org.verification = VerificationStatus.PENDING
    flush_unique()
    profile_changed.send(org.id)  # region or industry may have changed
    return reason is not None


def is_verified(org: Organization | None) -> bool:
    return org is not None and org.verification == VerificationStatus.VERIFIED


def require_verified(org: Organization | None) -> None:
    """Only organisations the platform has verified may publish."""
    if not is_verified(org):
        raise NotVerified("机构尚未通过平台认证，暂不能发布信息。请在“我的机构”中查看认证进度，认证通过后即可发布。")


def _is_insider(org: Organization, user) -> bool:
    return bool(user and user.is_authenticated and (user.belongs_to(org.id) or user.is_platform_admin))


def can_view(org: Organization, user) -> bool:
    """Verified organisations are public; others only to their own members and platform admins."""
    return is_verified(org) or _is_insider(org, user)


def can_see_contact(org: Organization, user) -> bool:
    """Contact details are never public: members of the organisation, platform admins, and members of an
    organisation that has an accepted docking request with it (either direction)."""
    if _is_insider(org, user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and orgs_share_contact(user.org_id, org.id)


def get_visible_org(org_id: int, user) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or not can_view(org, user):
        raise NotFound()
    return org


# --- members and invitations -------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_invitations(org: Organization) -> list[Invitation]:
    return db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.org_id == org.id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ).all()


def invite_member(org: Organization, email: str, actor: User) -> tuple[Invitation, str]:
    """An org admin invites a colleague by e-mail. Only the token's sha256 is stored; inviting the
    same address again replaces the earlier invitation. Returns the invitation and its link.

    The admin learns nothing about whether the address has an account elsewhere on the platform: the
    invitation is made and listed either way, and an account holder is mailed why it cannot be accepted
    (one account, one organisation). Only the organisation's own members, listed on its page, are refused."""
    require_org_admin(org, actor)
    email = email.strip().lower()
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None and existing.belongs_to(org.id):
        raise FieldError("email", "该邮箱已是本机构成员")
    db.session.execute(
        sa.delete(Invitation).where(
            Invitation.org_id == org.id, Invitation.email == email, Invitation.accepted_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(
        org=org,
        email=email,
        role=OrgRole.MEMBER,
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    link = site_url(url_for("auth.accept_invitation", token=token))
    invited = f"{actor.name} 邀请您以“{org.name}”成员身份加入联桥平台。\n\n"
    if existing is None:
        body = f"{invited}请在 {days} 天内打开以下链接设置您的账号：\n{link}\n\n如果您不认识邀请人，请忽略本邮件。"
    else:
        body = (
            f"{invited}本邮箱已有联桥平台账号，而一个账号只能属于一家机构，因此无法通过此邀请加入。"
            "如需调整所属机构，请联系平台管理员；也可以请邀请人改用您的其他邮箱重新邀请。\n\n"
            "如果您不认识邀请人，请忽略本邮件。"
        )
    queue_mail(email, f"{org.name} 邀请您加入联桥平台", body, key=f"invitation:{invitation.id}")
    return invitation, link


def find_invitation(token: str) -> Invitation:
    """The open invitation behind a link; a forged, used or expired link gets a clear message."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        raise InvitationUnusable("邀请链接无效或已被撤销，请向机构管理员索取新的邀请链接")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("此邀请链接已被使用。如您已创建账号，请直接登录")
    if invitation.expires_at < utcnow():
        raise InvitationUnusable("此邀请链接已过期，请联系机构管理员重新邀请")
    return invitation


def revoke_invitation(org: Organization, invitation_id: int, actor: User) -> None:
    require_org_admin(org, actor)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.org_id != org.id or invitation.accepted_at is not None:
        raise NotFound()
    db.session.delete(invitation)
    db.session.flush()


def _locked_member(org: Organization, user_id: int) -> User:
    """The member, with the organisation row locked so two admins cannot demote each other at once."""
    db.session.execute(sa.select(Organization.id).where(Organization.id == org.id).with_for_update())
    member = db.session.get(User, user_id)
    if member is None or not member.belongs_to(org.id):
        raise NotFound()
    return member


def _keep_an_admin(org: Organization, member: User) -> None:
    if member.org_role != OrgRole.ADMIN:
        return
    admins = db.session.scalar(sa.select(sa.func.count()).where(User.org_id == org.id, User.org_role == OrgRole.ADMIN))
    if admins <= 1:
        raise DomainError("机构至少需要保留一名管理员，请先将其他成员设为管理员")


def remove_member(org: Organization, user_id: int, actor: User) -> User:
    """Org admins remove members; the account stays but no longer belongs to the organisation."""
    require_org_admin(org, actor)
    member = _locked_member(org, user_id)
    _keep_an_admin(org, member)
    member.org_id = None
    member.org_role = OrgRole.MEMBER
    db.session.flush()
    return member


def change_member_role(org: Organization, user_id: int, role: OrgRole, actor: User) -> User:
    """Org admins make members admins, or admins members again (never the last admin)."""
    require_org_admin(org, actor)
    member = _locked_member(org, user_id)
    if role == OrgRole.MEMBER:
        _keep_an_admin(org, member)
    member.org_role = role
    db.session.flush()
    return member


def members_of(org: Organization) -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.org_id == org.id).order_by(User.org_role, User.created_at)
    ).all()


# --- 梯度培育 tiers ----------------------------------------------------------------------


def add_tier_record(
    org: Organization,
    tier: Tier,
    year: int,
    actor: User,
    expires_on: date | None = None,
    certificate_no: str | None = None,
) -> TierRecord:
    """Only SMEs hold 梯度培育 tiers; one record per tier and year; expiry not before the year began."""
    require_org_admin(org, actor)
    if org.org_type != OrgType.SME:
        raise DomainError("只有中小企业可以登记梯度培育层级（创新型中小企业、专精特新、小巨人）")
    this_year = local_today().year
    if not FIRST_TIER_YEAR <= year <= this_year:
        raise FieldError("year", f"认定年份应在 {FIRST_TIER_YEAR}–{this_year} 之间")
    if expires_on is not None and expires_on < date(year, 1, 1):
        raise FieldError("expires_on", "有效期不能早于认定年份")
    duplicate = db.session.scalar(
        sa.select(TierRecord.id).where(TierRecord.org_id == org.id, TierRecord.tier == tier, TierRecord.year == year)
    )
    if duplicate is not None:
        raise FieldError("tier", f"{year} 年的“{tier.label}”已登记")
    record = TierRecord(
        org=org, tier=tier, year=year, expires_on=expires_on, certificate_no=(certificate_no or "").strip() or None
    )
    db.session.add(record)
    db.session.flush()
    profile_changed.send(org.id)
    return record


def remove_tier_record(org: Organization, record_id: int, actor: User) -> None:
    require_org_admin(org, actor)
    record = db.session.get(TierRecord, record_id)
    if record is None or record.org_id != org.id:
        raise NotFound()
    org.tiers.remove(record)
    db.session.flush()
