"""Field signals added to a candidate's fused score (scoring.py, step 3): industry, TRL, region, and the
target's own tier, freshness and open deadline. Each comes with the Chinese line shown as a reason, which
names the field and its value ("同属 C14 食品制造业", "技术成熟度 TRL 6，适合合作开发", "同在包头市")."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from app.core.enums import PostingKind
from app.core.industries import industry_name
from app.core.regions import OUTSIDE, region_name
from app.matching.reasons import Signal
from app.matching.targets import Target
from app.postings.models import Posting

K = PostingKind
FRESH_DAYS = 90


# The pair signals are asked for every candidate of every source (300,000 times in a full run) and
# depend on a few field values only: each is computed once per distinct value and shared (Signal is
# frozen).


@lru_cache(maxsize=4096)
def _industry_signals(a: str, b: str) -> tuple[Signal, ...]:
    if len(a) == 3 and a == b:
        return (Signal("same_division", f"同属 {a} {industry_name(a)}", 0.10),)
    if a and b and a[0] == b[0]:
        return (Signal("same_section", f"同属 {a[0]} {industry_name(a[0])}（门类）", 0.04),)
    return ()


@lru_cache(maxsize=64)
def _trl_signals(trl: int, budget: bool) -> tuple[Signal, ...]:
    """An achievement's TRL seen by a need with (or without) a budget."""
    if budget:
        if trl >= 6:
            return (Signal("trl_ready", f"技术成熟度 TRL {trl}，可直接落地应用", 0.05),)
        if trl <= 4:
            return (Signal("trl_early", f"技术成熟度 TRL {trl}，距离落地应用尚远", -0.05),)
        return ()
    if trl >= 4:
        return (Signal("trl_joint", f"技术成熟度 TRL {trl}，适合合作开发", 0.03),)
    return ()


@lru_cache(maxsize=4096)
def _region_signals(source: str, target: str) -> tuple[Signal, ...]:
    """The 盟市 of a procurement and a capability, either way round."""
    if source == target and source != OUTSIDE:
        return (Signal("same_city", f"同在{region_name(source)}，供货便利", 0.08),)
    if OUTSIDE not in (source, target):
        return (Signal("same_province", f"同在自治区内，对方在{region_name(target)}", 0.04),)
    return ()


def target_signals_of(target: Target, today: date) -> list[Signal]:
    signals = []
    tier = target.tier if target.kind == K.CAPABILITY else None
    if tier is not None:
        signals.append(Signal("tier", f"梯度培育：{tier.label}", 0.02 * tier.rank))
    if target.published_at is not None:
        days = (datetime.combine(today, datetime.min.time()) - target.published_at).days
        if days <= FRESH_DAYS:
            signals.append(Signal("fresh", "近期发布" if days <= 1 else f"{days} 天前发布", 0.03))
    if target.deadline is not None and target.deadline >= today:
        signals.append(Signal("open", f"征集中，截止 {target.deadline.isoformat()}", 0.02))
    return signals


def pair_signals(source: Posting, target: Target) -> list[Signal]:
    """The field signals that depend on both sides (industry, TRL, region)."""
    signals = list(_industry_signals(source.industry or "", target.industry or ""))
    kinds = (source.kind, target.kind)
    if kinds in ((K.NEED, K.ACHIEVEMENT), (K.ACHIEVEMENT, K.NEED)):
        need, achievement = (source, target) if source.kind == K.NEED else (target, source)
        if achievement.trl is not None:
            signals += _trl_signals(achievement.trl, need.budget_wan is not None)
    elif kinds in ((K.PROCUREMENT, K.CAPABILITY), (K.CAPABILITY, K.PROCUREMENT)) and source.region and target.region:
        signals += _region_signals(source.region, target.region)
    return signals
