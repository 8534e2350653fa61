"""How owners' 不相关 verdicts steer a source's later matches (scoring.py, step 4): the rejected pairs
and organisations, and the penalties for candidates that resemble a rejected target."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.core.enums import FeedbackReason, MatchVerdict
from app.extensions import db
from app.matching.models import MatchFeedback
from app.matching.targets import Target
from app.postings.models import Posting

ORG_PENALTY = 0.7
REASON_PENALTY = 0.10


@dataclass
class Rejection:
    target_id: int
    org_id: int
    reason: FeedbackReason | None
    industry: str | None
    region: str | None
    trl: int | None
    budget: float | None


def rejections_of(source_ids: list[int]) -> dict[int, list[Rejection]]:
    """Each source's 不相关 verdicts with the rejected target's fields, oldest first."""
    found: dict[int, list[Rejection]] = {}
    if not source_ids:
        return found
    rows = db.session.execute(
        sa.select(
            MatchFeedback.source_id,
            MatchFeedback.target_id,
            Posting.org_id,
            MatchFeedback.reason,
            Posting.industry,
            Posting.region,
            Posting.trl,
            Posting.budget_wan,
        )
        .join(Posting, Posting.id == MatchFeedback.target_id)
        .where(MatchFeedback.source_id.in_(source_ids), MatchFeedback.verdict == MatchVerdict.IRRELEVANT)
        .order_by(MatchFeedback.source_id, MatchFeedback.id)
    )
    for row in rows:
        budget = float(row.budget_wan) if row.budget_wan is not None else None
        found.setdefault(row.source_id, []).append(Rejection(*row[1:7], budget))
    return found


def excluded_orgs(rejections: list[Rejection]) -> set[int]:
    return {r.org_id for r in rejections if r.reason == FeedbackReason.PARTNERED}


def feedback_adjustment(target: Target, rejections: list[Rejection]) -> tuple[float, float, list[str]]:
    """(multiplier, penalty, notes) for a candidate from the source's 不相关 verdicts (see module doc)."""
    if not rejections:  # most sources: asked for every candidate of every source in a full run
        return 1.0, 0.0, []
    multiplier, penalty, notes = 1.0, 0.0, []
    for r in rejections:
        if r.org_id == target.org_id:
            multiplier *= ORG_PENALTY
            notes.append("同一机构的推荐曾被标为不相关")
        hit = (
            (r.reason == FeedbackReason.FIELD and r.industry and target.industry == r.industry)
            or (r.reason == FeedbackReason.MATURITY and r.trl and target.trl is not None and target.trl <= r.trl)
            or (r.reason == FeedbackReason.DISTANCE and r.region and target.region == r.region)
            or (
                r.reason == FeedbackReason.BUDGET
                and r.budget is not None
                and target.budget_wan is not None
                and float(target.budget_wan) <= r.budget
            )
        )
        if hit:
            penalty += REASON_PENALTY
            notes.append(f"与标为不相关（{r.reason.label}）的推荐相似")
    return multiplier, penalty, list(dict.fromkeys(notes))
