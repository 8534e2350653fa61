"""Assigning experts to applications, and the experts' declarations. Services flush, never commit.

Automatic assignment (assign_experts) gives each application N experts (item.experts_per_application unless
told) from the active pool:
- never an expert in conflict with it (app/challenges/review/conflicts.py), nor one already on it at this stage
  (a standing assignment counts toward N; one ended by a declared conflict is never made again);
- preferring relevance: an expert whose industries hold the item's 门类 and whose fields appear in the item's
  title, goal or keywords comes first (so each application gets the experts who know the subject);
- among equally relevant experts, the least loaded (standing assignments not yet fully scored, counting the
  ones made in this run), then the longest in the pool;
- too few experts left: the application gets those there are, and the report says which applications are
  short and by how many.
Manual assignment obeys the same conflict rule, with a Chinese refusal naming the conflict. An expert is told
of each new assignment (CHALLENGE_REVIEW), by code only when the review is blind.

Declarations: before an application opens, the expert declares no conflict of interest (the checkbox text is
DECLARATION); or declares one with a note, which ends the assignment and tells the issuer's desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.review.conflicts import conflict_of
from app.challenges.review.experts import open_load
from app.challenges.review.models import ChallengeExpert, ReviewAssignment
from app.challenges.review.services import applicant_label, applicant_name, ensure_open, is_blind_for
from app.core.challenge_enums import ReviewStage
from app.core.enums import HistoryAction, NotificationKind
from app.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from app.core.industries import industry_section
from app.core.models import record_action, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

DECLARATION = (
    "本人承诺：与本申报的申报单位、联合体成员单位及其团队成员不存在任职、合作、亲属、经济往来等利益关系，"
    "将独立、客观、公正地评审，并对申报材料保密。"
)
NOTE_MAX = 500


@dataclass
class AssignmentReport:
    """What an automatic run did: the assignments made, and the applications left short (application, missing)."""

    made: list[ReviewAssignment] = field(default_factory=list)
    short: list[tuple[ChallengeApplication, int]] = field(default_factory=list)

    def message(self, viewer) -> str:
        text = f"已新分配 {len(self.made)} 人次评审专家"
        if self.short:
            gaps = "；".join(f"“{applicant_label(a, viewer)}”还差 {n} 位" for a, n in self.short)
            text += f"。可用专家不足（已排除利益冲突和已分配的专家），以下申报未配齐：{gaps}。请在专家库中补充专家后再次分配"
        return text


def relevance(expert: ChallengeExpert, item: ChallengeItem) -> int:
    """2 for the item's industry 门类 among the expert's industries, plus 1 when a field of the expert appears in
    the item's title, goal or keywords."""
    score = 0
    section = industry_section(item.industry)
    if section and section in (expert.industries or []):
        score += 2
    text = " ".join([item.title or "", item.goal or "", *(getattr(item, "keywords", None) or [])])
    if any(f and f in text for f in expert.fields or []):
        score += 1
    return score


def _existing(application: ChallengeApplication, stage) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment).where(
                ReviewAssignment.application_id == application.id, ReviewAssignment.stage == stage
            )
        )
    )


def _make(application: ChallengeApplication, expert: ChallengeExpert, stage, actor) -> ReviewAssignment | None:
    """The assignment, recorded and notified; None when a concurrent request made the same one first."""
    assignment = ReviewAssignment(
        application_id=application.id, expert_id=expert.id, stage=stage, assigned_by_id=getattr(actor, "id", None)
    )
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        return None
    record_action(
        "challenge_application",
        application.id,
        HistoryAction.EXPERT_ASSIGNED,
        actor,
        f"{stage.label}：{expert.user.name}",
    )
    item = application.item
    if stage == ReviewStage.ACCEPTANCE:
        return assignment  # 验收 has its own page in the delivery area, which tells the expert where to go
    notify(
        expert.user_id,
        NotificationKind.CHALLENGE_REVIEW,
        f"challenge_assignment:{assignment.id}",
        f"评审任务：{item.title}",
        f"请评审“{applicant_label(application, None)}”的申报（{stage.label}）。打开申报前须先签署无利益冲突声明。",
        link_to("challenge_review.assignment", assignment_id=assignment.id),
    )
    return assignment


def _checked_applications(item: ChallengeItem, applications) -> list[ChallengeApplication]:
    chosen = sorted(applications, key=lambda a: a.id)
    if any(a.item_id != item.id for a in chosen):
        raise NotFound()
    return chosen


