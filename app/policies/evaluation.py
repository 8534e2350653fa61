"""Evaluating a rule against one firm, in Python, with three-valued logic.

Each condition is True, False or None (cannot tell: the profile lacks the fact, or knows it only roughly — a
revenue band, a 门类 without its 大类, a 盟市 without its 旗县). A group `all` is False when any member is False,
else None when any is None, else True; `any` is True when any member is True, else None when any is None, else
False. True/None/False read 符合/可能符合/不符合. pushdown.py computes the same in SQL; the two are tested
against each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.core.enums import OrgType, Tier
from app.core.policy_enums import PolicyStatus, RevenueBand, Verdict
from app.organizations.models import Organization
from app.organizations.profile import OrganizationProfile
from app.policies.fields import FIELDS, Field, certificate_value, full_years, number_text
from app.policies.places import ancestors, place_key, place_name
from app.policies.rules import GROUPS, industry_name, requirement

YES, NO, UNKNOWN = " ✓", " ✗", " ？"


@dataclass(frozen=True)
class Facts:
    """What the platform knows about a firm on a given day; None is "unknown" (except tier: not recognised)."""

    org_type: OrgType
    tier: Tier | None = None
    tier_year: int | None = None
    industry: str | None = None
    region: str | None = None
    established_on: date | None = None
    employees: int | None = None
    revenue: Decimal | None = None
    revenue_band: RevenueBand | None = None
    rd_ratio: Decimal | None = None
    certificates: tuple[tuple[str, date | None], ...] | None = None  # None: never declared
    above_scale: bool | None = None
    listed: bool | None = None


def current_tier(org: Organization, today: date) -> tuple[Tier | None, int | None]:
    """The highest 梯度培育 tier still valid today and the latest year it was recognised in."""
    valid = [t for t in org.tiers if t.expires_on is None or t.expires_on >= today]
    if not valid:
        return None, None
    best = max(valid, key=lambda t: (t.tier.rank, t.year))
    return best.tier, best.year


def facts_of(org: Organization, profile: OrganizationProfile | None, today: date) -> Facts:
    tier, tier_year = current_tier(org, today)
    base = {
        "org_type": org.org_type,
        "tier": tier,
        "tier_year": tier_year,
        "industry": org.industry,
        "region": org.region,
    }
    if profile is None:
        return Facts(**base)
    declared = profile.certificates_updated_on is not None
    return Facts(
        **base,
        established_on=profile.established_on,
        employees=profile.employees,
        revenue=profile.revenue,
        revenue_band=profile.revenue_band,
        rd_ratio=profile.rd_ratio,
        certificates=tuple((c.name, c.expires_on) for c in profile.certificates) if declared else None,
        above_scale=profile.above_scale,
        listed=profile.listed,
    )


@dataclass
class Evaluation:
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the rule's field names whose facts would settle it


def all3(values) -> bool | None:
    values = list(values)
    if False in values:
        return False
    return None if None in values else True


def any3(values) -> bool | None:
    values = list(values)
    if True in values:
        return True
    return None if None in values else False


def verdict_of(truth: bool | None) -> Verdict:
    return {True: Verdict.ELIGIBLE, None: Verdict.MAYBE, False: Verdict.INELIGIBLE}[truth]


def evaluate(rule: dict | None, facts: Facts, today: date) -> Evaluation:
    """The verdict, a reason per condition and the missing facts that could still change the verdict."""
    if rule is None:
        return Evaluation(Verdict.ELIGIBLE, ["不限条件" + YES], [])
    reasons: list[str] = []
    truth, missing = _walk(rule, facts, today, reasons)
    return Evaluation(verdict_of(truth), reasons, list(dict.fromkeys(missing)))


def _walk(node: dict, facts: Facts, today: date, reasons: list[str]) -> tuple[bool | None, list[str]]:
    key = next((k for k in GROUPS if k in node), None)
    if key is None:
        truth, reason = check(node, facts, today)
        reasons.append(reason)
        return truth, [node["field"]] if truth is None else []
    results = [_walk(member, facts, today, reasons) for member in node[key]]
    truth = (all3 if key == "all" else any3)(t for t, _ in results)
    # A fact only counts as missing while its group is still undecided.
    return truth, [name for t, names in results if t is None for name in names] if truth is None else []


def check(condition: dict, facts: Facts, today: date) -> tuple[bool | None, str]:
    """One condition: its truth and its reason in Chinese, ending in ✓, ✗ or ？."""
    field = FIELDS[condition["field"]]
    return _CHECKS[field.kind](field, condition, facts, today)


def _unknown(field: Field, condition: dict, known: str | None = None) -> tuple[None, str]:
    _, predicate = requirement(condition)
    said = f"{field.label}未填写" if known is None else known
    return None, f"{said}，无法判断是否{predicate}{UNKNOWN}"


def _failed(fact_text: str, condition: dict) -> tuple[bool, str]:
    subject, predicate = requirement(condition)
    return False, f"{fact_text}，要求{subject}{predicate}{NO}"


def _passed(condition: dict, fact_text: str | None = None) -> tuple[bool, str]:
    subject, predicate = requirement(condition)
    if fact_text:  # "注册地在昆都仑区（包头市），在包头市 ✓": the subject was said with the fact
        return True, f"{fact_text}，{predicate}{YES}"
    return True, f"{subject}{predicate}{YES}"


def _choice(field: Field, condition: dict, facts: Facts, today: date):
    fact = facts.org_type
    if fact.value in condition["value"]:
        return _passed(condition)
    return _failed(f"机构类型为{fact.label}", condition)


def _tier(field: Field, condition: dict, facts: Facts, today: date):
    op, value, fact = condition["op"], condition["value"], facts.tier
    if fact is None:
        return _failed("未入选梯度培育库", condition)
    ok = fact.value in value if op == "in" else fact.rank >= Tier(value).rank
    return _passed(condition) if ok else _failed(f"梯度培育层级为{fact.label}", condition)


def hierarchy_truth(fact_key: str, keys: list[str]) -> bool | None:
    """True when the fact lies inside one of the keys, None when it is only known above one of them."""
    if any(fact_key.startswith(key) for key in keys):
        return True
    if any(key.startswith(fact_key) for key in keys):
        return None
    return False


def _industry(field: Field, condition: dict, facts: Facts, today: date):
    fact = facts.industry
    if not fact:
        return _unknown(field, condition)
    truth = hierarchy_truth(fact, condition["value"])
    name = industry_name(fact)
    if truth is None:
        return _unknown(field, condition, known=f"所属行业只知道为{name}")
    return _passed(condition, f"所属行业为{name}") if truth else _failed(f"所属行业为{name}", condition)


def place_truth(fact: str, codes: list[str]) -> bool | None:
    """True when the firm's place lies inside one of the codes, None when only a place containing one is known."""
    if any(fact.startswith(place_key(code)) for code in codes):
        return True
    if any(fact in ancestors(code) for code in codes):
        return None
    return False


