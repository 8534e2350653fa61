"""The organiser's approval queue, for events that require approval.

Pending registrations hold no seat; approval confirms them when seats are left and otherwise puts them on
the waitlist, keeping their original queue number, so approval never jumps anyone ahead of earlier arrivals.
Runs under the event's lock, like every change to seats.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.core.enums import NotificationKind, RegistrationStatus
from app.core.errors import ValidationFailed
from app.events.locking import lock_event
from app.events.models import Event, Registration
from app.events.waitlist import confirm, seats_fit, set_status, tell
from app.extensions import db

R = RegistrationStatus
REASON_MAX = 500


def _pending(event: Event, registration_ids: Iterable[int]) -> tuple[list[Registration], list[str]]:
    ids = list(dict.fromkeys(registration_ids))
    found = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .execution_options(populate_existing=True)
        )
    }
    regs, problems = [], []
    for rid in ids:
        reg = found.get(rid)
        if reg is None:
            problems.append(f"报名 #{rid} 不存在")
        elif reg.status != R.PENDING:
            problems.append(f"{reg.org.name if reg.org else '#' + str(rid)} 的报名当前为“{reg.status.label}”，无需审核")
        else:
            regs.append(reg)
    return regs, problems


def approve_registrations(event: Event, registration_ids: Iterable[int], actor) -> tuple[list[Registration], list[str]]:
    """Approve pending registrations in queue order: confirmed while seats last, then waitlisted.
    Returns (approved, problems) — registrations not pending are reported, not failed."""
    event = lock_event(event.id)
    regs, problems = _pending(event, registration_ids)
    for reg in sorted(regs, key=lambda r: r.queue_no):
        if seats_fit(event, reg, reg.seats):
            confirm(event, reg, actor, "审核通过")
            body = f"您机构的报名（{reg.seats} 人）已审核通过，请凭电子票入场。"
        else:
            set_status(reg, R.WAITLISTED, actor, "审核通过，名额已满转候补")
            body = "您机构的报名已审核通过，但名额已满，已进入候补名单，有空位时将按顺序自动转正。"
        tell(reg, NotificationKind.EVENT_APPROVED, "approved", f"报名审核通过：{event.title}", body)
    return regs, problems


def reject_registrations(
    event: Event, registration_ids: Iterable[int], actor, reason: str | None
) -> tuple[list[Registration], list[str]]:
    """Reject pending registrations; a reason is required and is shown to the registrant."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写未通过的原因，报名单位会看到这条说明", errors={"reason": "请填写原因"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"原因不超过 {REASON_MAX} 字", errors={"reason": f"不超过 {REASON_MAX} 字"})
    event = lock_event(event.id)
    regs, problems = _pending(event, registration_ids)
    for reg in regs:
        reg.reject_reason = reason
        set_status(reg, R.REJECTED, actor, reason)
        tell(reg, NotificationKind.EVENT_REJECTED, "rejected", f"报名未通过：{event.title}", f"原因：{reason}")
    return regs, problems
