"""Setting up roadshow and competition judging: the rubric, the judges, the line-up of presenters, and
closing scoring and publishing the results. Services flush, never commit.

Rules the organiser sees on the page:
- Rubric: 1–20 criteria; each weight a whole percent and the weights sum to exactly 100 (no silent
  normalising: what the organiser typed is what counts); each maximum a whole number 1–1000. The rubric is
  fixed once the first score is saved, so every judge scores against the same rubric.
- Judges: platform users. Users on a confirmed registration with the 评委 ticket (the registrant or a named
  attendee with an account) are offered as candidates; anyone else is invited by e-mail and becomes a judge
  on accepting, signed in (app/events/judging/invitations.py). Only assigned judges can score.
- Presenters: confirmed registrations of the event (路演企业 tickets offered first) in order, each with
  an optional start time.
- Closing scoring is final; results can be published only after closing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.enums import EventType, HistoryAction, NotificationKind, RegistrationStatus, TicketType
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_action, record_change, utcnow
from app.core.rubric import CriterionInput, parse_rubric
from app.events.event_roles import get_event_row, get_managed_typed_event, get_typed_event
from app.events.judging.models import Criterion, Judge, JudgingState, Presenter, Score, ScoreSheet
from app.events.models import Attendee, Event, Registration, TicketCategory
from app.extensions import db
from app.notifications.services import notify

JUDGED = [EventType.ROADSHOW, EventType.COMPETITION]
PROJECT_MAX = 200


def get_judging_event(event_id: int, user) -> Event:
    """A roadshow or competition, for its organiser (or a platform admin) only."""
    return get_managed_typed_event(event_id, user, JUDGED)


def get_judged_event(event_id: int, user) -> Event:
    """A visible roadshow or competition (for judges and the public results page)."""
    return get_typed_event(event_id, user, JUDGED)


def judging_state(event: Event) -> JudgingState:
    return db.session.get(JudgingState, event.id) or JudgingState(event_id=event.id)


def is_closed(event: Event) -> bool:
    state = db.session.get(JudgingState, event.id)
    return state is not None and state.scoring_closed_at is not None


def is_published(event: Event) -> bool:
    state = db.session.get(JudgingState, event.id)
    return state is not None and state.published_at is not None


def ensure_open(event: Event) -> None:
    if is_closed(event):
        raise InvalidTransition("评分已截止，不能再修改")


def criteria(event: Event) -> list[Criterion]:
    return list(
        db.session.scalars(sa.select(Criterion).where(Criterion.event_id == event.id).order_by(Criterion.position))
    )


def scoring_started(event: Event) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(Score.criterion_id == Criterion.id, Criterion.event_id == event.id))
    )


def save_rubric(event: Event, actor, rows: list[CriterionInput]) -> list[Criterion]:
    """Replace the rubric (rules in the module docstring and app.core.rubric.parse_rubric). Blank rows are
    ignored."""
    ensure_open(event)
    if scoring_started(event):
        raise InvalidTransition("已有评委打分，评分标准不能再修改")
    parsed = parse_rubric(rows)
    db.session.execute(sa.delete(Criterion).where(Criterion.event_id == event.id))
    made = [
        Criterion(event_id=event.id, name=name, weight=weight, max_score=top, position=i)
        for i, (name, weight, top) in enumerate(parsed, start=1)
    ]
    db.session.add_all(made)
    db.session.flush()
    detail = "；".join(f"{n} {w}%/{m}" for n, w, m in parsed)
    record_action("judging_rubric", event.id, HistoryAction.RUBRIC_SAVED, actor, detail)
    return made


# --- judges ----------------------------------------------------------------------------------------


def judges(event: Event) -> list[Judge]:
    return list(db.session.scalars(sa.select(Judge).where(Judge.event_id == event.id).order_by(Judge.id)))


def judge_candidates(event: Event) -> list[User]:
    """Users on confirmed 评委 registrations (registrant or attendee with an account), not yet judges."""
    judge_regs = (
        sa.select(Registration.id)
        .join(TicketCategory, TicketCategory.id == Registration.ticket_category_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            TicketCategory.ticket_type == TicketType.JUDGE,
        )
    )
    via_attendee = sa.select(Attendee.user_id).where(Attendee.registration_id.in_(judge_regs))
    via_registrant = sa.select(Registration.user_id).where(Registration.id.in_(judge_regs))
    assigned = sa.select(Judge.user_id).where(Judge.event_id == event.id)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(sa.or_(User.id.in_(via_attendee), User.id.in_(via_registrant)), User.id.not_in(assigned))
            .where(User.active.is_(True))
            .order_by(User.name)
        )
    )


def add_judge(event: Event, actor, user_id: int | None) -> Judge:
    """Assign a candidate (a user on a confirmed 评委 registration) as judge. Anyone else is invited by
    e-mail (app/events/judging/invitations.py), which tells the organiser nothing about their account."""
    ensure_open(event)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user not in judge_candidates(event):
        raise NotFound()
    return assign_judge(event, user, actor)


def assign_judge(event: Event, user: User, actor, added_by_id: int | None = None) -> Judge:
    """Make the user a judge of the event and tell them; twice is refused. `added_by_id` when not the actor
    (an accepted invitation: the organiser who sent it)."""
    ensure_open(event)
    judge = Judge(event_id=event.id, user_id=user.id, added_by_id=added_by_id or actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(judge)
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition(f"{user.name} 已是本活动的评委") from None
    record_action("judge", judge.id, HistoryAction.JUDGE_ASSIGNED, actor)
    notify(
        user,
        NotificationKind.SYSTEM,
        f"judge:{judge.id}:assigned",
        f"您被邀请担任“{event.title}”的评委",
        "活动当天请用手机打开评委打分页，按出场顺序逐家评分。",
        f"/events/{event.id}/judging/score",
    )
    return judge


def get_event_judge(event: Event, judge_id: int) -> Judge:
    return get_event_row(Judge, judge_id, event)


def _remove_unscored(event: Event, actor, row, sheet_column, entity: str, action: HistoryAction, refusal: str) -> None:
    """Delete a judge or presenter that no score sheet names (`sheet_column` is the ScoreSheet column
    pointing at its kind): scores once saved are part of the record, so whoever they name stays."""
    ensure_open(event)
    if db.session.scalar(sa.select(sa.exists().where(sheet_column == row.id))):
        raise InvalidTransition(refusal)
    record_action(entity, row.id, action, actor)
    db.session.delete(row)
    db.session.flush()


def remove_judge(event: Event, actor, judge: Judge) -> None:
    """A judge who has saved scores stays (their scores are part of the record)."""
    refusal = "该评委已有评分记录，不能移除"
    _remove_unscored(event, actor, judge, ScoreSheet.judge_id, "judge", HistoryAction.JUDGE_REMOVED, refusal)


def get_judge(event: Event, user) -> Judge:
    """The user's judge assignment at this event; anyone else is not found."""
    judge = db.session.scalar(sa.select(Judge).where(Judge.event_id == event.id, Judge.user_id == user.id))
    if judge is None:
        raise NotFound()
    return judge


