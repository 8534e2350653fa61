"""Expert review of a challenge item: which stages it has, the rubric of each stage, closing a stage, and who
may see what (services the decision, 公示 and delivery areas call too). Services flush, never commit.

- Stages: every item has 专家评审 (REVIEW); a 赛马制 item also has the mid-term gate (GATE). 验收 (ACCEPTANCE)
  assignments are made by the delivery desk through the same services.
- Rubric: per item and stage, the rules of app.core.rubric (weights sum to 100, maxima 1–1000); fixed once
  an expert has saved a score at that stage. Default rubrics are offered on the setup page.
- Closing a stage is final: experts can no longer change their scores, and the results stand.
- Blind review (item.blind_review): experts see 申报单位A, B… instead of the applicant, and no partner, team
  member, linked posting or file name (see applicant_label and hidden_names).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import can_manage, managed_or_404
from app.challenges.review.conflicts import conflict_of, parties
from app.challenges.review.models import ChallengeExpert, ReviewAssignment, ReviewCriterion, ReviewRound, ReviewScore
from app.core.challenge_enums import ChallengeMode, ReviewStage
from app.core.enums import HistoryAction
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_action
from app.core.rubric import CriterionInput, parse_rubric
from app.extensions import db
from app.notifications.services import link_to

DEFAULT_RUBRICS: dict[ReviewStage, tuple[tuple[str, int, int], ...]] = {
    ReviewStage.REVIEW: (
        ("技术方案先进性与可行性", 30, 30),
        ("考核指标可达性", 25, 25),
        ("团队能力与基础", 20, 20),
        ("经费预算合理性", 15, 15),
        ("成果转化前景", 10, 10),
    ),
    ReviewStage.GATE: (
        ("阶段目标完成情况", 40, 40),
        ("考核指标进展", 30, 30),
        ("经费使用规范性", 15, 15),
        ("后续攻关方案可行性", 15, 15),
    ),
}
# Once an application has left SUBMITTED/RETURNED for these, it is in (or past) expert review.
REVIEWED_STAGES = (ReviewStage.REVIEW, ReviewStage.GATE)


def managed_item(item_id: int, user) -> ChallengeItem:
    """The item if this user runs its batch (issuer members, platform admins); otherwise a 404."""
    item = db.session.get(ChallengeItem, item_id)
    managed_or_404(user, item.batch if item else None)
    return item


def stages_for(item: ChallengeItem) -> list[ReviewStage]:
    """The stages the review desk sets up: 专家评审, and the 赛马 gate for 赛马制."""
    return [ReviewStage.REVIEW] + ([ReviewStage.GATE] if item.mode == ChallengeMode.HORSE_RACE else [])


def stage_of(item: ChallengeItem, code: str | None) -> ReviewStage:
    """A stage named in a URL, one this item has; otherwise a 404."""
    stage = ReviewStage.from_any(code or "")
    if stage is None or stage not in stages_for(item):
        raise NotFound()
    return stage


# --- rubric ----------------------------------------------------------------------------------------


def criteria(item: ChallengeItem, stage: ReviewStage) -> list[ReviewCriterion]:
    return list(
        db.session.scalars(
            sa.select(ReviewCriterion)
            .where(ReviewCriterion.item_id == item.id, ReviewCriterion.stage == stage)
            .order_by(ReviewCriterion.position)
        )
    )


def scoring_started(item: ChallengeItem, stage: ReviewStage) -> bool:
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                ReviewScore.criterion_id == ReviewCriterion.id,
                ReviewCriterion.item_id == item.id,
                ReviewCriterion.stage == stage,
            )
        )
    )


def save_criteria(item: ChallengeItem, stage: ReviewStage, actor, rows: list[CriterionInput]) -> list[ReviewCriterion]:
    """Replace the stage's rubric (rules in app.core.rubric.parse_rubric); refused once scoring has started or
    the stage is closed."""
    ensure_open(item, stage)
    if scoring_started(item, stage):
        raise InvalidTransition("已有专家打分，评分标准不能再修改")
    parsed = parse_rubric(rows)
    db.session.execute(
        sa.delete(ReviewCriterion).where(ReviewCriterion.item_id == item.id, ReviewCriterion.stage == stage)
    )
    made = [
        ReviewCriterion(item_id=item.id, stage=stage, name=name, weight=weight, max_score=top, position=i)
        for i, (name, weight, top) in enumerate(parsed, start=1)
    ]
    db.session.add_all(made)
    db.session.flush()
    detail = f"{stage.label}：" + "；".join(f"{n} {w}%/{m}" for n, w, m in parsed)
    record_action("challenge_item", item.id, HistoryAction.RUBRIC_SAVED, actor, detail)
    return made


# --- closing a stage -------------------------------------------------------------------------------


def review_round(item: ChallengeItem, stage: ReviewStage) -> ReviewRound | None:
    return db.session.scalar(sa.select(ReviewRound).where(ReviewRound.item_id == item.id, ReviewRound.stage == stage))


def is_closed(item: ChallengeItem, stage: ReviewStage) -> bool:
    return review_round(item, stage) is not None


def ensure_open(item: ChallengeItem, stage: ReviewStage) -> None:
    if is_closed(item, stage):
        raise InvalidTransition(f"{stage.label}已截止评分，不能再修改")


def close_stage(item: ChallengeItem, stage: ReviewStage, actor) -> ReviewRound:
    """End scoring of the stage for good: needs a rubric and at least one expert assigned."""
    ensure_open(item, stage)
    if not criteria(item, stage):
        raise ValidationFailed("请先设置评分标准")
    if not active_assignments(item, stage):
        raise ValidationFailed("还没有分配评审专家")
    row = ReviewRound(item_id=item.id, stage=stage, closed_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record_action("challenge_item", item.id, HistoryAction.REVIEW_CLOSED, actor, stage.label)
    return row


# --- assignments as the pages read them -----------------------------------------------------------


def active_assignments(item: ChallengeItem, stage: ReviewStage) -> list[ReviewAssignment]:
    """The stage's assignments that stand (a declared conflict ends one), by expert then application, with
    their scores and experts loaded (results, score sheets and the panel all read them)."""
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .join(ChallengeApplication, ChallengeApplication.id == ReviewAssignment.application_id)
            .where(
                ChallengeApplication.item_id == item.id,
                ReviewAssignment.stage == stage,
                ReviewAssignment.conflict_note.is_(None),
            )
            .options(
                selectinload(ReviewAssignment.scores),
                selectinload(ReviewAssignment.expert).selectinload(ChallengeExpert.user),
            )
            .order_by(ReviewAssignment.expert_id, ReviewAssignment.application_id)
        )
    )


def expert_of(user) -> ChallengeExpert | None:
    """The user's place in the expert pool, if active."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(ChallengeExpert).where(ChallengeExpert.user_id == user.id, ChallengeExpert.active.is_(True))
    )


