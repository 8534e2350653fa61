"""Chinese working days for the 公示期: the chinese-calendar package (statutory holidays and 调休 working weekends
as the State Council announces them each year) plus the admins' WorkdayOverride table.

The rule for a day: an override row wins; otherwise the package decides; for a year the package does not know
yet (it raises NotImplementedError) Monday to Friday are working days, and the admins' page warns that the year
needs its holidays entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa

from app.challenges.notice.models import WorkdayOverride
from app.core.errors import FieldError, ValidationFailed
from app.core.models import utcnow
from app.extensions import db

# A notice period of 15 working days never spans more than this many calendar days (春节 included).
SEARCH_DAYS = 120
NOTE_MAX = 100
YEAR_MIN, YEAR_MAX = 2004, 2099


def package_covers(year: int) -> bool:
    """chinese-calendar has the holidays and 调休 of this year."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class _Days:
    """Answers is_workday for many days with one query of overrides per year."""

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}

    def overrides(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            rows = db.session.execute(
                sa.select(WorkdayOverride.day, WorkdayOverride.is_workday).where(
                    WorkdayOverride.day >= date(year, 1, 1), WorkdayOverride.day <= date(year, 12, 31)
                )
            )
            self._overrides[year] = {day: working for day, working in rows}
        return self._overrides[year]

    def is_workday(self, day: date) -> bool:
        override = self.overrides(day.year).get(day)
        if override is not None:
            return override
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5


def is_workday(day: date) -> bool:
    """Whether `day` is a working day in China: an override row, else the package, else Monday to Friday."""
    return _Days().is_workday(day)


def first_working_day(start: date) -> date:
    """`start` itself when it is a working day, else the next working day after it."""
    days = _Days()
    for offset in range(SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if days.is_workday(day):
            return day
    raise ValidationFailed("所选日期之后很长时间内没有工作日，请检查工作日表的设置")


def add_working_days(start: date, n: int) -> date:
    """The date of the n-th working day counting from `start`, where `start` itself counts as the first when it
    is a working day (n=1 gives first_working_day(start)).

    This is the rule of the 公示期: a notice published on a date runs for n working days starting from the
    first working day on or after the publication date, whatever the hour of publication, and users see the
    end date. Published on Wednesday 2026-09-30 for 5 working days: 9/30, 10/8, 10/9, 10/10 (a 国庆 调休
    Saturday) and 10/12, so it ends on 2026-10-12."""
    if n < 1:
        raise ValueError("n must be at least 1")
    days = _Days()
    counted = 0
    for offset in range(SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if days.is_workday(day):
            counted += 1
            if counted == n:
                return day
    raise ValidationFailed("所选日期之后很长时间内没有足够的工作日，请检查工作日表的设置")


def notice_period(published_on: date, working_days: int) -> tuple[date, date]:
    """(starts_on, ends_on) of a 公示 of `working_days` working days published on `published_on`."""
    return first_working_day(published_on), add_working_days(published_on, working_days)


def years_needing_entries(first: date, last: date) -> list[int]:
    """The years from `first` to `last` that the package does not know and the admins have not entered: their
    days are counted as Monday to Friday, which misses holidays and 调休."""
    return [y for y in range(first.year, last.year + 1) if not package_covers(y) and not _Days().overrides(y)]


# --- the admins' table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearCoverage:
    year: int
    package: bool  # chinese-calendar knows the year
    entries: int  # override rows for the year

    @property
    def needs_entries(self) -> bool:
        return not self.package and self.entries == 0


def year_coverage(years) -> list[YearCoverage]:
    """For each year: whether the package covers it and how many override rows it has."""
    rows = db.session.execute(
        sa.select(sa.extract("year", WorkdayOverride.day).label("y"), sa.func.count()).group_by("y")
    )
    counts = {int(y): n for y, n in rows}
    return [YearCoverage(y, package_covers(y), counts.get(y, 0)) for y in years]


def overrides_in(year: int) -> list[WorkdayOverride]:
    return list(
        db.session.scalars(
            sa.select(WorkdayOverride)
            .where(WorkdayOverride.day >= date(year, 1, 1), WorkdayOverride.day <= date(year, 12, 31))
            .order_by(WorkdayOverride.day)
        )
    )


def set_workday_override(day: date | None, is_workday_value: bool, note: str | None, actor) -> WorkdayOverride:
    """Add or change the override of one day (上班 or 放假) with a short note (e.g. 国庆节, 国庆调休上班)."""
    if day is None:
        raise FieldError("day", "请选择日期")
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise FieldError("day", f"日期须在 {YEAR_MIN} 年至 {YEAR_MAX} 年之间")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise FieldError("note", f"说明不能超过{NOTE_MAX}个字")
    row = db.session.get(WorkdayOverride, day) or WorkdayOverride(day=day)
    row.is_workday = bool(is_workday_value)
    row.note = note
    row.set_by_id = actor.id
    row.set_at = utcnow()
    db.session.add(row)
    db.session.flush()
    return row


def remove_workday_override(day: date) -> bool:
    """Remove a day's override (the package or Monday to Friday decide again); False when there was none."""
    row = db.session.get(WorkdayOverride, day)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def package_default(day: date) -> str:
    """What the package (or the Monday-to-Friday fallback) says of a day without its override, for the admins."""
    try:
        working = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return "未收录（按周一至周五：" + ("上班" if day.weekday() < 5 else "休息") + "）"
    _, name = chinese_calendar.get_holiday_detail(day)
    label = "上班" if working else "放假"
    return f"{label}（{chinese_calendar.Holiday(name).chinese}）" if name else label
