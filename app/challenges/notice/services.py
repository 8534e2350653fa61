"""The issuer's decision on a challenge item, its 公示, and the confirmation once the 公示期 is over.

- Decide while the item is under review (its deadline passed, no 公示 open): 揭榜挂帅 proposes exactly one
  application that passed 形式审查; 赛马制 proposes one to `teams_stage1` of them (fewer than it could, or passing
  over a better-ranked one, needs a written reason); or 流榜 with a reason.
- Publishing a 公示 makes the picks PROPOSED and the item NOTICE for n working days (5–15), counted by
  app.challenges.notice.workdays from the first working day on or after the publication date.
- After the last day (Beijing), with every objection answered, the round is confirmed: its applications are
  AWARDED, the item's other applications still in the running NOT_SELECTED, the item IMPLEMENTING. An upheld
  objection has already taken its application out of the round (and cancelled the round if none was left).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import current_status
from app.challenges.notice import results
from app.challenges.notice.models import ChallengeNotice
from app.challenges.notice.workdays import notice_period
from app.core.challenge_enums import ApplicationStatus, ChallengeMode, ItemStatus, NoticeStatus, ObjectionStatus
from app.core.clock import local_date, local_today
from app.core.enums import NotificationKind
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.core.models import record_change, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

A = ApplicationStatus
DAYS_MIN, DAYS_MAX, DAYS_DEFAULT = 5, 15, 5
REASON_MIN, REASON_MAX = 10, 1000
TEXT_MAX = 2000
# Still waiting for the outcome when the item's round is confirmed or the item fails.
UNDECIDED = (A.SUBMITTED, A.RETURNED, A.SCREENED)


def can_decide(item: ChallengeItem, today: date | None = None) -> bool:
    """The issuer may decide: applications are closed and under review, and no 公示 is open."""
    return current_status(item, today) == ItemStatus.REVIEWING and results.open_notice(item) is None


def _ensure_decidable(item: ChallengeItem) -> None:
    if not can_decide(item):
        raise InvalidTransition("该项目当前不能作出立项决定（征集尚未截止、公示进行中或已有结果）")


def _move_item(item: ChallengeItem, to: ItemStatus, actor, reason: str | None = None) -> None:
    """Move the item out of review (or back into it) in one conditional UPDATE, so two issuers deciding at the
    same moment cannot both succeed."""
    allowed = (ItemStatus.COLLECTING, ItemStatus.REVIEWING) if to != ItemStatus.REVIEWING else (ItemStatus.NOTICE,)
    before = item.status
    done = db.session.execute(
        sa.update(ChallengeItem)
        .where(ChallengeItem.id == item.id, ChallengeItem.status.in_(allowed))
        .values(status=to)
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount != 1:
        raise InvalidTransition("项目状态已经变化，请刷新页面后重试")
    db.session.refresh(item)
    record_change("challenge_item", item.id, before, to, actor, reason)


def set_application_status(app: ChallengeApplication, to: ApplicationStatus, actor, reason: str | None = None) -> None:
    if app.status != to:
        record_change("challenge_application", app.id, app.status, to, actor, reason)
        app.status = to


def _clean_reason(reason: str | None, field: str, required: bool, what: str) -> str | None:
    reason = (reason or "").strip()
    if not reason:
        if required:
            raise FieldError(field, f"请填写{what}")
        return None
    if len(reason) < REASON_MIN:
        raise FieldError(field, f"{what}请至少写{REASON_MIN}个字，说明具体情况")
    if len(reason) > REASON_MAX:
        raise FieldError(field, f"{what}不能超过{REASON_MAX}个字")
    return reason


def team_org_ids(app: ChallengeApplication) -> list[int]:
    """The lead organisation and its confirmed consortium partners."""
    return [app.org_id, *results.confirmed_partner_org_ids(app)]


def team_user_ids(app: ChallengeApplication) -> list[int]:
    return [uid for org_id in team_org_ids(app) for uid in org_user_ids(org_id)]


def tell_users(users, key: str, title: str, body: str, item: ChallengeItem, endpoint: str = "challenge_notice.notice"):
    notify(users, NotificationKind.CHALLENGE_NOTICE, key, title, body, link_to(endpoint, item_id=item.id))


# --- 流榜 -------------------------------------------------------------------------------------------


def declare_failed(item: ChallengeItem, reason: str | None, actor) -> ChallengeItem:
    """流榜: no application is proposed. The reason is required and public; every application still in the
    running becomes NOT_SELECTED and its team is told."""
    _ensure_decidable(item)
    reason = _clean_reason(reason, "reason", True, "流榜原因")
    _move_item(item, ItemStatus.FAILED, actor, reason)
    item.failed_reason = reason
    for app in _undecided(item):
        set_application_status(app, A.NOT_SELECTED, actor, reason)
        tell_users(
            team_user_ids(app),
            f"challenge_item:{item.id}:failed",
            f"《{item.title}》流榜",
            reason,
            item,
            "challenges.item",
        )
    tell_users(
        org_user_ids(item.batch.issuer_org_id),
        f"challenge_item:{item.id}:failed:issuer",
        f"《{item.title}》已宣布流榜",
        reason,
        item,
        "challenges.item",
    )
    db.session.flush()
    return item


def _undecided(item: ChallengeItem) -> list[ChallengeApplication]:
    return list(
        db.session.scalars(
            sa.select(ChallengeApplication)
            .where(ChallengeApplication.item_id == item.id, ChallengeApplication.status.in_(UNDECIDED))
            .order_by(ChallengeApplication.id)
        )
    )


# --- the decision and its 公示 ----------------------------------------------------------------------


def check_picks(
    item: ChallengeItem, rows: list[results.Standing], picked_ids: list[int], reason: str | None
) -> str | None:
    """The mode's rule on the picks; returns the cleaned reason (required when the picks need one)."""
    picked = set(picked_ids)
    candidates = {r.application.id for r in rows if r.application.status == A.SCREENED}
    if not picked:
        raise FieldError("application_ids", "请选择拟揭榜的申报；都不合适时请宣布流榜")
    if not picked <= candidates:
        raise FieldError("application_ids", "只能选择通过形式审查、尚未被选中的申报")
    needs_reason = results.passes_over_better(rows, picked, results.upheld_ids(item))
    if item.mode == ChallengeMode.SINGLE:
        if len(picked) != 1:
            raise FieldError("application_ids", "揭榜挂帅只能选择一个揭榜单位")
    else:
        if len(picked) > item.teams_stage1:
            raise FieldError("application_ids", f"赛马制第一阶段最多支持{item.teams_stage1}个团队")
        needs_reason = needs_reason or len(picked) < min(item.teams_stage1, len(candidates))
    what = "选择理由（未按评审排名或少于计划团队数时必填）"
    return _clean_reason(reason, "reason", needs_reason, what)


