"""政策计算器: a visitor's answers → the open items they would qualify for, with no account.

The answers become a transient Facts (nothing about the visitor is written) and every open item is judged by
the same evaluate() firms are. The only row touched is the day's anonymous count (CalculatorUse).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.clock import local_today
from app.core.enums import OrgType, Tier
from app.core.policy_enums import RevenueBand, Verdict
from app.extensions import db
from app.organizations.profile import CERTIFICATE_NAMES
from app.policies.evaluation import Evaluation, Facts, evaluate, verdict_of
from app.policies.fields import certificate_value, years_ago
from app.policies.firm import ItemRow, rows_for
from app.policies.marks import CalculatorUse
from app.policies.rules import conditions, scoped_rule
from app.policies.services import open_items

HIGH_TECH = "高新技术企业"


@dataclass(frozen=True)
class Answers:
    """What the visitor said; None is "不清楚" (unknown), except tier (None: not recognised)."""

    org_type: OrgType
    region: str | None = None
    industry: str | None = None  # a 门类 letter
    tier: Tier | None = None
    tier_year: int | None = None
    years: int | None = None
    employees: int | None = None
    revenue_band: RevenueBand | None = None
    rd_ratio: Decimal | None = None
    high_tech: bool | None = None


def facts_from(answers: Answers, today: date) -> Facts:
    """The answers as the facts a firm's profile would give. A founding date `years` whole years ago makes the
    firm exactly that old today."""
    return Facts(
        org_type=answers.org_type,
        tier=answers.tier,
        tier_year=answers.tier_year if answers.tier else None,
        industry=answers.industry,
        region=answers.region,
        established_on=None if answers.years is None else years_ago(today, answers.years),
        employees=answers.employees,
        revenue_band=answers.revenue_band,
        rd_ratio=answers.rd_ratio,
        certificates=None if answers.high_tech is None else (((HIGH_TECH, None),) if answers.high_tech else ()),
    )


def _asks_other_certificate(condition: dict) -> bool:
    return condition["field"] == "certificates" and certificate_value(condition["value"])[0] != HIGH_TECH


def evaluate_answers(rule: dict | None, facts: Facts, today: date) -> Evaluation:
    """evaluate() on the visitor's facts. The visitor said only whether they are a 高新技术企业: when the rule
    also asks for another certificate, that one is unknown. Rules have no negation, so the verdict with it
    unknown is the verdict shared by "held" and "not held", else 可能符合."""
    if facts.certificates is None or not any(map(_asks_other_certificate, conditions(rule))):
        return evaluate(rule, facts, today)
    held = tuple((name, None) for name in CERTIFICATE_NAMES if name != HIGH_TECH) + facts.certificates
    without, with_all = evaluate(rule, facts, today), evaluate(rule, replace(facts, certificates=held), today)
    unknown = evaluate(rule, replace(facts, certificates=None), today)
    cert_reasons = [_asks_other_certificate(c) for c in conditions(rule)]
    reasons = [u if other else w for w, u, other in zip(without.reasons, unknown.reasons, cert_reasons, strict=True)]
    if without.verdict == with_all.verdict:
        return Evaluation(without.verdict, reasons, without.missing)
    missing = list(dict.fromkeys([*without.missing, *with_all.missing, "certificates"]))
    return Evaluation(verdict_of(None), reasons, missing)


def count_use(today: date) -> None:
    """One more use today; a concurrent first use of the day is added to, not lost."""
    bump = sa.update(CalculatorUse).where(CalculatorUse.day == today).values(uses=CalculatorUse.uses + 1)
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(CalculatorUse(day=today, uses=1))
    except IntegrityError:
        db.session.execute(bump)


def calculate(answers: Answers, today: date | None = None) -> list[ItemRow]:
    """The open items the answers make 符合 or 可能符合, closing soonest first; counts the use."""
    today = today or local_today()
    facts = facts_from(answers, today)
    pairs = [
        (item, evaluate_answers(scoped_rule(item.rules, item.policy.region), facts, today))
        for item in open_items(today)
    ]
    count_use(today)
    return [row for row in rows_for(pairs, today) if row.verdict != Verdict.INELIGIBLE]
