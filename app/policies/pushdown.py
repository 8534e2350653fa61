"""The same rules in SQL, for counting and listing the firms a policy item reaches without loading them.

Every condition becomes two expressions over organizations ⋈ organization_profiles (plus one row per firm of its
valid 梯度培育 tier and of its certificates): `yes` (certainly true) and `no` (certainly false), each guarded so it
is never NULL; a NULL fact makes both false, which is "unknown". Groups combine them as the three-valued logic in
evaluation.py does: all → yes = AND of yes, no = OR of no; any → yes = OR of yes, no = AND of no. Anything that
needs judgement (a revenue band against a limit, the founding date for "成立满 3 年") is decided in Python once per
query by the functions evaluation.py uses, so the two cannot drift apart; tests/policies compare them on generated
firms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.core.enums import Tier
from app.core.policy_enums import RevenueBand, Verdict
from app.extensions import db
from app.organizations.models import Organization, TierRecord
from app.organizations.profile import OrganizationCertificate, OrganizationProfile
from app.policies.evaluation import band_truth
from app.policies.fields import FIELDS, certificate_value, years_ago
from app.policies.places import ancestors, place_key
from app.policies.rules import GROUPS, conditions

CHUNK = 100  # rules counted per query: two aggregate columns each, well inside SQLite's 2,000-column limit
NO_END = date(9999, 12, 31)
MAYBE_WEIGHT = 2**32  # more firms than any platform will hold; the sums stay far inside 64 bits
Sql = ColumnElement[bool]


@dataclass
class Source:
    """The FROM clause and the columns the conditions read."""

    from_: sa.FromClause
    org: sa.Table
    profile: sa.Table
    tier_key: ColumnElement  # rank × 10000 + year of the current tier; 0 when none
    certificates: dict[str, ColumnElement]  # name → latest expiry among the firm's certificates of that name
    today: date


def source_for(rules: list[dict | None], today: date) -> Source:
    org, profile = Organization.__table__, OrganizationProfile.__table__
    ranks = sa.case({t.value: t.rank for t in Tier}, value=TierRecord.tier, else_=0)
    tiers = (
        sa.select(TierRecord.org_id, sa.func.max(ranks * 10000 + TierRecord.year).label("key"))
        .where(sa.or_(TierRecord.expires_on.is_(None), TierRecord.expires_on >= today))
        .group_by(TierRecord.org_id)
        .subquery("current_tiers")
    )
    joined = org.outerjoin(profile, profile.c.org_id == org.c.id).outerjoin(tiers, tiers.c.org_id == org.c.id)
    names = sorted(
        {certificate_value(c["value"])[0] for rule in rules for c in conditions(rule) if c["field"] == "certificates"}
    )
    certificates = {}
    if names:
        latest = [
            sa.func.max(
                sa.case(
                    (
                        OrganizationCertificate.name == name,
                        sa.func.coalesce(OrganizationCertificate.expires_on, sa.literal(NO_END, sa.Date)),
                    )
                )
            ).label(f"c{i}")
            for i, name in enumerate(names)
        ]
        held = (
            sa.select(OrganizationCertificate.org_id, *latest)
            .where(OrganizationCertificate.name.in_(names))
            .group_by(OrganizationCertificate.org_id)
            .subquery("held_certificates")
        )
        joined = joined.outerjoin(held, held.c.org_id == org.c.id)
        certificates = {name: held.c[f"c{i}"] for i, name in enumerate(names)}
    return Source(joined, org, profile, sa.func.coalesce(tiers.c.key, 0), certificates, today)


def rule_sql(rule: dict | None, src: Source) -> tuple[Sql, Sql]:
    """(yes, no) for a validated rule; None (no conditions) is always yes."""
    if rule is None:
        return sa.true(), sa.false()
    key = next((k for k in GROUPS if k in rule), None)
    if key is None:
        return condition_sql(rule, src)
    parts = [rule_sql(member, src) for member in rule[key]]
    yes, no = [p[0] for p in parts], [p[1] for p in parts]
    if key == "all":
        return sa.and_(*yes), sa.or_(*no)
    return sa.or_(*yes), sa.and_(*no)


def condition_sql(condition: dict, src: Source) -> tuple[Sql, Sql]:
    field = FIELDS[condition["field"]]
    op, value = condition["op"], condition["value"]
    if field.kind == "choice":
        yes = src.org.c.org_type.in_(value)
        return yes, sa.not_(yes)
    if field.kind == "tier":
        return _tier(op, value, src.tier_key)
    if field.kind in ("code", "place"):
        return _hierarchy(field.kind, value, src.org.c[field.name])
    if field.kind == "number":
        return _number(field.name, op, value, src)
    if field.kind == "certificate":
        name, valid_on = certificate_value(value)
        declared = src.profile.c.certificates_updated_on.is_not(None)
        latest = src.certificates[name]
        yes = sa.and_(declared, latest.is_not(None), latest >= (valid_on or src.today))
        return yes, sa.and_(declared, sa.not_(yes))
    column = src.profile.c[field.name]
    return _known(column, column == value), _known(column, column != value)


def _known(column, test: Sql) -> Sql:
    """`test` only where the fact is known: FALSE (never NULL) where it is not."""
    return sa.and_(column.is_not(None), test)


def _tier(op: str, value, key) -> tuple[Sql, Sql]:
    if op == "at_least":
        yes = key >= Tier(value).rank * 10000
    else:
        yes = sa.or_(*(key.between(Tier(v).rank * 10000, Tier(v).rank * 10000 + 9999) for v in value))
    return yes, sa.not_(yes)


def _hierarchy(kind: str, value: list[str], column) -> tuple[Sql, Sql]:
    """Industry codes and places: inside one of the listed codes (yes), or known only above one (unknown)."""
    known = sa.and_(column.is_not(None), column != "")
    inside, above = [], []
    for code in value:
        key = place_key(code) if kind == "place" else code
        inside.append(sa.func.substr(column, 1, len(key)) == key)
        if kind == "place":
            above.extend(ancestors(code))
        else:
            above.extend(key[:n] for n in range(1, len(key)))
    yes = sa.and_(known, sa.or_(*inside))
    maybe = column.in_(sorted(set(above))) if above else sa.false()
    return yes, sa.and_(known, sa.not_(sa.or_(*inside)), sa.not_(maybe))


def _compare(column, op: str, value) -> Sql:
    if op == ">=":
        return column >= value
    if op == "<=":
        return column <= value
    return sa.and_(column >= value[0], column <= value[1])


def _number(name: str, op: str, value, src: Source) -> tuple[Sql, Sql]:
    if name == "tier_year":
        test = _compare(src.tier_key % 10000, op, value)
        yes = sa.and_(src.tier_key > 0, test)
        return yes, sa.not_(yes)
    if name == "years_since_established":
        return _founded(op, value, src)
    column = src.profile.c[name]
    decimal = _decimal(value)
    yes, no = _known(column, _compare(column, op, decimal)), _known(column, sa.not_(_compare(column, op, decimal)))
    if name != "revenue":
        return yes, no
    band = src.profile.c.revenue_band
    by_truth = {truth: [b.value for b in RevenueBand if band_truth(b, op, value) is truth] for truth in (True, False)}
    only_band = sa.and_(column.is_(None), band.is_not(None))
    yes = sa.or_(yes, sa.and_(only_band, band.in_(by_truth[True])) if by_truth[True] else sa.false())
    no = sa.or_(no, sa.and_(only_band, band.in_(by_truth[False])) if by_truth[False] else sa.false())
    return yes, no


def _decimal(value):
    return [Decimal(str(v)) for v in value] if isinstance(value, list) else Decimal(str(value))


def _founded(op: str, value, src: Source) -> tuple[Sql, Sql]:
    """成立年限 as founding-date thresholds: at least n whole years ⇔ founded on or before years_ago(today, n)."""
    column = src.profile.c.established_on

    def at_least(n: int) -> Sql:
        return column <= years_ago(src.today, n)

    if op == ">=":
        test = at_least(value)
    elif op == "<=":
        test = sa.not_(at_least(value + 1))
    else:
        test = sa.and_(at_least(value[0]), sa.not_(at_least(value[1] + 1)))
    return _known(column, test), _known(column, sa.not_(test))


def verdict_sql(rule: dict | None, src: Source) -> ColumnElement[str]:
    yes, no = rule_sql(rule, src)
    return sa.case((yes, Verdict.ELIGIBLE.value), (no, Verdict.INELIGIBLE.value), else_=Verdict.MAYBE.value)


def verdicts(rule: dict | None, today: date, where=None) -> dict[int, Verdict]:
    """Every firm's verdict on one rule (optionally only the firms `where` selects), by organisation id."""
    src = source_for([rule], today)
    query = sa.select(src.org.c.id, verdict_sql(rule, src)).select_from(src.from_)
    if where is not None:
        query = query.where(where)
    return {org_id: Verdict(v) for org_id, v in db.session.execute(query)}


def count_verdicts(rules: list[dict | None], today: date, where=None) -> list[tuple[int, int]]:
    """(符合, 可能符合) counts for each rule, in order, in one pass over the firms per CHUNK rules.

    One aggregate per rule: a firm adds 1 when eligible and MAYBE_WEIGHT when undecided, so the sum carries both
    counts and each firm's `yes`/`no` is evaluated once."""
    counts: list[tuple[int, int]] = []
    for start in range(0, len(rules), CHUNK):
        chunk = rules[start : start + CHUNK]
        src = source_for(chunk, today)
        columns = []
        for rule in chunk:
            yes, no = rule_sql(rule, src)
            weight = sa.case((yes, 1), (no, 0), else_=sa.literal(MAYBE_WEIGHT, sa.BigInteger))
            columns.append(sa.func.coalesce(sa.func.sum(weight), 0))
        query = sa.select(*columns).select_from(src.from_)
        if where is not None:
            query = query.where(where)
        row = db.session.execute(query).one()
        counts.extend((int(total) % MAYBE_WEIGHT, int(total) // MAYBE_WEIGHT) for total in row)
    return counts
