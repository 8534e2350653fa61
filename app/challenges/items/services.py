"""The 榜单 lifecycle: create and edit a batch, publish it (its items start collecting 揭榜 applications, each
on a published 研发需求 posting with the 揭榜挂帅 flag), withdraw it, and the hourly job that moves items whose
deadline has passed into review.

Services flush, never commit: the view or the job runner commits once. Every status change writes its audit row
(record_change); every change to a backing posting bumps its version and writes a search-outbox row, so search and
matching see the challenge like any other need.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.challenges.items.status import current_status
from app.core.challenge_enums import BatchStatus, ItemStatus
from app.core.clock import local_date, local_today
from app.core.enums import NotificationKind, PostingKind, PostingStatus
from app.core.errors import DomainError, InvalidTransition, ValidationFailed
from app.core.models import add_once, record_change, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.postings.models import Posting
from app.postings.schema import BODY_MAX
from app.postings.services import touch_posting

I = ItemStatus  # noqa: E741
# Items whose outcome is (being) decided: a batch holding one can no longer be withdrawn.
DECIDED = frozenset({I.NOTICE, I.IMPLEMENTING, I.ACCEPTED, I.ENDED})
LIVE = frozenset({I.COLLECTING, I.REVIEWING})


class DuplicateBatch(DomainError):
    """The same "new batch" form arrived twice; `batch` is what the first one created."""

    code = "duplicate_submission"
    status = 409

    def __init__(self, batch: ChallengeBatch):
        super().__init__("该榜单已经创建过了，请勿重复提交")
        self.batch = batch


# --- the batch --------------------------------------------------------------------------------


def _window_errors(batch: ChallengeBatch | None, data: dict, today: date) -> dict[str, str]:
    """Clear Chinese reasons for a window that cannot be used; empty when it can."""
    opens_on, closes_on = data["opens_on"], data["closes_on"]
    errors: dict[str, str] = {}
    if closes_on < opens_on:
        errors["closes_on"] = "征集截止日期不能早于开始日期"
    published = batch is not None and batch.status == BatchStatus.PUBLISHED
    if published and opens_on != batch.opens_on and batch.opens_on <= today:
        errors["opens_on"] = "征集已经开始，开始日期不能再修改"
    if batch is None or closes_on != batch.closes_on:
        if closes_on < today:
            errors.setdefault("closes_on", "征集截止日期已过，请选择今天或以后的日期")
        elif published and any(item.status not in (I.DRAFT, I.COLLECTING) for item in batch.items):
            errors.setdefault("closes_on", "已有项目进入评审，截止日期不能再修改")
    return errors


def _by_token(form_token: str) -> ChallengeBatch | None:
    return db.session.scalar(sa.select(ChallengeBatch).where(ChallengeBatch.form_token == form_token))


def create_batch(org, actor, data: dict, form_token: str | None = None) -> ChallengeBatch:
    """A draft 榜单 of `org`. The window must not end before it starts nor lie in the past. A form_token seen
    before raises DuplicateBatch with the first batch."""
    if form_token and (existing := _by_token(form_token)):
        raise DuplicateBatch(existing)
    if errors := _window_errors(None, data, local_today()):
        raise ValidationFailed(errors=errors)
    batch = ChallengeBatch(
        issuer_org_id=org.id, status=BatchStatus.DRAFT, created_by_id=getattr(actor, "id", None), form_token=form_token
    )
    _copy_batch(batch, data)
    if first := add_once(batch, form_token):
        raise DuplicateBatch(first)
    record_change("challenge_batch", batch.id, None, BatchStatus.DRAFT, actor, "创建榜单")
    db.session.flush()
    return batch


def _copy_batch(batch: ChallengeBatch, data: dict) -> None:
    for name in ("title", "description", "opens_on", "closes_on"):
        setattr(batch, name, data[name])


def update_batch(batch: ChallengeBatch, actor, data: dict) -> ChallengeBatch:
    """Edit a batch. Once published, the opening date stays once reached and the deadline may only move while
    no item is in review; the backing postings follow a new deadline."""
    if batch.status == BatchStatus.WITHDRAWN:
        raise InvalidTransition("已撤回的榜单不能修改")
    if errors := _window_errors(batch, data, local_today()):
        raise ValidationFailed(errors=errors)
    _copy_batch(batch, data)
    db.session.flush()
    if batch.status == BatchStatus.PUBLISHED:
        for item in batch.items:
            if item.status == I.COLLECTING:
                sync_posting(item, actor)
    return batch


def item_problems(item: ChallengeItem) -> list[str]:
    """Why an item is not ready to collect applications (empty when it is)."""
    problems = []
    if not item.indicators:
        problems.append("至少要有一项考核指标")
    if not item.keywords or not item.industry:
        problems.append("请填写关键词和所属行业（揭榜项目以研发需求的形式进入搜索和匹配）")
    if sum(t.percent for t in item.tranches) != 100:
        problems.append("付款计划各期比例之和应为 100%")
    if item.complete_by <= item.batch.closes_on:
        problems.append("完成时限应晚于征集截止日期")
    return problems


def publish_batch(batch: ChallengeBatch, actor) -> None:
    """Draft → published. Needs at least one item, every item complete and a deadline not yet passed; each item
    starts collecting on its published 揭榜挂帅 need posting."""
    if batch.status != BatchStatus.DRAFT:
        raise InvalidTransition(f"榜单当前状态为“{batch.status.label}”，不能发布")
    if not batch.items:
        raise ValidationFailed("榜单中至少要有一个填写完整的项目才能发布")
    problems = [f"《{item.title}》：{'；'.join(p)}" for item in batch.items if (p := item_problems(item))]
    if problems:
        raise ValidationFailed("以下项目尚不完整，请修改后再发布：" + "　".join(problems))
    if batch.closes_on < local_today():
        raise ValidationFailed("征集截止日期已过，请先修改截止日期再发布")
    batch.status = BatchStatus.PUBLISHED
    batch.published_at = utcnow()
    record_change("challenge_batch", batch.id, BatchStatus.DRAFT, BatchStatus.PUBLISHED, actor, "发布榜单")
    for item in batch.items:
        go_live(item, actor)
    db.session.flush()


def go_live(item: ChallengeItem, actor) -> None:
    """A draft item of a published batch: DRAFT → COLLECTING, its backing posting published."""
    if item.status != I.DRAFT:
        return
    item.status = I.COLLECTING
    record_change("challenge_item", item.id, I.DRAFT, I.COLLECTING, actor, "随榜单发布，开始征集")
    sync_posting(item, actor)


def withdraw_batch(batch: ChallengeBatch, actor, reason: str) -> None:
    """撤榜: the batch and its open items are withdrawn and their postings closed. Refused once any item has a
    proposed or confirmed result (公示 and later)."""
    if batch.status != BatchStatus.PUBLISHED:
        raise InvalidTransition(f"榜单当前状态为“{batch.status.label}”，不能撤回")
    decided = [item.title for item in batch.items if item.status in DECIDED]
    if decided:
        raise InvalidTransition("以下项目已公示或进入实施，榜单不能撤回：" + "、".join(decided))
    batch.status = BatchStatus.WITHDRAWN
    record_change("challenge_batch", batch.id, BatchStatus.PUBLISHED, BatchStatus.WITHDRAWN, actor, reason)
    for item in batch.items:
        if item.status in (I.DRAFT, *LIVE):
            before, item.status = item.status, I.WITHDRAWN
            record_change("challenge_item", item.id, before, I.WITHDRAWN, actor, reason)
            if item.posting is not None and item.posting.status == PostingStatus.PUBLISHED:
                _set_posting_status(item.posting, PostingStatus.CLOSED, actor, "揭榜项目撤榜")
    db.session.flush()


# --- the backing posting ----------------------------------------------------------------------


def posting_body(item: ChallengeItem) -> str:
    """The need's text written from the item: goal, indicators, deadline, background."""
    lines = [f"攻关目标：{item.goal}", "", "考核指标："]
    for n, ind in enumerate(item.indicators, start=1):
        how = f"（{ind.verification}）" if ind.verification else ""
        lines.append(f"{n}. {ind.name}：{ind.target}{ind.unit or ''}{how}")
    lines += ["", f"完成时限：{item.complete_by:%Y年%m月%d日}", f"揭榜方式：{item.mode.label}"]
    if item.background:
        lines += ["", f"需求背景：{item.background}"]
    return "\n".join(lines)[:BODY_MAX]


