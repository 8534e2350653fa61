"""Scheduled docking work (declared in app/jobs.py): flush, never commit; idempotent."""

from __future__ import annotations

from datetime import datetime

from app.docking.followups import send_docking_follow_ups
from app.docking.services import expire_docking_requests, remind_expiring_requests


def expire_requests(now: datetime) -> str:
    """Expire unanswered requests past their deadline; remind recipients shortly before it."""
    expired = expire_docking_requests(now)
    reminded = remind_expiring_requests(now)
    return f"过期 {expired} 条，提醒 {reminded} 条"


def send_follow_ups(now: datetime) -> int:
    return send_docking_follow_ups(now)
