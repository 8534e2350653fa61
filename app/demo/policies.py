"""Demo 惠企政策: the issuing departments (主管部门, with their staff accounts), the firms' profile facts
(企业画像), 30-odd policies of the 自治区 and its 盟市 with dated windows and rules, a few firms' marks, and the
push those policies would have made.

Policies go through the import parser (app/policies/importing.parse_policy), the checks a staff upload passes,
so a mistake in the demo content fails loudly. The push is run once at the end (push_items over the open items):
it costs a few dozen queries (well under a second), leaves the ledger as the platform would have it, and so the
hourly push job has nothing to catch up on later; each firm gets one notice per item it qualifies for.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import OrgRole, OrgSize, OrgType, PlatformRole, Tier, VerificationStatus
from app.core.models import record_change
from app.core.policy_enums import ProfileSource
from app.demo.compose import Composer, account_email
from app.demo.data.orgs import ORGS
from app.demo.data.policies import AUTHORITIES, MARKS, POLICIES
from app.demo.data.types import OrgSeed
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.profile import OrganizationCertificate, update_profile
from app.policies.importing import parse_policy
from app.policies.marks import PolicyMark
from app.policies.models import Policy, PolicyItem
from app.policies.push import push_items, remind_closing
from app.policies.services import import_policies

SEED = 14  # the policies' own random stream: the rest of the demo stays as it was
EMPLOYEES = {OrgSize.MICRO: (3, 9), OrgSize.SMALL: (25, 95), OrgSize.MEDIUM: (120, 460), OrgSize.LARGE: (1500, 8000)}
REVENUE = {OrgSize.MICRO: (80, 400), OrgSize.SMALL: (900, 4800), OrgSize.MEDIUM: (6000, 32000), OrgSize.LARGE: (150000, 900000)}  # fmt: skip
LISTED = {"beijiang-dairy", "ruifeng", "hengtai"}
GREEN = {"beijiang-dairy", "ruifeng", "kuihua", "mengkang"}
# Firms whose profile still lacks 研发投入占比: 可能符合 for every item that asks (the demo SME among them).
NO_RD = {"yikang", "bairong", "shajiyuan"}


def seed_policies(now: datetime, password_hash: str) -> dict[str, int]:
    today = local_date(now)
    rng = random.Random(SEED)
    authorities = _authorities(Composer(rng, today), password_hash, now)
    orgs = _demo_orgs()
    for seed in ORGS:
        if seed.key in orgs and seed.org_type in (OrgType.SME, OrgType.LARGE, OrgType.SERVICE):
            _profile(rng, seed, orgs[seed.key], today)
    policies = _policies(today, {**orgs, **authorities})
    _marks(policies, orgs, now)
    items = [item for policy in policies.values() for item in policy.items]
    told = push_items(items, today)  # only the open ones notify
    reminded = remind_closing(today)
    return {
        "authorities": len(authorities),
        "policies": len(policies),
        "policy_items": len(items),
        "policy_notices": told,
        "policy_reminders": reminded,
    }


def _demo_orgs() -> dict[str, Organization]:
    """The demo organisations by their key (app/demo/data)."""
    by_name = {o.name: o for o in db.session.scalars(sa.select(Organization))}
    return {seed.key: by_name[seed.name] for seed in ORGS}


def _authorities(c: Composer, password_hash: str, now: datetime) -> dict[str, Organization]:
    """The departments that issue most demo policies, verified, each with an admin (its staff account)."""
    admin = db.session.scalar(sa.select(User).where(User.platform_role == PlatformRole.ADMIN).order_by(User.id))
    created = now - timedelta(days=720)
    orgs = {}
    for seed in AUTHORITIES:
        org = Organization(
            name=seed.name,
            org_type=OrgType.AUTHORITY,
            credit_code=c.credit_code(seed),
            region=seed.region,
            industry=seed.industry,
            contact_name=seed.contact,
            contact_phone=c.landline(seed.region),
            contact_email=account_email(seed),
            description=f"{seed.name}负责{seed.business}。",
            verification=VerificationStatus.VERIFIED,
            verified_at=created + timedelta(days=1),
            verified_by_id=admin.id if admin else None,
            created_at=created,
            updated_at=created,
        )
        user = User(
            email=account_email(seed),
            name=seed.contact,
            phone=c.mobile(),
            position="政策兑现科科员",
            org=org,
            org_role=OrgRole.ADMIN,
            password_hash=password_hash,
            created_at=created,
        )
        db.session.add_all([org, user])
        orgs[seed.key] = org
    db.session.flush()
    for org in orgs.values():
        change = record_change("organization", org.id, VerificationStatus.PENDING, VerificationStatus.VERIFIED, admin)
        change.at = org.verified_at
    return orgs


def _profile(rng: random.Random, seed: OrgSeed, org: Organization, today: date) -> None:
    """Facts a firm would have filled in: founding date, staff, revenue, R&D ratio, 规上, listed, certificates."""
    size = seed.size or OrgSize.SMALL
    revenue = Decimal(rng.randint(*REVENUE[size]))
    tiers = {t for t, _ in seed.tiers}
    values = {
        "established_on": date(seed.founded or 2010, rng.randint(1, 12), rng.randint(1, 28)),
        "employees": rng.randint(*EMPLOYEES[size]),
        "revenue": revenue,
        "above_scale": revenue >= 2000,
        "listed": seed.key in LISTED,
    }
    if seed.key not in NO_RD:
        high = Tier.SPECIALIZED in tiers or Tier.LITTLE_GIANT in tiers
        low, top = (4, 9) if high else (2, 5) if tiers else (1, 4)
        values["rd_ratio"] = Decimal(rng.randint(low * 10, top * 10)) / 10
    if seed.key == "yikang":
        values.update(employees=86, revenue=Decimal(6800), above_scale=True)
    profile = update_profile(org, values, ProfileSource.SELF, today=today)
    until = date(today.year + 2, 12, 31)
    certificates = [("ISO9001", until)]
    if tiers:
        certificates.append(("科技型中小企业", date(today.year, 12, 31)))
    if tiers & {Tier.SPECIALIZED, Tier.LITTLE_GIANT}:
        certificates.append(("高新技术企业", until))
    if seed.key in GREEN:
        certificates.append(("绿色工厂", None))
    if seed.key == "yikang":
        certificates.append(("两化融合管理体系认证", until))
    # The rows set_certificates would write, added in one go (its delete-then-insert per firm costs ~0.5 s here).
    db.session.add_all(OrganizationCertificate(org_id=org.id, name=n, expires_on=e) for n, e in certificates)
    profile.certificates_source, profile.certificates_updated_on = ProfileSource.SELF, today


def _record(entry: dict, today: date, orgs: dict[str, Organization]) -> dict:
    """A data entry as a line of the import file: offsets become dates, the issuing department its name."""
    published = today - timedelta(days=entry["age"])
    record = {k: entry[k] for k in ("ref", "title", "issuer", "doc_number", "scope", "region", "status")}
    record.update(
        published_on=published.isoformat(),
        effective_on=published.isoformat(),
        expires_on=(published + timedelta(days=entry["lasts"])).isoformat(),
        source_url=f"https://zwfw.nmg.gov.cn/policy/{entry['ref'].lower()}",
        body=_body(entry),
        interpretation=_interpretation(entry),
        items=[_item(i, today) for i in entry["items"]],
    )
    if entry["issuing"]:
        record["issuing_org"] = orgs[entry["issuing"]].credit_code
    return record


def _item(entry: dict, today: date) -> dict:
    opens, closes = entry["window"]
    record = {k: entry[k] for k in ("title", "benefit_type", "materials", "how_to_apply", "rules")}
    record["contact"] = entry["contact"] or "蒙企通政策服务热线 0471-12345"
    if entry["amount"]:
        record["amount_min"], record["amount_max"] = entry["amount"]
    record["opens_on"] = (today + timedelta(days=opens)).isoformat()
    record["closes_on"] = (today + timedelta(days=closes)).isoformat()
    return record


def _body(entry: dict) -> str:
    articles = "\n".join(
        f"第{n}条 {i['title']}：{i['materials']}，{i['how_to_apply']}。" for n, i in enumerate(entry["items"], 2)
    )
    return f"第一条 为贯彻落实党中央、国务院和自治区党委、政府关于促进中小企业发展的决策部署，制定本{entry['title'][-2:]}。\n{articles}"


def _interpretation(entry: dict) -> str:
    items = "；".join(i["title"] for i in entry["items"])
    return (
        f"一图读懂：本政策由{entry['issuer']}发布，支持事项为{items}。符合条件的企业可在申报期内通过“蒙企通”在线申报。"
    )


def _policies(today: date, orgs: dict[str, Organization]) -> dict[str, Policy]:
    parsed = [parse_policy(n, _record(entry, today, orgs)) for n, entry in enumerate(POLICIES, 1)]
    import_policies(parsed)
    policies = db.session.scalars(sa.select(Policy).where(Policy.ref.in_([e["ref"] for e in POLICIES]))).all()
    return {p.ref: p for p in policies}


def _marks(policies: dict[str, Policy], orgs: dict[str, Organization], now: datetime) -> None:
    for ref, index, key, (viewed, watched, applied, amount, rating) in MARKS:
        item: PolicyItem = policies[ref].items[index]
        at = now - timedelta(days=3)
        db.session.add(
            PolicyMark(
                org_id=orgs[key].id,
                item_id=item.id,
                first_viewed_at=at - timedelta(days=2) if viewed else None,
                watched_at=at - timedelta(days=1) if watched else None,
                applied_at=at if applied or amount is not None else None,
                approved_at=at + timedelta(days=2) if amount is not None else None,
                approved_amount_wan=Decimal(str(amount)) if amount is not None else None,
                rating=rating,
                rated_at=at + timedelta(days=2) if rating else None,
            )
        )
    db.session.flush()
