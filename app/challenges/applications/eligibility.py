"""揭榜条件: who may apply for a challenge item, and who may join an application as a consortium partner.

Every rule returns its reason in Chinese, so the apply page, the submit check and the issuer's invite list say
exactly why an organisation is refused. An empty list means eligible. Empty conditions on the item mean "any".
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.challenges.items.models import ChallengeItem
from app.core.clock import local_today
from app.core.enums import OrgType, VerificationStatus
from app.core.regions import REGION_NAMES, region_name
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.profile import OrganizationCertificate


def league_of(region: str | None) -> str | None:
    """The 盟市 of a 6-digit region code: a 盟市 code itself, or a 旗县区 code's first four digits + "00"."""
    if not region:
        return None
    if region in REGION_NAMES:
        return region
    return f"{region[:4]}00" if len(region) == 6 and region.isdigit() else None


def _valid_certificates(org: Organization, today: date) -> set[str]:
    rows = db.session.scalars(sa.select(OrganizationCertificate).where(OrganizationCertificate.org_id == org.id))
    return {c.name for c in rows if c.expires_on is None or c.expires_on >= today}


def _verification_problem(org: Organization, role: str) -> str | None:
    if org.verification == VerificationStatus.VERIFIED:
        return None
    return f"{role}尚未通过平台机构认证（当前：{org.verification.label}），认证通过后方可揭榜"


def eligibility_problems(org: Organization, item: ChallengeItem, today: date | None = None) -> list[str]:
    """Why `org` may not apply for `item` as the lead (empty when it may): the issuer itself, verification,
    organisation type, 盟市, 梯度培育 tier (org.current_tier), and the required certificates still valid today."""
    today = today or local_today()
    if org.id == item.batch.issuer_org_id:
        return ["发榜单位不能揭本单位发布的榜"]
    problems = []
    if problem := _verification_problem(org, "本机构"):
        problems.append(problem)
    allowed_types = [OrgType(t) for t in item.eligible_org_types if t in OrgType.values()]
    if allowed_types and org.org_type not in allowed_types:
        names = "、".join(t.label for t in allowed_types)
        problems.append(f"本榜仅限{names}揭榜，本机构类型为{org.org_type.label}")
    if item.eligible_regions and league_of(org.region) not in item.eligible_regions:
        names = "、".join(region_name(code) or code for code in item.eligible_regions)
        where = region_name(league_of(org.region)) or "未填写"
        problems.append(f"本榜仅限{names}的机构揭榜，本机构所在地为{where}")
    if item.min_tier is not None:
        tier = org.current_tier(today)
        if tier is None or tier.rank < item.min_tier.rank:
            have = tier.label if tier else "无有效认定"
            problems.append(f"本榜要求梯度培育等级不低于{item.min_tier.label}，本机构为{have}")
    missing = [name for name in item.required_certificates if name not in _valid_certificates(org, today)]
    if missing:
        problems.append(f"缺少有效的资质证书：{'、'.join(missing)}（请在机构资料中补充，已过期的不计）")
    return problems


def partner_problems(item: ChallengeItem, lead: Organization, partners: list[Organization]) -> list[str]:
    """Why this consortium may not apply (empty when it may): consortia allowed on the item, at most
    item.max_partners, every partner verified, neither the issuer nor the lead, each named once."""
    if not partners:
        return []
    if not item.consortium_allowed:
        return ["本榜不接受联合体申报，请删除合作单位后以本机构名义单独揭榜"]
    problems = []
    if len(partners) > item.max_partners:
        problems.append(f"本榜联合体最多 {item.max_partners} 家合作单位，当前为 {len(partners)} 家")
    seen = set()
    for org in partners:
        if org.id in seen:
            problems.append(f"合作单位“{org.name}”重复填写")
            continue
        seen.add(org.id)
        if org.id == lead.id:
            problems.append("牵头单位不能同时作为合作单位")
        elif org.id == item.batch.issuer_org_id:
            problems.append(f"发榜单位“{org.name}”不能作为合作单位")
        elif problem := _verification_problem(org, f"合作单位“{org.name}”"):
            problems.append(problem)
    return problems
