"""Matching jobs: keep the search index in step, recompute matches, tell owners about strong new ones.

The chain after a change is orchestrated here and only here: the search layer drains the outbox
(pushing documents, then the changed postings' vectors, then refreshing the engine), and then this
module recomputes the matches of the postings that changed. Neither layer calls back into the other.

Unlike most jobs these commit after each batch, as `flask matching run` does: a full recompute takes
minutes, and one transaction would hold SQLite's write lock (or PostgreSQL's locks on the match rows)
against every web request all that time. A crash leaves fewer postings refreshed, never a broken set,
and the next run carries on: every step is idempotent.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.core.clock import local_date
from app.core.enums import NotificationKind, PostingStatus
from app.extensions import db
from app.matching.calibration import HIGH, label_of
from app.matching.models import Match
from app.matching.services import refresh_changed, run_matches, stale_ids
from app.notifications.models import Notification
from app.notifications.services import link_to, notify, org_user_ids
from app.postings.models import Posting
from app.search.sync import BATCH_SIZE, DrainReport, drain_outbox

# "新的高分匹配" needs the calibrated 高 (app/matching/calibration.py), as the label users see.
NOTIFY_MIN_SCORE = HIGH
NOTIFY_MAX_RANK = 3
NOTIFY_MAX_PER_RUN = 500
NOTIFY_RECENT_DAYS = 14  # a match is news when one side was published (or re-approved) this recently
MAX_ROUNDS = 100  # of MATCH_RECOMPUTE_MAX sources each, per run

log = logging.getLogger(__name__)


def drain_and_rematch(batch_size: int = BATCH_SIZE, today: date | None = None) -> tuple[DrainReport, int]:
    """Drain the search outbox, then recompute the matches of the postings changed since their last
    computation (MATCH_RECOMPUTE_MAX of them; `recompute_changed` catches up on the rest). Returns the
    drain's report and how many sources were recomputed. A failing recompute is logged and left for
    the next run: the drain's work is committed by then."""
    report = drain_outbox(batch_size=batch_size, today=today)
    try:
        rematched = refresh_changed(int(current_app.config.get("MATCH_RECOMPUTE_MAX", 50)), today)
        db.session.commit()
    except Exception:
        log.exception("recomputing matches after the drain failed; `flask matching run` will catch up")
        db.session.rollback()
        rematched = 0
    return report, rematched


def drain_search(now: datetime) -> str:
    """Push pending posting changes to the search indexes, then recompute the changed postings' matches."""
    report, rematched = drain_and_rematch(today=local_date(now))
    text = f"已同步 {report.processed} 条，失败 {report.failed} 条，重算匹配 {rematched} 条"
    return text + (f"；错误：{report.errors[0]}" if report.errors else "")


def _match_key():
    return sa.literal("match:") + sa.cast(Match.source_id, sa.String) + ":" + sa.cast(Match.target_id, sa.String)


def notify_new_matches(
    now: datetime, min_score: float, max_rank: int = NOTIFY_MAX_RANK, limit: int = NOTIFY_MAX_PER_RUN
) -> int:
    """The owner organisation of a source posting hears once about each strong match (score ≥ min_score,
    among its best `max_rank` of a kind) between published postings of which at least one was published
    in the last NOTIFY_RECENT_DAYS (older pairs are no news): key match:{source}:{target}.
    Returns how many matches were announced."""
    recent = now - timedelta(days=NOTIFY_RECENT_DAYS)
    source, target = aliased(Posting), aliased(Posting)
    told = sa.select(Notification.id).where(Notification.key == _match_key()).exists()
    rows = db.session.execute(
        sa.select(Match, source, target)
        .join(source, source.id == Match.source_id)
        .join(target, target.id == Match.target_id)
        .where(
            Match.score >= min_score,
            Match.rank <= max_rank,
            source.status == PostingStatus.PUBLISHED,
            target.status == PostingStatus.PUBLISHED,
            sa.or_(source.published_at >= recent, target.published_at >= recent),
            ~told,
        )
        .order_by(Match.source_id, Match.rank)
        .limit(limit)
    ).all()
    for match, src, tgt in rows:
        notify(
            org_user_ids(src.org_id),
            NotificationKind.MATCH_NEW,
            f"match:{src.id}:{tgt.id}",
            f"《{src.title}》有新的高分匹配：{tgt.kind.label}《{tgt.title}》",
            f"匹配度：{label_of(match.score).label}，在同类推荐中排第 {match.rank} 位。",
            link_to("postings.detail", kind=tgt.kind.value, posting_id=tgt.id),
        )
    return len(rows)


def recompute_changed(now: datetime) -> str:
    """Recompute the matches of every posting changed since its last computation (the drain only does a
    bounded number), then notify owners of strong new matches (MATCH_NOTIFY_MIN_SCORE)."""
    today = local_date(now)
    limit = int(current_app.config.get("MATCH_RECOMPUTE_MAX", 50))
    recomputed = 0
    for _ in range(MAX_ROUNDS):
        if not stale_ids(1):
            break
        recomputed += refresh_changed(limit, today)
        db.session.commit()
    notified = notify_new_matches(now, float(current_app.config.get("MATCH_NOTIFY_MIN_SCORE", NOTIFY_MIN_SCORE)))
    return f"重算 {recomputed} 条信息的匹配，通知新的高分匹配 {notified} 条"


def recompute_all(now: datetime) -> str:
    """Recompute every published posting's matches (app.matching.services.run_matches)."""
    computed = 0
    for size in run_matches(local_date(now)):
        db.session.commit()
        computed += size
    return f"已为 {computed} 条信息重算匹配"