def assign_experts(item: ChallengeItem, stage, applications, actor, n: int | None = None) -> AssignmentReport:
    """Automatic assignment by the rules in the module docstring; safe to run again (it only fills gaps)."""
    ensure_open(item, stage)
    n = n or item.experts_per_application
    experts = [e for e in _active_pool() if e.user.active]
    load = open_load()
    report = AssignmentReport()
    for application in _checked_applications(item, applications):
        existing = _existing(application, stage)
        taken = {a.expert_id for a in existing}
        need = n - sum(1 for a in existing if a.conflict_note is None)
        if need <= 0:
            continue
        candidates = [e for e in experts if e.id not in taken and conflict_of(e.user, application) is None]
        candidates.sort(key=lambda e: (-relevance(e, item), load.get(e.id, 0), e.id))
        for expert in candidates[:need]:
            if made := _make(application, expert, stage, actor):
                report.made.append(made)
                load[expert.id] = load.get(expert.id, 0) + 1
        if len(candidates) < need:
            report.short.append((application, need - len(candidates)))
    return report


def _active_pool() -> list[ChallengeExpert]:
    return list(
        db.session.scalars(
            sa.select(ChallengeExpert).where(ChallengeExpert.active.is_(True)).order_by(ChallengeExpert.id)
        )
    )


def add_assignment(application: ChallengeApplication, stage, expert: ChallengeExpert, actor) -> ReviewAssignment:
    """Assign one expert by hand: an active expert without a conflict and not yet on this application."""
    ensure_open(application.item, stage)
    if not expert.active or not expert.user.active:
        raise ValidationFailed("该专家已停用，不能分配")
    if reason := conflict_of(expert.user, application):
        raise ValidationFailed(f"不能分配：{reason}")
    for existing in _existing(application, stage):
        if existing.expert_id == expert.id:
            if existing.conflict_note:
                raise ValidationFailed(f"不能分配：专家 {expert.user.name} 已声明与该申报存在利益冲突")
            raise ValidationFailed(f"专家 {expert.user.name} 已分配评审该申报")
    made = _make(application, expert, stage, actor)
    if made is None:
        raise ValidationFailed(f"专家 {expert.user.name} 已分配评审该申报")
    return made


def remove_assignment(assignment: ReviewAssignment, actor) -> None:
    """Take an expert off an application, as long as they have saved no score (scores are part of the record)."""
    ensure_open(assignment.application.item, assignment.stage)
    if assignment.scores:
        raise InvalidTransition(f"专家 {assignment.expert.user.name} 已评分，不能移除")
    record_action(
        "challenge_application",
        assignment.application_id,
        HistoryAction.EXPERT_UNASSIGNED,
        actor,
        f"{assignment.stage.label}：{assignment.expert.user.name}",
    )
    db.session.delete(assignment)
    db.session.flush()


def declare_no_conflict(assignment: ReviewAssignment, user, confirmed: bool) -> None:
    """The expert ticks the declaration; the platform still refuses an expert in whom it sees a conflict."""
    if not confirmed:
        raise FieldError("confirm", "请勾选无利益冲突声明后再打开申报材料")
    named = not is_blind_for(assignment.application.item, None)
    if reason := conflict_of(user, assignment.application, named=named):
        raise ValidationFailed(f"{reason}，不能评审该申报，请联系发榜单位")
    if assignment.declared_at is None:
        assignment.declared_at = utcnow()
        db.session.flush()
        record_action("challenge_assignment", assignment.id, HistoryAction.NO_CONFLICT_DECLARED, user)


def declare_conflict(assignment: ReviewAssignment, user, note: str | None) -> None:
    """The expert declares a conflict: the assignment ends (no scores count) and the issuer's desk is told."""
    ensure_open(assignment.application.item, assignment.stage)
    note = (note or "").strip()
    if not note:
        raise FieldError("note", "请简要说明存在的利益冲突")
    if len(note) > NOTE_MAX:
        raise FieldError("note", f"说明不能超过 {NOTE_MAX} 字")
    if assignment.scores:
        raise InvalidTransition("您已为该申报评分；如确有利益冲突，请联系发榜单位处理")
    assignment.conflict_note = note
    db.session.flush()
    record_action("challenge_assignment", assignment.id, HistoryAction.CONFLICT_DECLARED, user, note)
    item = assignment.application.item
    notify(
        org_user_ids(item.batch.issuer_org_id),
        NotificationKind.CHALLENGE_REVIEW,
        f"challenge_conflict:{assignment.id}",
        f"专家声明利益冲突：{item.title}",
        f"专家 {user.name} 声明与“{applicant_name(assignment.application)}”的申报存在利益冲突"
        f"（{assignment.stage.label}），该分配已终止，请另行分配专家。说明：{note}",
        link_to("challenge_review.setup", item_id=item.id),
    )
