"""Random firms (with facts missing at random) and random valid rules, from a fixed seed.

Shared by the SQL-versus-Python test (tests/policies/test_pushdown.py) and the benchmark
(tests/benchmarks/policies_bench.py). Values cluster on the boundaries the rules use (研发投入占比 exactly 3%,
a firm founded exactly 3 years ago today, a certificate expiring today) so both sides are tested where they
could disagree.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.core.enums import OrgType, Tier, VerificationStatus
from app.core.models import utcnow
from app.core.policy_enums import ProfileSource, RevenueBand
from app.extensions import db
from app.organizations.models import Organization, TierRecord
from app.organizations.profile import CERTIFICATE_NAMES, OrganizationCertificate, OrganizationProfile
from app.policies.fields import years_ago
from app.policies.places import COUNTIES, LEAGUES

REGIONS = [None, "", "999999", "150000", *LEAGUES, *list(COUNTIES)[::7]]
INDUSTRIES = [None, "C", "C39", "C14", "C26", "A", "A01", "I", "I65", "M73", "D44"]
CERTIFICATES = list(CERTIFICATE_NAMES[:4]) + ["ISO9001"]
RD_RATIOS = ["0", "2.5", "2.99", "3", "3.00", "3.01", "5", "12.5"]
LIMITS = {
    "employees": [0, 10, 50, 100, 300],
    "revenue": [500, 1000, 2000, 2500, 40000],
    "rd_ratio": [2.5, 3, 3.01, 5],
    "years_since_established": [0, 1, 2, 3, 5, 10],
    "tier_year": [2021, 2023, 2024, 2025],
}


def _maybe(rng: random.Random, value, missing: float = 0.3):
    return None if rng.random() < missing else value


def _founded(rng: random.Random, today: date) -> date:
    if rng.random() < 0.4:  # exactly n years ago, a day either side, or a leap day
        day = years_ago(today, rng.choice([1, 2, 3, 5, 10])) + timedelta(days=rng.choice([-1, 0, 1]))
        return day if rng.random() < 0.9 else date(2024, 2, 29)
    return today - timedelta(days=rng.randint(0, 40 * 365))


def _expiry(rng: random.Random, today: date) -> date | None:
    return rng.choice([None, today, today - timedelta(days=1), today + timedelta(days=rng.randint(1, 900))])


def firm_rows(rng: random.Random, index: int, today: date) -> dict:
    """One firm as rows for organizations, tier_records, organization_profiles and organization_certificates."""
    org = {
        "name": f"生成机构{index:06d}",
        "org_type": rng.choice(list(OrgType)).value,
        "region": rng.choice(REGIONS),
        "industry": rng.choice(INDUSTRIES),
        "verification": VerificationStatus.VERIFIED.value,
    }
    tiers = [
        {"tier": rng.choice(list(Tier)).value, "year": rng.randint(2019, 2026), "expires_on": _expiry(rng, today)}
        for _ in range(rng.choice([0, 0, 1, 1, 2]))
    ]
    tiers = list({(t["tier"], t["year"]): t for t in tiers}.values())
    if rng.random() < 0.15:
        return {"org": org, "tiers": tiers, "profile": None, "certificates": []}
    revenue, band = None, None
    if rng.random() < 0.4:
        revenue = Decimal(rng.choice(["0", "499.99", "500", "1000", "1999.5", "2000", "2500", "40000", "52000"]))
    elif rng.random() < 0.6:
        band = rng.choice(list(RevenueBand)).value
    declared = rng.random() < 0.6
    profile = {
        "established_on": _maybe(rng, _founded(rng, today)),
        "employees": _maybe(rng, rng.choice([0, 9, 10, 11, 50, 99, 100, 300, 301, 1200])),
        "revenue": revenue,
        "revenue_band": band,
        "rd_ratio": _maybe(rng, Decimal(rng.choice(RD_RATIOS))),
        "certificates_updated_on": today if declared else None,
        "certificates_source": ProfileSource.SELF.value if declared else None,
        "above_scale": _maybe(rng, rng.random() < 0.5),
        "listed": _maybe(rng, rng.random() < 0.2),
    }
    names = rng.sample(CERTIFICATES, rng.randint(0, 3)) if declared or rng.random() < 0.2 else []
    certificates = [{"name": name, "expires_on": _expiry(rng, today)} for name in names]
    return {"org": org, "tiers": tiers, "profile": profile, "certificates": certificates}


def insert_firms(count: int, seed: int, today: date, batch: int = 2000) -> None:
    """`count` generated firms written with bulk inserts (fast enough for the 10,000 of the benchmark)."""
    rng = random.Random(seed)
    now = utcnow()
    for start in range(0, count, batch):
        firms = [firm_rows(rng, i, today) for i in range(start, min(count, start + batch))]
        orgs = [dict(f["org"], created_at=now, updated_at=now) for f in firms]
        ids = db.session.scalars(sa.insert(Organization).returning(Organization.id, sort_by_parameter_order=True), orgs)
        ids = list(ids)
        tiers, profiles, certificates = [], [], []
        for org_id, firm in zip(ids, firms, strict=True):
            tiers += [dict(t, org_id=org_id, created_at=now) for t in firm["tiers"]]
            if firm["profile"] is not None:
                profiles.append(dict(firm["profile"], org_id=org_id))
            certificates += [dict(c, org_id=org_id) for c in firm["certificates"]]
        for model, rows in (
            (TierRecord, tiers),
            (OrganizationProfile, profiles),
            (OrganizationCertificate, certificates),
        ):
            if rows:
                db.session.execute(sa.insert(model), rows)
    db.session.flush()


def random_condition(rng: random.Random) -> dict:
    field = rng.choice(
        ["org_type", "tier", "tier_year", "industry", "region", "years_since_established", "employees"]
        + ["revenue", "rd_ratio", "certificates", "above_scale", "listed"]
    )
    if field == "org_type":
        return {"field": field, "op": "in", "value": rng.sample(OrgType.values(), rng.randint(1, 3))}
    if field == "tier":
        if rng.random() < 0.5:
            return {"field": field, "op": "at_least", "value": rng.choice(Tier.values())}
        return {"field": field, "op": "in", "value": rng.sample(Tier.values(), rng.randint(1, 2))}
    if field == "industry":
        if rng.random() < 0.5:
            return {"field": field, "op": "prefix", "value": rng.sample(["C", "C3", "C39", "I6", "A0", "D"], 2)}
        return {"field": field, "op": "in", "value": rng.sample(["C", "C39", "C14", "A01", "I", "M73"], 2)}
    if field == "region":
        codes = ["150000", *list(LEAGUES)[:4], "150203", "150105", "150602"]
        return {"field": field, "op": "within", "value": rng.sample(codes, rng.randint(1, 2))}
    if field in LIMITS:
        op = rng.choice([">=", "<=", "between"])
        low, high = sorted(rng.sample(LIMITS[field], 2))
        return {"field": field, "op": op, "value": [low, high] if op == "between" else rng.choice(LIMITS[field])}
    if field == "certificates":
        name = rng.choice(CERTIFICATES)
        return {
            "field": field,
            "op": "has",
            "value": name if rng.random() < 0.6 else {"name": name, "valid_on": "2027-06-30"},
        }
    return {"field": field, "op": "is", "value": rng.random() < 0.5}


def random_rule(rng: random.Random, depth: int = 0) -> dict:
    if depth >= 2 or rng.random() < 0.3:
        return random_condition(rng)
    members = [random_rule(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    return {rng.choice(["all", "any"]): members}
