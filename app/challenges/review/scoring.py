"""Experts' score sheets and the ranked results of a stage, by the rubric engine (app/core/rubric.py): each
expert's weighted score Σ score/max × weight, the mean over the experts who scored every criterion, two
decimals, ranks with ties (1, 2, 2, 4), applications without a complete sheet last. Services flush, never
commit.

Scoring: one sheet per assignment, each criterion 0 to its maximum in steps of 0.5 (blank: not yet scored),
with a comment; saved all or nothing; revisable until the issuer closes the stage. Only an expert who may open
the application (can_open: assigned, declared, no conflict) can save.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.review.models import ChallengeExpert, ReviewAssignment, ReviewScore
from app.challenges.review.services import active_assignments, can_open, criteria, ensure_open
from app.core.challenge_enums import ApplicationStatus, ReviewStage
from app.core.enums import HistoryAction
from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.models import record_action, utcnow
from app.core.rubric import Tally, parse_half_points, rank_rows, shown, tally
from app.events.judging.scores import field_name
from app.extensions import db

COMMENT_MAX = 2000
# Applications ranked at 专家评审 even before an expert is on them: those that passed 形式审查 (and later).
IN_REVIEW = (
    ApplicationStatus.SCREENED,
    ApplicationStatus.PROPOSED,
    ApplicationStatus.AWARDED,
    ApplicationStatus.NOT_SELECTED,
)


def save_review_scores(assignment: ReviewAssignment, user, values: dict[str, str], comment: str | None) -> None:
    """Save (or revise) the expert's sheet by the rules in the module docstring. A blank criterion removes an
    earlier score for it; the sheet counts as submitted once every criterion has a score."""
    application = assignment.application
    item = application.item
    ensure_open(item, assignment.stage)
    if not can_open(user, application, assignment.stage):
        raise NotFound()
    rubric = criteria(item, assignment.stage)
    if not rubric:
        raise ValidationFailed("发榜单位尚未设置评分标准，请稍后再来")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FieldError("comment", f"评语不能超过 {COMMENT_MAX} 字")
    parsed = {c.id: parse_half_points(values.get(field_name(c)), c.name, c.max_score, field_name(c)) for c in rubric}
    existing = {s.criterion_id: s for s in assignment.scores}
    for criterion_id, half in parsed.items():
        score = existing.get(criterion_id)
        if half is None:
            if score is not None:
                assignment.scores.remove(score)
        elif score is None:
            assignment.scores.append(ReviewScore(criterion_id=criterion_id, half_points=half))
        else:
            score.half_points = half
    assignment.comment = comment or None
    complete = all(half is not None for half in parsed.values())
    assignment.submitted_at = utcnow() if complete else None
    db.session.flush()
    record_action("challenge_assignment", assignment.id, HistoryAction.SCORES_SAVED, user)


def sheet_values(assignment: ReviewAssignment) -> dict[int, str]:
    """The sheet's scores as the form shows them (7.5, 8), by criterion id."""
    return {s.criterion_id: shown(s.half_points) for s in assignment.scores}


def my_assignments(expert: ChallengeExpert | None) -> list[ReviewAssignment]:
    """An expert's standing assignments, newest first."""
    if expert is None:
        return []
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.expert_id == expert.id, ReviewAssignment.conflict_note.is_(None))
            .options(selectinload(ReviewAssignment.scores))
            .order_by(ReviewAssignment.assigned_at.desc(), ReviewAssignment.id.desc())
        )
    )


# --- results ---------------------------------------------------------------------------------------


class ReviewRow(Tally):
    """An application's result at a stage; per_scorer is keyed by expert id (each application has its own
    panel: scorer_count is the number of experts standing on it)."""

    @property
    def application(self) -> ChallengeApplication:
        return self.subject


def panel(item: ChallengeItem, stage: ReviewStage) -> list[ChallengeExpert]:
    """The experts with a standing assignment at this stage, in pool order (the results' columns)."""
    experts = {a.expert_id: a.expert for a in active_assignments(item, stage)}
    return [experts[k] for k in sorted(experts)]


def ranked(item: ChallengeItem, stage: ReviewStage) -> list[ReviewRow]:
    """The stage's applications ranked by the rules in the module docstring: every application with an
    expert on it at this stage, and at 专家评审 every application past 形式审查 too (unscored ones last)."""
    rubric = criteria(item, stage)
    by_application: dict[int, list[ReviewAssignment]] = {}
    for assignment in active_assignments(item, stage):
        by_application.setdefault(assignment.application_id, []).append(assignment)
    subjects = sa.select(ChallengeApplication).where(ChallengeApplication.item_id == item.id)
    wanted = ChallengeApplication.id.in_(list(by_application))
    if stage == ReviewStage.REVIEW:
        wanted = sa.or_(wanted, ChallengeApplication.status.in_(IN_REVIEW))
    rows = []
    for application in db.session.scalars(subjects.where(wanted).order_by(ChallengeApplication.id)):
        own = by_application.get(application.id, [])
        rows.append(
            tally(
                application,
                [a.expert_id for a in own],
                {a.expert_id: {s.criterion_id: s.half_points for s in a.scores} for a in own},
                rubric,
                comments={a.expert_id: a.comment for a in own if a.comment},
                row_type=ReviewRow,
            )
        )
    return rank_rows(rows, order=lambda r: r.application.id)
