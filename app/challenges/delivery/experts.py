"""The expert work this area takes from app.challenges.review, in one place: assigning the GATE and ACCEPTANCE
panels (the review area's automatic assignment with its conflict-of-interest rules), the GATE ranking (its
rubric results, app.core.rubric), freezing the GATE scores when the issuer decides, the no-conflict
declaration and whether an expert may open a team's file."""

from __future__ import annotations

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.review.assignment import assign_experts, declare_no_conflict
from app.challenges.review.models import ReviewAssignment
from app.challenges.review.scoring import ranked
from app.challenges.review.services import DEFAULT_RUBRICS, can_open, close_stage, criteria, is_closed, save_criteria
from app.core.challenge_enums import ReviewStage
from app.core.rubric import CriterionInput


def assign_panel(item: ChallengeItem, stage: ReviewStage, applications: list[ChallengeApplication], actor) -> list:
    """Fill each application's panel at `stage` up to the item's experts per application; the assignments made."""
    return assign_experts(item, stage, applications, actor).made


def ensure_gate_rubric(item: ChallengeItem, actor) -> None:
    """The gate is scored on the review area's default GATE rubric unless the issuer set one on its setup page."""
    if not criteria(item, ReviewStage.GATE):
        rows = [CriterionInput(n, str(w), str(m)) for n, w, m in DEFAULT_RUBRICS[ReviewStage.GATE]]
        save_criteria(item, ReviewStage.GATE, actor, rows)


def gate_ranking(item: ChallengeItem) -> list:
    """The GATE results, ranked with ties; each row's `subject` is the application."""
    return ranked(item, ReviewStage.GATE)


def freeze_gate_scores(item: ChallengeItem, actor) -> None:
    """The decision stands on the scores as they are now: the GATE stage closes for scoring."""
    if not is_closed(item, ReviewStage.GATE):
        close_stage(item, ReviewStage.GATE, actor)


def declare(assignment: ReviewAssignment, user) -> None:
    declare_no_conflict(assignment, user, True)


def may_open(user, application: ChallengeApplication) -> bool:
    return can_open(user, application, ReviewStage.ACCEPTANCE)