def own_assignment(user, assignment_id: int) -> ReviewAssignment:
    """One of the user's own standing assignments; anything else (someone else's, a declared conflict, a user
    who is no longer an active expert) is a 404."""
    expert = expert_of(user)
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if expert is None or assignment is None or assignment.expert_id != expert.id or assignment.conflict_note:
        raise NotFound()
    return assignment


def can_open(user, application: ChallengeApplication, stage: ReviewStage) -> bool:
    """The user may read this application as an expert at this stage: an active expert with a standing
    assignment to it, who has declared no conflict of interest, and in whom the platform sees none today (an
    expert who changed organisation since being assigned is checked again)."""
    expert = expert_of(user)
    if expert is None:
        return False
    assignment = db.session.scalar(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.expert_id == expert.id,
            ReviewAssignment.stage == stage,
        )
    )
    return (
        assignment is not None
        and assignment.conflict_note is None
        and assignment.declared_at is not None
        and conflict_of(user, application) is None
    )


# --- blind review ----------------------------------------------------------------------------------


def applicant_code(application: ChallengeApplication) -> str:
    """申报单位A, B, … Z, AA…: the application's place among the item's submitted applications, by id (stable:
    a later application never moves an earlier one's code)."""
    ids = db.session.scalars(
        sa.select(ChallengeApplication.id)
        .where(ChallengeApplication.item_id == application.item_id, ChallengeApplication.submitted_at.is_not(None))
        .order_by(ChallengeApplication.id)
    ).all()
    index = ids.index(application.id) if application.id in ids else len(ids)
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"申报单位{letters}"


def is_blind_for(item: ChallengeItem, viewer) -> bool:
    """Names are hidden from `viewer`: the item is reviewed blind and the viewer is not on its issuer's desk.
    viewer None reads as an expert would (expert pages pass None: an expert who also happens to be a
    platform admin still reviews blind)."""
    return bool(item.blind_review) and not (viewer is not None and can_manage(viewer, item.batch))


def applicant_label(application: ChallengeApplication, viewer=None) -> str:
    """How the applicant is named to `viewer`: its code (申报单位A) when blind, else the lead's name with the
    partners (联合体: 甲公司（牵头）、乙大学)."""
    if is_blind_for(application.item, viewer):
        return applicant_code(application)
    return applicant_name(application)


def applicant_name(application: ChallengeApplication) -> str:
    """The applicant by name, with its partners (for the issuer's desk and files)."""
    sides = parties(application)
    if len(sides) == 1:
        return sides[0][1].name
    return "、".join([f"{sides[0][1].name}（牵头）", *(org.name for _, org in sides[1:])])


def hidden_names(application: ChallengeApplication) -> list[str]:
    """Every name blind review keeps from experts: the applicant, its partners (declined ones too: the lead
    named them) and their groups, and the team members; longest first, so a name is never half replaced."""
    names = {application.org.name} if application.org else set()
    for partner in application.partners:
        if partner.org is not None:
            names.add(partner.org.name)
    for _, org in parties(application):
        if org.group is not None:
            names.add(org.group.name)
    for member in application.team or []:
        name = str((member or {}).get("name") or "").strip() if isinstance(member, dict) else ""
        if len(name) >= 2:
            names.add(name)
    return sorted(names, key=len, reverse=True)


def redact(text: str, names: list[str], mask: str = "【已隐去】") -> str:
    """The text with every hidden name masked (the last guard on a blind expert page: free text the applicant
    wrote may name itself)."""
    for name in names:
        text = text.replace(name, mask)
    return text


def application_link(application: ChallengeApplication) -> str | None:
    """Where an applicant reads its application (the applications area's page), for notifications."""
    for endpoint, values in (
        ("challenge_applications.view", {"application_id": application.id}),
        ("challenge_applications.mine", {}),
    ):
        if endpoint in current_app.view_functions:
            try:
                return link_to(endpoint, **values)
            except BuildError:  # the other area names its argument differently
                continue
    return None
