"""The organiser's meeting settings: slot length, time windows, tables, and the answer deadline.
Slots are cut from the windows; saving keeps the slots (and blocks on them) that still fit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.clock import to_utc
from app.core.errors import FieldError, InvalidTransition
from app.core.web import local_time
from app.events.meetings.models import Meeting, MeetingHold, MeetingSettings, MeetingSlot, MeetingTable, MeetingWindow
from app.events.models import Event
from app.extensions import db

SLOT_MINUTES = (5, 240)
ANSWER_HOURS = (1, 720)
MAX_TABLES = 200
MAX_WINDOWS = 20
TABLE_NAME_MAX = 30
_WINDOW = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})\s*[-–—~～至到]\s*(\d{1,2}):(\d{2})$")
_TABLE_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Window:
    starts_at: datetime  # naive UTC
    ends_at: datetime


def parse_windows(text: str) -> list[Window]:
    """One window a line, Beijing time: "2026-12-20 14:00-17:00". Returned in UTC, sorted."""
    windows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = _WINDOW.match(line)
        try:
            if m is None:
                raise ValueError
            y, mo, d, h1, m1, h2, m2 = (int(g) for g in m.groups())
            start, end = to_utc(datetime(y, mo, d, h1, m1)), to_utc(datetime(y, mo, d, h2, m2))
        except (ValueError, OverflowError):
            raise FieldError("windows", f"第 {number} 行格式不对，请写成“2026-12-20 14:00-17:00”") from None
        if end <= start:
            raise FieldError("windows", f"第 {number} 行的结束时间须晚于开始时间")
        windows.append(Window(start, end))
    if not windows:
        raise FieldError("windows", "请至少填写一个洽谈时间段")
    if len(windows) > MAX_WINDOWS:
        raise FieldError("windows", f"洽谈时间段不能超过 {MAX_WINDOWS} 个")
    windows.sort(key=lambda w: w.starts_at)
    for before, after in zip(windows, windows[1:], strict=False):
        if after.starts_at < before.ends_at:
            raise FieldError("windows", "洽谈时间段之间不能重叠")
    return windows


def parse_tables(text: str) -> list[str]:
    """A number N gives tables named 1..N; otherwise the names as listed (comma, 、 or one a line)."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit():
        count = int(text) if len(text) <= 4 else 0
        if not 1 <= count <= MAX_TABLES:
            raise FieldError("tables", f"洽谈桌数量须在 1 到 {MAX_TABLES} 之间")
        return [str(i) for i in range(1, count + 1)]
    names = [n for n in _TABLE_SPLIT.split(text) if n]
    if not names:
        raise FieldError("tables", "请填写洽谈桌数量或名称")
    if len(names) > MAX_TABLES:
        raise FieldError("tables", f"洽谈桌不能超过 {MAX_TABLES} 张")
    if any(len(n) > TABLE_NAME_MAX for n in names):
        raise FieldError("tables", f"洽谈桌名称不能超过 {TABLE_NAME_MAX} 个字")
    if len(set(names)) != len(names):
        raise FieldError("tables", "洽谈桌名称不能重复")
    return names


def slot_starts(windows: list[Window], minutes: int) -> list[tuple[datetime, datetime]]:
    step, slots = timedelta(minutes=minutes), []
    for w in windows:
        t = w.starts_at
        while t + step <= w.ends_at:
            slots.append((t, t + step))
            t += step
    return slots


def _in_range(value: int | None, bounds: tuple[int, int], field: str, label: str) -> int:
    low, high = bounds
    if value is None or not low <= value <= high:
        raise FieldError(field, f"{label}须在 {low} 到 {high} 之间")
    return value


def _layout(event: Event) -> tuple[int | None, list[tuple[datetime, datetime]], list[str]]:
    settings = db.session.get(MeetingSettings, event.id)
    slots = db.session.execute(
        sa.select(MeetingSlot.starts_at, MeetingSlot.ends_at)
        .where(MeetingSlot.event_id == event.id)
        .order_by(MeetingSlot.starts_at)
    ).all()
    tables = db.session.scalars(
        sa.select(MeetingTable.name).where(MeetingTable.event_id == event.id).order_by(MeetingTable.position)
    ).all()
    return (settings.slot_minutes if settings else None), [tuple(s) for s in slots], list(tables)