def _place(field: Field, condition: dict, facts: Facts, today: date):
    fact = facts.region
    if not fact:
        return _unknown(field, condition)
    truth = place_truth(fact, condition["value"])
    where = f"注册地在{place_name(fact)}"
    if truth is None:
        return _unknown(field, condition, known=f"注册地只知道在{place_name(fact)}")
    if truth and fact in condition["value"]:
        return True, where + YES
    return _passed(condition, where) if truth else _failed(where, condition)


def interval_truth(op: str, value, low: Decimal, high: Decimal | None, exact: bool) -> bool | None:
    """A comparison on a fact known exactly (low = high) or only as the band [low, high), high None = unbounded."""
    if op == "between":
        return all3(
            (interval_truth(">=", value[0], low, high, exact), interval_truth("<=", value[1], low, high, exact))
        )
    limit = Decimal(str(value))
    if op == ">=":
        if low >= limit:
            return True
        return False if exact or (high is not None and high <= limit) else None
    if exact:
        return low <= limit
    if high is not None and high <= limit:
        return True
    return False if low > limit else None


def band_truth(band: RevenueBand, op: str, value) -> bool | None:
    low, high = band.bounds
    return interval_truth(op, value, Decimal(low), None if high is None else Decimal(high), exact=False)


def number_fact(name: str, facts: Facts, today: date):
    """The fact a number field compares: a Decimal, a RevenueBand, or None when unknown."""
    if name == "years_since_established":
        return None if facts.established_on is None else Decimal(full_years(facts.established_on, today))
    if name == "revenue" and facts.revenue is None:
        return facts.revenue_band
    value = getattr(facts, name)
    return None if value is None else Decimal(value)


def _number(field: Field, condition: dict, facts: Facts, today: date):
    op, value = condition["op"], condition["value"]
    fact = number_fact(field.name, facts, today)
    if fact is None:
        if not field.may_be_missing:
            return _failed("未入选梯度培育库", condition)
        return _unknown(field, condition)
    if isinstance(fact, RevenueBand):
        truth = band_truth(fact, op, value)
        known = f"{field.label}在 {fact.label} 区间"
        if truth is None:
            return _unknown(field, condition, known=known)
        return _passed(condition, known) if truth else _failed(known, condition)
    fact_text = f"{field.label} {number_text(fact, field.unit)}"
    if interval_truth(op, value, fact, fact, exact=True):
        return True, f"{fact_text}，{requirement(condition)[1]}{YES}"
    low_side = op == ">=" or (op == "between" and fact < Decimal(str(value[0])))
    limit = (value[0] if low_side else value[1]) if op == "between" else value
    word = field.words[2] if low_side else field.words[3]
    return False, f"{fact_text}，{word} {number_text(limit, field.unit)}{NO}"


def certificate_truth(certificates, name: str, valid_on: date) -> bool | None:
    if certificates is None:
        return None
    return any(n == name and (expires is None or expires >= valid_on) for n, expires in certificates)


def _certificate(field: Field, condition: dict, facts: Facts, today: date):
    name, valid_on = certificate_value(condition["value"])
    truth = certificate_truth(facts.certificates, name, valid_on or today)
    if truth is None:
        return _unknown(field, condition)
    if truth:
        return _passed(condition)
    held = [expires for n, expires in facts.certificates or () if n == name]
    said = f"“{name}”证书有效期至 {held[0].isoformat()}" if held else f"未持有“{name}”证书"
    return _failed(said, condition)


def _flag(field: Field, condition: dict, facts: Facts, today: date):
    fact = getattr(facts, field.name)
    if fact is None:
        return _unknown(field, condition)
    if fact == condition["value"]:
        return _passed(condition)
    return _failed(("为" if fact else "不是") + field.label, condition)


_CHECKS = {
    "choice": _choice,
    "tier": _tier,
    "code": _industry,
    "place": _place,
    "number": _number,
    "certificate": _certificate,
    "flag": _flag,
}


def is_open(item, today: date) -> bool:
    """An item takes applications when its policy is published and in force and today (Beijing) is inside the
    item's window: a window that closed yesterday, or opens tomorrow, is not open."""
    policy = item.policy
    if policy.status != PolicyStatus.PUBLISHED:
        return False
    if policy.expires_on is not None and policy.expires_on < today:
        return False
    if item.opens_on is not None and item.opens_on > today:
        return False
    return item.closes_on is None or item.closes_on >= today
