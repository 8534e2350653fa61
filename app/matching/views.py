"""Matches for owners: "为您推荐" on a posting page (a template global), "我的匹配" across the
organisation's postings, and 感兴趣 / 不相关 feedback (POST)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import org_member_required
from app.core.enums import MatchVerdict
from app.core.pagination import paginate
from app.core.web import commit_and_redirect, safe_next
from app.extensions import db
from app.matching import services
from app.matching.calibration import label_of
from app.matching.reasons import render_reasons
from app.postings.models import Posting
from app.postings.queries import is_owner

bp = Blueprint("matches", __name__)
RECOMMENDED_PER_KIND = 5


@bp.app_template_global()
def recommendations_for(posting: Posting) -> list[dict]:
    """The top matches of a posting for its owners (empty for anyone else)."""
    if not is_owner(current_user, posting):
        return []
    matches = services.matches_for_posting(posting, RECOMMENDED_PER_KIND)
    verdicts = services.verdicts_for(m.id for m in matches)
    return [{"match": m, "reasons": render_reasons(m.reasons), "verdict": verdicts.get(m.id)} for m in matches]


@bp.app_template_global()
def match_label(score: float):
    """The calibrated label users see for a stored match score (高 / 较高 / 一般)."""
    return label_of(score)


@bp.app_template_global()
def best_matches_for_org(org_id: int, limit: int = 5) -> list:
    """The organisation's best matches across all its postings (the dashboard block)."""
    return list(db.session.scalars(services.org_matches_query(org_id, best_first=True).limit(limit)))


@bp.get("/")
@org_member_required
def mine():
    pagination = paginate(services.org_matches_query(current_user.org_id))
    verdicts = services.verdicts_for(m.id for m in pagination.items)
    return render_template(
        "matching/mine.html", pagination=pagination, verdicts=verdicts, render_reasons=render_reasons
    )


@bp.post("/<int:match_id>/feedback")
@org_member_required
def feedback(match_id):
    match = services.get_own_match(match_id, current_user)
    source = match.source
    back = url_for("postings.detail", kind=source.kind.value, posting_id=source.id)
    done = services.record_feedback(
        match, current_user, request.form.get("verdict", ""), request.form.get("reason"), request.form.get("note")
    )
    message = "已记录：感兴趣" if done.verdict == MatchVerdict.INTERESTED else "已移除该推荐，今后会减少类似推荐"
    return commit_and_redirect(safe_next(request.form.get("next"), back) + "#recommendations", message)