def has_meetings(event: Event) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Meeting.event_id == event.id)))


def save_meeting_settings(
    event: Event, slot_minutes: int | None, answer_hours: int | None, tables_text: str, windows_text: str
) -> MeetingSettings:
    """Set the meeting layout. Windows must lie within the event's time and each hold at least one slot.
    Once a meeting is booked the layout (slot length, windows, tables) is fixed; the answer deadline
    (hours after sending) can still change and applies to requests sent from then on."""
    slot_minutes = _in_range(slot_minutes, SLOT_MINUTES, "slot_minutes", "每场时长（分钟）")
    answer_hours = _in_range(answer_hours, ANSWER_HOURS, "answer_hours", "答复期限（小时）")
    windows = parse_windows(windows_text)
    names = parse_tables(tables_text)
    if windows[0].starts_at < event.starts_at or windows[-1].ends_at > event.ends_at:
        raise FieldError("windows", "洽谈时间段须在活动时间之内")
    desired = slot_starts(windows, slot_minutes)
    if not desired:
        raise FieldError("windows", "时间段太短，放不下一场洽谈")
    if has_meetings(event) and _layout(event) != (slot_minutes, desired, names):
        raise InvalidTransition("已有洽谈安排，不能再修改时长、时间段和洽谈桌（答复期限仍可修改）")
    settings = db.session.get(MeetingSettings, event.id) or MeetingSettings(event_id=event.id)
    settings.slot_minutes, settings.answer_hours = slot_minutes, answer_hours
    db.session.add(settings)
    _sync_windows(event, windows)
    _sync_slots(event, desired)
    _sync_tables(event, names)
    db.session.flush()
    return settings


def _sync_windows(event: Event, windows: list[Window]) -> None:
    db.session.execute(sa.delete(MeetingWindow).where(MeetingWindow.event_id == event.id))
    db.session.add_all(MeetingWindow(event_id=event.id, starts_at=w.starts_at, ends_at=w.ends_at) for w in windows)


def _sync_slots(event: Event, desired: list[tuple[datetime, datetime]]) -> None:
    """Keep slots that start at the same time (their blocks stay), drop the others, add the new ones."""
    ends_by_start = dict(desired)
    existing = {
        s.starts_at: s for s in db.session.scalars(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id))
    }
    gone = [s.id for start, s in existing.items() if start not in ends_by_start]
    if gone:
        db.session.execute(sa.delete(MeetingHold).where(MeetingHold.slot_id.in_(gone)))
        db.session.execute(sa.delete(MeetingSlot).where(MeetingSlot.id.in_(gone)))
    for start, end in desired:
        slot = existing.get(start)
        if slot is None:
            db.session.add(MeetingSlot(event_id=event.id, starts_at=start, ends_at=end))
        else:
            slot.ends_at = end


def _sync_tables(event: Event, names: list[str]) -> None:
    existing = {t.name: t for t in db.session.scalars(sa.select(MeetingTable).where(MeetingTable.event_id == event.id))}
    for name, table in existing.items():
        if name not in names:
            db.session.delete(table)
    db.session.flush()
    for position, name in enumerate(names, start=1):
        table = existing.get(name) or MeetingTable(event_id=event.id, name=name)
        table.position = position
        db.session.add(table)


def settings_form_data(event: Event) -> dict:
    """The saved settings as the form shows them (Beijing time); before any, an afternoon of the first day."""
    settings = db.session.get(MeetingSettings, event.id)
    if settings is None:
        return {"windows": f"{local_time(event.starts_at, '%Y-%m-%d')} 14:00-17:00"}
    windows = db.session.scalars(
        sa.select(MeetingWindow).where(MeetingWindow.event_id == event.id).order_by(MeetingWindow.starts_at)
    )
    lines = [f"{local_time(w.starts_at)}-{local_time(w.ends_at, '%H:%M')}" for w in windows]
    _, _, tables = _layout(event)
    numbered = tables == [str(i) for i in range(1, len(tables) + 1)]
    return {
        "slot_minutes": settings.slot_minutes,
        "answer_hours": settings.answer_hours,
        "tables": str(len(tables)) if numbered else "、".join(tables),
        "windows": "\n".join(lines),
    }
