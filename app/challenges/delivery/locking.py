"""The item's payment lock: every change to the money of an item (contract amounts, payments) happens while
holding it (app.core.locking), so two issuers' clerks recording at the same moment cannot both pass the limits:
the sums read next are the last committed ones and no other writer can change them before this commit."""

from __future__ import annotations

from app.challenges.items.models import ChallengeItem
from app.core.locking import lock_row


def lock_item(item_id: int) -> ChallengeItem:
    """Take the item's lock and return it as committed now."""
    return lock_row(ChallengeItem, item_id)
