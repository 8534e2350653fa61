"""推荐洽谈对象: other participating organisations ranked by the matching engine, one card per
organisation. Read-only. (Every participant, filtered, is the directory: directory.py.)"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from app.core.enums import PostingStatus
from app.events.event_roles import participant_org_ids
from app.extensions import db
from app.matching.models import Match
from app.matching.reasons import render_reasons
from app.organizations.models import Organization
from app.postings.models import Posting


@dataclass
class MatchLine:
    """One match between the two organisations' postings, seen from the participant's side."""

    mine: Posting
    theirs: Posting
    score: float
    reasons: list[str]


@dataclass
class Recommendation:
    """One card per other organisation: the strongest pair of postings between the two as its reason, and
    how many other pairs of postings connect them (a pair matched both ways counts once)."""

    org: Organization
    best: MatchLine
    other_pairs: int = 0

    @property
    def score(self) -> float:
        return self.best.score


def published_matches_between(org_id: int, others) -> sa.Select:
    """Match rows, best first, between two published postings: one of `org_id`'s and one of an
    organisation in `others`, in either direction (its postings as source or as target)."""
    source, target = aliased(Posting), aliased(Posting)
    return (
        sa.select(Match)
        .join(source, source.id == Match.source_id)
        .join(target, target.id == Match.target_id)
        .where(
            source.status == PostingStatus.PUBLISHED,
            target.status == PostingStatus.PUBLISHED,
            sa.or_(
                sa.and_(source.org_id == org_id, target.org_id.in_(others)),
                sa.and_(source.org_id.in_(others), target.org_id == org_id),
            ),
        )
        .options(selectinload(Match.source), selectinload(Match.target))
        .order_by(Match.score.desc(), Match.id)
    )


def recommend_counterparts(event_id: int, org_id: int, limit: int = 20) -> list[Recommendation]:
    """Participating organisations (not one's own), one each, ranked by their best Match with one's
    organisation in either direction: one's postings as source (needs → others' achievements/capabilities,
    …) or others' postings as source targeting one's own (others' needs → one's achievements). Only Match
    rows between two published postings count. Each shows that best pair of postings with its reasons;
    the same two postings matched the other way round are the same pair, not another one."""
    others = participant_org_ids(event_id) - {org_id}
    if not others:
        return []
    rows = db.session.scalars(published_matches_between(org_id, others)).all()  # best first
    by_org: dict[int, Recommendation] = {}
    pairs: dict[int, set[frozenset[int]]] = {}
    for m in rows:
        mine, theirs = (m.source, m.target) if m.source.org_id == org_id else (m.target, m.source)
        pairs.setdefault(theirs.org_id, set()).add(frozenset((m.source_id, m.target_id)))
        if theirs.org_id not in by_org:
            by_org[theirs.org_id] = Recommendation(
                theirs.org, MatchLine(mine, theirs, m.score, render_reasons(m.reasons))
            )
    for other, rec in by_org.items():
        rec.other_pairs = len(pairs[other]) - 1
    return sorted(by_org.values(), key=lambda r: (-r.score, r.org.name))[:limit]
