"""What the challenge pages read: the public 榜单 list, one public batch or item (drafts and withdrawn ones do not
exist for the public), the issuer's desk, and links to the other challenge areas' pages when they exist."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, url_for
from sqlalchemy.orm import selectinload

from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.challenges.items.status import current_status, is_public, managed_or_404
from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus
from app.core.clock import local_today
from app.extensions import db

# The issuer's next steps on an item, in the order the work happens: (endpoint, label).
DESK_LINKS = (
    ("challenge_applications.invites", "推荐揭榜方与邀请"),
    ("challenge_review.screening", "揭榜申请与形式审查"),
    ("challenge_review.setup", "专家评审设置"),
    ("challenge_notice.decide", "揭榜结果与公示"),
    ("challenge_delivery.desk", "任务书、里程碑与验收"),
)
BADGE = {
    ItemStatus.DRAFT: "text-bg-secondary",
    ItemStatus.COLLECTING: "text-bg-success",
    ItemStatus.REVIEWING: "text-bg-primary",
    ItemStatus.NOTICE: "text-bg-warning",
    ItemStatus.IMPLEMENTING: "text-bg-info",
    ItemStatus.ACCEPTED: "text-bg-dark",
    ItemStatus.FAILED: "text-bg-light border",
    ItemStatus.ENDED: "text-bg-light border",
    ItemStatus.WITHDRAWN: "text-bg-light border",
}


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def desk_links(item: ChallengeItem) -> list[tuple[str, str]]:
    """(label, url) of the other areas' desk pages for this item, those that exist in this build."""
    return [(label, url_for(name, item_id=item.id)) for name, label in DESK_LINKS if has_endpoint(name)]


def _with_items(stmt):
    return stmt.options(selectinload(ChallengeBatch.items), selectinload(ChallengeBatch.issuer))


@dataclass
class BatchRow:
    batch: ChallengeBatch
    items: list[ChallengeItem]


def public_batches(status: str | None = None, mode: str | None = None) -> list[BatchRow]:
    """Published batches, newest first, each with its public items that pass the filters (status as shown
    today: a collecting item past its deadline counts as 评审中); batches left with no item are left out."""
    today = local_today()
    batches = db.session.scalars(
        _with_items(sa.select(ChallengeBatch))
        .where(ChallengeBatch.status == BatchStatus.PUBLISHED)
        .order_by(ChallengeBatch.published_at.desc(), ChallengeBatch.id.desc())
    ).all()
    rows = []
    for batch in batches:
        items = [
            item
            for item in batch.items
            if is_public(item)
            and (not status or current_status(item, today).value == status)
            and (not mode or item.mode == ChallengeMode(mode))
        ]
        if items:
            rows.append(BatchRow(batch, items))
    return rows


def public_batch_or_404(batch_id: int) -> BatchRow:
    batch = db.session.get(ChallengeBatch, batch_id)
    if batch is None or batch.status != BatchStatus.PUBLISHED:
        abort(404)
    return BatchRow(batch, [item for item in batch.items if is_public(item)])


def public_item_or_404(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None or not is_public(item):
        abort(404)
    return item


def desk_batches(user) -> list[ChallengeBatch]:
    """The batches this user runs: their organisation's; platform admins see every batch."""
    stmt = _with_items(sa.select(ChallengeBatch)).order_by(ChallengeBatch.created_at.desc(), ChallengeBatch.id.desc())
    if not user.is_platform_admin:
        stmt = stmt.where(ChallengeBatch.issuer_org_id == user.org_id)
    return db.session.scalars(stmt).all()


def managed_batch_or_404(user, batch_id: int) -> ChallengeBatch:
    return managed_or_404(user, db.session.get(ChallengeBatch, batch_id))


def managed_item_or_404(user, item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None:
        abort(404)
    managed_or_404(user, item.batch)
    return item