def sync_posting(item: ChallengeItem, actor) -> Posting:
    """Create or update the item's published 研发需求 (揭榜挂帅 flag, reward = funding, deadline = the batch's),
    owned by the issuer; a promoted need keeps its ref, keywords (when the item has none) and matches."""
    org = item.batch.issuer
    posting = item.posting
    if posting is None:
        posting = Posting(kind=PostingKind.NEED, org_id=org.id, status=PostingStatus.DRAFT, version=0)
        posting.created_by_id = getattr(actor, "id", None)
        db.session.add(posting)
        item.posting = posting
    posting.title = item.title
    posting.body = posting_body(item)
    posting.keywords = list(item.keywords or posting.keywords or [])
    posting.industry = item.industry or posting.industry
    posting.region = posting.region or org.region
    posting.challenge = True
    posting.reward_wan = item.funding_wan
    posting.ip_terms = item.ip_terms
    posting.deadline = item.batch.closes_on
    for attr in ("contact_name", "contact_phone", "contact_email"):
        if not getattr(posting, attr):
            setattr(posting, attr, getattr(org, attr))
    db.session.flush()
    if posting.status != PostingStatus.PUBLISHED:
        posting.published_at = posting.published_at or utcnow()
        _set_posting_status(posting, PostingStatus.PUBLISHED, actor, "揭榜挂帅项目发布")
    else:
        touch_posting(posting)
    db.session.flush()
    return posting


