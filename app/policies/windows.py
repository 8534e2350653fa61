"""Which policy items take applications on a day, in SQL (the twin of evaluation.is_open).

Kept apart from services.py so the push (push.py), which services calls when a policy is published, can use it
too without an import cycle.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.policy_enums import PolicyStatus
from app.policies.models import Policy, PolicyItem


def open_items_filter(today: date):
    """The SQL twin of evaluation.is_open: published, in force, and today inside the item's window."""
    return sa.and_(
        Policy.status == PolicyStatus.PUBLISHED,
        sa.or_(Policy.expires_on.is_(None), Policy.expires_on >= today),
        sa.or_(PolicyItem.opens_on.is_(None), PolicyItem.opens_on <= today),
        sa.or_(PolicyItem.closes_on.is_(None), PolicyItem.closes_on >= today),
    )
