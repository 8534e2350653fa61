"""A firm's own marks on a policy item: 关注, 已申报, 已获批 with the amount, the rating after 获批, and when it
first viewed the item.

Every service takes the acting firm and an item id: it reads and writes only that firm's row, so another
firm's mark cannot be reached at all; an item the public may not see is a 404. Each mark states the wanted
state ("watch: on"), so a form sent twice leaves the row as the first one did.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import FieldError, InvalidTransition
from app.core.models import utcnow
from app.extensions import db
from app.organizations.models import Organization
from app.policies.firm import get_visible_item
from app.policies.marks import PolicyMark
from app.policies.models import PolicyItem

AMOUNT_MAX = Decimal("999999999999.99")  # Numeric(14, 2)


def amount_error(text) -> str | None:
    """The Chinese message for an approved amount (万元) that cannot be stored, or None."""
    if text is None or str(text).strip() == "":
        return "请填写获批金额（万元）"
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation:
        return "获批金额应为数字（万元）"
    if not amount.is_finite():
        return "获批金额应为数字（万元）"
    if amount < 0:
        return "获批金额不能为负数"
    if amount > AMOUNT_MAX:
        return "获批金额过大，请以万元为单位填写"
    if amount != amount.quantize(Decimal("0.01")):
        return "获批金额最多保留两位小数"
    return None


def _mark(org: Organization, item: PolicyItem) -> PolicyMark:
    """The firm's row for the item, made on first need; a concurrent first insert is read back, not doubled."""
    where = (PolicyMark.org_id == org.id, PolicyMark.item_id == item.id)
    mark = db.session.scalar(sa.select(PolicyMark).where(*where))
    if mark is not None:
        return mark
    try:
        with db.session.begin_nested():
            mark = PolicyMark(org_id=org.id, item_id=item.id)
            db.session.add(mark)
    except IntegrityError:
        mark = db.session.scalar(sa.select(PolicyMark).where(*where))
    return mark


def record_views(org: Organization, items) -> int:
    """A member of the firm opened the items' page: the first time is kept, later visits change nothing."""
    count = 0
    for item in items:
        mark = _mark(org, item)
        if mark.first_viewed_at is None:
            mark.first_viewed_at = utcnow()
            count += 1
    db.session.flush()
    return count


def set_watched(org: Organization, item_id: int, on: bool) -> PolicyMark:
    mark = _mark(org, get_visible_item(item_id))
    if on and mark.watched_at is None:
        mark.watched_at = utcnow()
    elif not on:
        mark.watched_at = None
    db.session.flush()
    return mark


def set_applied(org: Organization, item_id: int, on: bool) -> PolicyMark:
    """已申报 on or off; an approved item stays applied (withdraw the approval first)."""
    mark = _mark(org, get_visible_item(item_id))
    if not on and mark.approved:
        raise InvalidTransition("该事项已标记获批，请先撤销“已获批”再撤销“已申报”")
    if on and mark.applied_at is None:
        mark.applied_at = utcnow()
    elif not on:
        mark.applied_at = None
    db.session.flush()
    return mark


def set_approved(org: Organization, item_id: int, amount) -> PolicyMark:
    """已获批 with the amount in 万元 (≥ 0, two decimals), which also marks 已申报; None withdraws the approval
    and its rating."""
    mark = _mark(org, get_visible_item(item_id))
    if amount is None:
        mark.approved_at = mark.approved_amount_wan = mark.rating = mark.rated_at = None
        db.session.flush()
        return mark
    if message := amount_error(amount):
        raise FieldError("amount", message)
    now = utcnow()
    mark.applied_at = mark.applied_at or now
    mark.approved_at = mark.approved_at or now
    mark.approved_amount_wan = Decimal(str(amount).strip())
    db.session.flush()
    return mark


def rate_item(org: Organization, item_id: int, rating: int) -> PolicyMark:
    """满意度 1–5, once the firm has marked 已获批; rating again replaces the score."""
    mark = _mark(org, get_visible_item(item_id))
    if not mark.approved:
        raise InvalidTransition("标记“已获批”后才能评价满意度")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise FieldError("rating", "满意度应为 1 至 5 分")
    if mark.rating != rating:
        mark.rating = rating
        mark.rated_at = utcnow()
    db.session.flush()
    return mark
