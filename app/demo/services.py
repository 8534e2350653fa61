"""Fill an empty database with realistic demo data. Flushes, never commits: the CLI commits once."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.core.enums import OrgRole, OrgType, PostingStatus, VerificationStatus
from app.core.errors import DomainError
from app.core.models import record_change, utcnow
from app.core.outbox import enqueue_index
from app.core.regions import region_name
from app.demo.booths import seed_booths
from app.demo.challenges import seed_challenges
from app.demo.checkins import seed_checkins
from app.demo.compose import Composer, Planned, account_email
from app.demo.data import phrases
from app.demo.data.orgs import ACCOUNTS, DEMO_PASSWORD, GROUPS, ORGS
from app.demo.data.types import OrgSeed
from app.demo.dating import org_admins
from app.demo.docking import seed_docking
from app.demo.drafts import seed_sme_draft
from app.demo.events import seed_events
from app.demo.judging import seed_judging
from app.demo.lists import seed_lists
from app.demo.meetings import seed_meetings
from app.demo.plan import plan_postings
from app.demo.policies import seed_policies
from app.extensions import db
from app.organizations.models import Organization, OrgGroup, TierRecord
from app.postings.models import Posting
from app.postings.schema import clean_posting

DEFAULT_SEED = 2026
PUBLISHED_WITHIN_DAYS = 540  # 18 months
REJECT_REASONS = (
    "描述不够具体，请补充现有条件、期望达到的指标和预算后重新提交。",
    "联系方式不完整，请补充联系人电话后重新提交。",
)


class DatabaseNotEmpty(DomainError):
    code = "database_not_empty"
    status = 409


@cache
def _demo_password_hash() -> str:
    """scrypt is slow on purpose: hash the shared demo password once and give every demo user that hash."""
    return generate_password_hash(DEMO_PASSWORD, method="scrypt")


def database_has_data() -> bool:
    """Demo data goes only into an empty database: no organisation and no user yet."""
    return any(db.session.scalar(sa.select(model.id).limit(1)) is not None for model in (Organization, User))


def seed_demo(seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Create the demo organisations, accounts and postings; the same seed gives the same content.

    Refuses a database that already has organisations or users, so demo data never mixes with real data.
    """
    if database_has_data():
        raise DatabaseNotEmpty("数据库中已有机构或用户，演示数据只能导入空数据库。")
    rng = random.Random(seed)
    now, today = utcnow(), date.today()
    composer = Composer(rng, today)
    password_hash = _demo_password_hash()

    staff = _add_staff(password_hash, now)
    admin = next(user for user in staff if user.is_platform_admin)

    groups = {key: OrgGroup(name=name) for key, name in GROUPS.items()}
    orgs = {s.key: _organization(composer, s, groups, admin, now) for s in ORGS}
    authors = {s.key: _org_admin(composer, s, orgs[s.key], password_hash) for s in ORGS}
    tiers = [
        TierRecord(org=orgs[s.key], tier=t.tier, year=t.year, expires_on=t.expires_on, certificate_no=t.certificate_no)
        for s in ORGS
        for t in composer.tiers(s)
    ]
    db.session.add_all([*groups.values(), *orgs.values(), *authors.values(), *tiers])
    db.session.flush()
    _record_verifications(orgs.values(), admin)
    postings = _add_postings(composer, orgs, authors, admin, now)

    counts = {
        "organizations": len(orgs),
        "pending_organizations": sum(1 for o in orgs.values() if not o.is_verified),
        "groups": len(groups),
        "users": len(staff) + len(authors),
        "tier_records": len(tiers),
    }
    for posting in postings:
        for key in (posting.kind.value, posting.status.value):
            counts[key] = counts.get(key, 0) + 1
    people = org_admins()
    counts.update(seed_events(rng, now, people))
    counts.update(seed_docking(rng, now))
    counts.update(seed_meetings(now, people))  # after docking: an outcome moves a docking record on
    counts.update(seed_judging(rng, now, people))
    counts.update(seed_booths(now, people))
    counts.update(seed_checkins(now))
    counts.update(seed_lists(now))
    counts.update(seed_policies(now, password_hash))
    counts.update(seed_challenges(now, password_hash))  # after the policies: their departments issue 榜单
    draft = seed_sme_draft(now, people["yikang"])
    for key in (draft.kind.value, draft.status.value):
        counts[key] = counts.get(key, 0) + 1
    return counts


def _add_staff(password_hash: str, now: datetime) -> list[User]:
    """The platform's own accounts (those of no organisation)."""
    platform_since = now - timedelta(days=800)  # the platform staff were there before the first organisation
    staff = [
        User(
            email=a.email,
            name=a.name,
            platform_role=a.platform_role,
            password_hash=password_hash,
            created_at=platform_since,
        )
        for a in ACCOUNTS
        if a.org_key is None
    ]
    db.session.add_all(staff)
    db.session.flush()
    return staff


def _record_verifications(orgs: Iterable[Organization], admin: User) -> None:
    """The audit trail of each verified organisation: the admin verified it when `verified_at` says."""
    for org in orgs:
        if org.is_verified:
            change = record_change(
                "organization", org.id, VerificationStatus.PENDING, VerificationStatus.VERIFIED, admin
            )
            change.at = org.verified_at