def is_judge(event: Event, user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and db.session.scalar(sa.select(sa.exists().where(Judge.event_id == event.id, Judge.user_id == user.id)))
    )


# --- presenters ------------------------------------------------------------------------------------


def presenters(event: Event) -> list[Presenter]:
    return list(
        db.session.scalars(
            sa.select(Presenter).where(Presenter.event_id == event.id).order_by(Presenter.position, Presenter.id)
        )
    )


def presenter_candidates(event: Event) -> list[Registration]:
    """Confirmed registrations not yet in the line-up, 路演企业 tickets first."""
    in_lineup = sa.select(Presenter.registration_id).where(Presenter.event_id == event.id)
    is_presenter = sa.case((TicketCategory.ticket_type == TicketType.PRESENTER, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Registration)
            .outerjoin(TicketCategory, TicketCategory.id == Registration.ticket_category_id)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.org_id.is_not(None),
                Registration.id.not_in(in_lineup),
            )
            .order_by(is_presenter, Registration.queue_no)
        )
    )


def add_presenter(event: Event, actor, registration_id: int, project: str = "") -> Presenter:
    """Put a confirmed registration at the end of the line-up."""
    ensure_open(event)
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg not in presenter_candidates(event):
        raise NotFound("该报名不存在、未确认或已在出场名单中")
    last = db.session.scalar(sa.select(sa.func.max(Presenter.position)).where(Presenter.event_id == event.id)) or 0
    presenter = Presenter(
        event_id=event.id,
        registration_id=reg.id,
        position=last + 1,
        project=(project or "").strip()[:PROJECT_MAX] or None,
    )
    db.session.add(presenter)
    db.session.flush()
    record_action("presenter", presenter.id, HistoryAction.PRESENTER_ADDED, actor)
    return presenter