def _set_posting_status(posting: Posting, status: PostingStatus, actor, reason: str) -> None:
    before = posting.status
    posting.status = status
    record_change("posting", posting.id, before, status, actor, reason)
    touch_posting(posting)


# --- the deadline job -------------------------------------------------------------------------


def close_due_items(now: datetime) -> str:
    """征集截止: collecting items of published batches whose deadline (end of closes_on, Beijing) has passed move
    to REVIEWING, audited; the issuer's members are told once per item. Idempotent."""
    today = local_date(now)
    stmt = (
        sa.select(ChallengeItem)
        .join(ChallengeBatch)
        .where(
            ChallengeItem.status == I.COLLECTING,
            ChallengeBatch.status == BatchStatus.PUBLISHED,
            ChallengeBatch.closes_on < today,
        )
        .order_by(ChallengeItem.id)
        .with_for_update(skip_locked=True, of=ChallengeItem)
    )
    items = db.session.scalars(stmt).all()
    for item in items:
        if current_status(item, today) != I.REVIEWING:
            continue
        item.status = I.REVIEWING
        record_change("challenge_item", item.id, I.COLLECTING, I.REVIEWING, None, "征集截止，自动转入评审")
        notify(
            org_user_ids(item.batch.issuer_org_id),
            NotificationKind.CHALLENGE_APPLICATION,
            f"challenge:item:{item.id}:closed",
            f"揭榜项目《{item.title}》征集已截止，请开始形式审查",
            f"征集截止日期：{item.batch.closes_on:%Y-%m-%d}。",
            link_to("challenge_manage.item", item_id=item.id),
        )
    db.session.flush()
    return f"{len(items)} 个揭榜项目转入评审"
