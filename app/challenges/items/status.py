"""Who may run a 榜单, and where an item stands now: one definition for pages, services and jobs.

The issuer's desk is open to the issuing organisation's members and to platform admins. An item collecting
applications shows 评审中 as soon as its batch's deadline (end of `closes_on`, Beijing) has passed, whether or
not the hourly job has written the new status yet.
"""

from __future__ import annotations

from datetime import date

from flask import abort

from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.core.challenge_enums import BatchStatus, ItemStatus
from app.core.clock import local_today


def can_manage(user, batch: ChallengeBatch) -> bool:
    """The issuer's members and platform admins run a batch and its items."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_platform_admin or (user.org_id is not None and user.org_id == batch.issuer_org_id)


def managed_or_404(user, batch: ChallengeBatch | None) -> ChallengeBatch:
    """The batch if this user runs it; otherwise a 404 (another organisation's desk does not exist for them)."""
    if batch is None or not can_manage(user, batch):
        abort(404)
    return batch


def is_public(item: ChallengeItem) -> bool:
    """Visible to everyone: the batch is published and the item has left its draft."""
    return item.batch.status == BatchStatus.PUBLISHED and item.status not in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)


def current_status(item: ChallengeItem, today: date | None = None) -> ItemStatus:
    """The status to show and act on: COLLECTING reads as REVIEWING once the deadline has passed."""
    today = today or local_today()
    if item.status == ItemStatus.COLLECTING and today > item.batch.closes_on:
        return ItemStatus.REVIEWING
    return item.status


def accepting_applications(item: ChallengeItem, today: date | None = None) -> bool:
    """揭榜 is open: published, collecting, and today within the batch's window (Beijing dates, inclusive)."""
    today = today or local_today()
    batch = item.batch
    return (
        batch.status == BatchStatus.PUBLISHED
        and item.status == ItemStatus.COLLECTING
        and batch.opens_on <= today <= batch.closes_on
    )