def parse_days(value) -> int:
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not DAYS_MIN <= int(text) <= DAYS_MAX:
        raise FieldError("working_days", f"公示期须为 {DAYS_MIN} 至 {DAYS_MAX} 个工作日")
    return int(text)


def publish_notice(
    item: ChallengeItem, picked_ids: list[int], working_days, text: str | None, reason: str | None, actor
) -> ChallengeNotice:
    """Propose the picked applications and publish the 公示 for `working_days` working days from today (Beijing).

    The standings of the review are written onto the applications (score and rank as published); the teams of
    every application still in the running and the issuer's members are told."""
    _ensure_decidable(item)
    rows = results.standings(item)
    reason = check_picks(item, rows, picked_ids, reason)
    days = parse_days(working_days)
    text = (text or "").strip()
    if not text:
        raise FieldError("text", "请填写公示说明")
    if len(text) > TEXT_MAX:
        raise FieldError("text", f"公示说明不能超过{TEXT_MAX}个字")
    starts_on, ends_on = notice_period(local_today(), days)
    _move_item(item, ItemStatus.NOTICE, actor, reason)
    picked = [r.application for r in rows if r.application.id in set(picked_ids)]
    notice = ChallengeNotice(
        item_id=item.id,
        starts_on=starts_on,
        ends_on=ends_on,
        working_days=days,
        text=text,
        status=NoticeStatus.OPEN,
        application_ids=[a.id for a in picked],
        published_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    for row in rows:
        row.application.final_score, row.application.rank = row.result, row.rank
    for app in picked:
        app.decision_note = reason
        set_application_status(app, A.PROPOSED, actor, reason)
    _tell_published(item, notice, rows, picked)
    db.session.flush()
    return notice


def period_text(notice: ChallengeNotice) -> str:
    """公示期：2026年12月7日至2026年12月11日（5个工作日）"""
    return f"{_cn_date(notice.starts_on)}至{_cn_date(notice.ends_on)}（{notice.working_days}个工作日）"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _tell_published(item, notice, rows, picked) -> None:
    period = period_text(notice)
    for app in picked:
        tell_users(
            team_user_ids(app),
            f"challenge_notice:{notice.id}:proposed",
            f"《{app.project_title}》拟确定为揭榜单位，正在公示",
            f"公示期：{period}。",
            item,
        )
    for row in rows:
        if row.application not in picked:
            tell_users(
                team_user_ids(row.application),
                f"challenge_notice:{notice.id}:published",
                f"《{item.title}》揭榜结果公示",
                f"本次拟揭榜单位已公示，公示期：{period}。",
                item,
            )
    tell_users(
        org_user_ids(item.batch.issuer_org_id),
        f"challenge_notice:{notice.id}:issuer",
        f"《{item.title}》公示已发布",
        f"公示期：{period}。",
        item,
    )


# --- cancelling a round (an upheld objection, or the issuer's withdrawal) -----------------------------


def withdraw_notice(notice: ChallengeNotice, reason: str | None, actor) -> None:
    """The issuer withdraws an open round (e.g. the proposed winner gave up) with a written reason."""
    if notice.status != NoticeStatus.OPEN:
        raise InvalidTransition("该公示已经结束，不能撤销")
    reason = _clean_reason(reason, "reason", True, "撤销原因")
    cancel_notice(notice, actor, f"发榜方撤销公示：{reason}")


def cancel_notice(notice: ChallengeNotice, actor, reason: str) -> None:
    """The round ends without a result: its proposed applications go back to SCREENED and the item back to
    review, so the issuer can decide again and publish a new round."""
    item = notice.item
    notice.status = NoticeStatus.CANCELLED
    notice.closed_at = utcnow()
    record_change("challenge_notice", notice.id, NoticeStatus.OPEN, NoticeStatus.CANCELLED, actor, reason)
    for app in results.notice_applications(notice):
        if app.status == A.PROPOSED:
            set_application_status(app, A.SCREENED, actor, reason)
        tell_users(
            team_user_ids(app), f"challenge_notice:{notice.id}:cancelled", f"《{item.title}》公示已撤销", reason, item
        )
    _move_item(item, ItemStatus.REVIEWING, actor, reason)
    tell_users(
        org_user_ids(item.batch.issuer_org_id),
        f"challenge_notice:{notice.id}:cancelled:issuer",
        f"《{item.title}》公示已撤销，请重新作出决定",
        reason,
        item,
        "challenge_notice.decide",
    )


# --- confirmation ---------------------------------------------------------------------------------


def period_over(notice: ChallengeNotice, today: date | None = None) -> bool:
    return (today or local_today()) > notice.ends_on


def unanswered(notice: ChallengeNotice) -> list:
    return [o for o in notice.objections if o.status == ObjectionStatus.LODGED]


def confirm_notice(notice: ChallengeNotice, actor=None, today: date | None = None) -> ChallengeNotice:
    """Confirm a round whose period is over and whose objections are all answered (by hand or by the job)."""
    if notice.status != NoticeStatus.OPEN:
        raise InvalidTransition("该公示已经结束，无需再次确认")
    if not period_over(notice, today):
        raise InvalidTransition(f"公示期至{_cn_date(notice.ends_on)}结束，期满后才能确认结果")
    if unanswered(notice):
        raise ValidationFailed("还有异议尚未答复，请先逐一答复")
    done = db.session.execute(
        sa.update(ChallengeNotice)
        .where(ChallengeNotice.id == notice.id, ChallengeNotice.status == NoticeStatus.OPEN)
        .values(status=NoticeStatus.CONFIRMED, closed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount != 1:
        raise InvalidTransition("该公示已经结束，无需再次确认")
    db.session.refresh(notice)
    item = notice.item
    record_change("challenge_notice", notice.id, NoticeStatus.OPEN, NoticeStatus.CONFIRMED, actor)
    awarded = [a for a in results.notice_applications(notice) if a.status == A.PROPOSED]
    for app in awarded:
        set_application_status(app, A.AWARDED, actor)
        tell_users(
            team_user_ids(app),
            f"challenge_notice:{notice.id}:awarded",
            f"《{app.project_title}》揭榜成功",
            "公示期满，揭榜结果已确认，请与发榜方签订任务书。",
            item,
        )
    for app in _undecided(item):
        set_application_status(app, A.NOT_SELECTED, actor)
        tell_users(
            team_user_ids(app),
            f"challenge_notice:{notice.id}:not_selected",
            f"《{item.title}》揭榜结果已确认",
            "感谢参与，本次未入选。",
            item,
        )
    before = item.status
    item.status = ItemStatus.IMPLEMENTING
    record_change("challenge_item", item.id, before, ItemStatus.IMPLEMENTING, actor, "公示期满，结果确认")
    tell_users(
        org_user_ids(item.batch.issuer_org_id),
        f"challenge_notice:{notice.id}:confirmed",
        f"《{item.title}》公示期满，结果已确认",
        "请为揭榜单位签订任务书。",
        item,
    )
    db.session.flush()
    return notice


def confirm_due_notices(now: datetime) -> str:
    """The hourly job: confirm every open round whose last day (Beijing) has passed with every objection
    answered; a round with objections still unanswered waits, and its issuer is told once."""
    today = local_date(now)
    due = db.session.scalars(
        sa.select(ChallengeNotice)
        .where(ChallengeNotice.status == NoticeStatus.OPEN, ChallengeNotice.ends_on < today)
        .order_by(ChallengeNotice.id)
    ).all()
    confirmed = waiting = 0
    for notice in due:
        if pending := unanswered(notice):
            waiting += 1
            item = notice.item
            tell_users(
                org_user_ids(item.batch.issuer_org_id),
                f"challenge_notice:{notice.id}:waiting",
                f"《{item.title}》公示期已满，尚有{len(pending)}件异议未答复",
                "请答复全部异议后，结果方可确认。",
                item,
                "challenge_notice.decide",
            )
            continue
        confirm_notice(notice, None, today)
        confirmed += 1
    return f"确认 {confirmed} 项公示，{waiting} 项等待答复异议"