def get_event_presenter(event: Event, presenter_id: int) -> Presenter:
    return get_event_row(Presenter, presenter_id, event)


def set_lineup(event: Event, actor, slots: dict[int, tuple[int, datetime | None]]) -> None:
    """Order and start times: {presenter_id: (order number, start time or None)}. Order numbers must be
    distinct whole numbers; start times must lie within the event."""
    ensure_open(event)
    lineup = {p.id: p for p in presenters(event)}
    if set(slots) != set(lineup):
        raise ValidationFailed("出场名单已变化，请刷新页面后重新调整")
    orders = [order for order, _ in slots.values()]
    if len(set(orders)) != len(orders) or any(not 1 <= o <= 999 for o in orders):
        raise ValidationFailed("出场顺序须为 1 到 999 之间互不相同的整数")
    for presenter_id, (_, starts_at) in slots.items():
        if starts_at is not None and not event.starts_at <= starts_at <= event.ends_at:
            raise ValidationFailed(f"“{lineup[presenter_id].name}”的出场时间须在活动时间之内")
    for rank, (presenter_id, (_, starts_at)) in enumerate(sorted(slots.items(), key=lambda kv: kv[1][0]), start=1):
        lineup[presenter_id].position, lineup[presenter_id].starts_at = rank, starts_at
    db.session.flush()
    record_action("judging_lineup", event.id, HistoryAction.LINEUP_SAVED, actor)


def remove_presenter(event: Event, actor, presenter: Presenter) -> None:
    """A company that has been scored stays in the line-up."""
    refusal = "该企业已有评分，不能移出出场名单"
    _remove_unscored(
        event, actor, presenter, ScoreSheet.presenter_id, "presenter", HistoryAction.PRESENTER_REMOVED, refusal
    )


# --- closing and publishing ------------------------------------------------------------------------


def scoring_gaps(event: Event) -> list[tuple[str, str]]:
    """What judges still lack before anyone can score, as (set-up page section, what): a rubric, a judge and
    a company in the line-up. Empty when scoring can happen."""
    needed = (("rubric", "评分标准", criteria), ("judges", "评委", judges), ("lineup", "出场企业", presenters))
    return [(section, what) for section, what, rows in needed if not rows(event)]


def close_scoring(event: Event, actor, now: datetime | None = None) -> None:
    """End scoring for good: judges can no longer change scores, and may now see the results. Only once
    scoring can happen at all (scoring_gaps): closing an empty panel would end judging before it began."""
    state = judging_state(event)
    if state.scoring_closed_at is not None:
        raise InvalidTransition("评分已截止")
    if gaps := scoring_gaps(event):
        raise InvalidTransition(f"评分还没有开始，不能截止：请先设置{'、'.join(what for _, what in gaps)}")
    state.scoring_closed_at, state.closed_by_id = now or utcnow(), actor.id
    db.session.add(state)
    db.session.flush()
    record_change("judging", event.id, "open", "closed", actor)


def publish_results(event: Event, actor, now: datetime | None = None) -> None:
    """Make the results page public; only after scoring is closed."""
    state = judging_state(event)
    if state.scoring_closed_at is None:
        raise InvalidTransition("请先截止评分，再发布结果")
    if state.published_at is not None:
        raise InvalidTransition("结果已发布")
    state.published_at, state.published_by_id = now or utcnow(), actor.id
    db.session.flush()
    record_change("judging", event.id, "closed", "published", actor)