def _add_postings(
    c: Composer, orgs: dict[str, Organization], authors: dict[str, User], admin: User, now: datetime
) -> list[Posting]:
    """The planned postings with their timelines, audit trails and search-outbox rows."""
    planned = plan_postings(c)
    postings = [_posting(c.rng, p, orgs[p.org_key], authors[p.org_key], c.today, now) for p in planned]
    db.session.add_all(postings)
    db.session.flush()
    for posting in postings:
        _record_history(posting, admin)
        enqueue_index("posting", posting.id, posting.version)
    db.session.flush()
    return postings


def _organization(c: Composer, s: OrgSeed, groups: dict[str, OrgGroup], admin: User, now: datetime) -> Organization:
    created = now - timedelta(days=c.rng.randint(600, 760), minutes=c.rng.randint(0, 1440))
    pending = s.pending
    street = c.rng.choice(phrases.STREETS[s.region])
    return Organization(
        name=s.name,
        org_type=s.org_type,
        credit_code=c.credit_code(s),
        region=s.region,
        industry=s.industry,
        size=s.size,
        contact_name=s.contact,
        contact_phone=c.landline(s.region),
        contact_email=account_email(s),
        address=f"内蒙古自治区{region_name(s.region)}{street}{c.rng.randint(1, 299)}号",
        description=_description(c, s),
        group=groups.get(s.group) if s.group else None,
        verification=VerificationStatus.PENDING if pending else VerificationStatus.VERIFIED,
        verified_at=None if pending else created + timedelta(days=c.rng.randint(1, 5)),
        verified_by_id=None if pending else admin.id,
        created_at=created,
        updated_at=created,
    )


def _description(c: Composer, s: OrgSeed) -> str:
    fields = "、".join(s.sectors)
    if s.org_type == OrgType.UNIVERSITY:
        return (
            f"{s.name}是自治区重点建设高校，长期从事{s.business}，在{fields}等方向建有自治区重点实验室和工程技术研究中心，"
            f"近五年承担国家和自治区科研项目{c.rng.randint(80, 400)}项。"
        )
    if s.org_type == OrgType.INSTITUTE:
        return f"{s.name}主要从事{s.business}，拥有科研人员{c.rng.randint(40, 260)}人，建有中试基地和公共检测平台。"
    if s.org_type == OrgType.AUTHORITY:
        return f"{s.name}负责{s.business}。"
    lead = "是自治区重点龙头企业。" if s.org_type == OrgType.LARGE else ""
    return f"{s.name}成立于{s.founded}年，主要从事{s.business}。{lead}"


def _org_admin(c: Composer, s: OrgSeed, org: Organization, password_hash: str) -> User:
    return User(
        email=account_email(s),
        name=s.contact,
        phone=c.mobile(),
        position=c.rng.choice(phrases.POSITIONS[s.org_type.value]),
        org=org,
        org_role=OrgRole.ADMIN,
        password_hash=password_hash,
        created_at=org.created_at,
    )


def _posting(rng: random.Random, p: Planned, org: Organization, author: User, today: date, now: datetime) -> Posting:
    cleaned = clean_posting(p.kind, p.raw, today=today)
    if not cleaned.ok:  # a mistake in the demo content, not in anyone's input
        raise ValueError(f"演示数据不符合发布规则：{p.raw.get('ref')} {cleaned.errors}")
    posting = Posting(
        kind=p.kind,
        org=org,
        created_by=author,
        status=p.status,
        version=1,
        contact_phone=p.contact_phone,
        contact_email=author.email,
        **cleaned.data,
    )
    _set_timeline(rng, posting, now)
    return posting


def _set_timeline(rng: random.Random, posting: Posting, now: datetime) -> None:
    """Plausible timestamps: drafted, submitted a little later, reviewed within a few days."""
    if posting.status == PostingStatus.PUBLISHED:
        posting.published_at = now - timedelta(seconds=rng.randint(0, PUBLISHED_WITHIN_DAYS * 86400))
        posting.submitted_at = posting.published_at - timedelta(minutes=rng.randint(30, 72 * 60))
        posting.updated_at = posting.published_at
    elif posting.status == PostingStatus.REJECTED:
        posting.submitted_at = now - timedelta(days=rng.randint(10, 20))
        posting.reject_reason = rng.choice(REJECT_REASONS)
        posting.updated_at = posting.submitted_at + timedelta(hours=rng.randint(2, 48))  # when it was reviewed
    elif posting.status == PostingStatus.SUBMITTED:
        posting.submitted_at = now - timedelta(minutes=rng.randint(60, 6 * 24 * 60))
        posting.updated_at = posting.submitted_at
    posting.created_at = (posting.submitted_at or now) - timedelta(minutes=rng.randint(10, 10 * 24 * 60))
    if posting.status == PostingStatus.DRAFT:
        posting.updated_at = posting.created_at


def _record_history(posting: Posting, admin: User) -> None:
    """The audit trail matching the timeline: the author submitted, an admin published or sent it back."""
    if posting.submitted_at:
        change = record_change("posting", posting.id, PostingStatus.DRAFT, PostingStatus.SUBMITTED, posting.created_by)
        change.at = posting.submitted_at
    if posting.status == PostingStatus.PUBLISHED:
        change = record_change("posting", posting.id, PostingStatus.SUBMITTED, PostingStatus.PUBLISHED, admin)
        change.at = posting.published_at
    elif posting.status == PostingStatus.REJECTED:
        change = record_change(
            "posting", posting.id, PostingStatus.SUBMITTED, PostingStatus.REJECTED, admin, posting.reject_reason
        )
        change.at = posting.updated_at
