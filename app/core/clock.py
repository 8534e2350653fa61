"""Beijing time, in one place. Stored times are naive UTC; people, deadlines and forms use Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from app.core.errors import FieldError

CHINA_TZ = timezone(timedelta(hours=8))


def to_utc(local: datetime) -> datetime:
    """A naive Beijing wall-clock time (a form input, a Beijing midnight) as naive UTC."""
    return local.replace(tzinfo=CHINA_TZ).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    """A stored naive-UTC time as naive Beijing wall-clock time."""
    return utc.replace(tzinfo=UTC).astimezone(CHINA_TZ).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The Beijing date of a naive-UTC moment (a job's `now`): deadlines and digests go by Beijing days."""
    return to_local(moment).date()


def local_today() -> date:
    """Today in Beijing, whatever zone the server's clock is in."""
    return datetime.now(CHINA_TZ).date()


def form_day(value, field: str, label: str) -> date:
    """A date typed into a form (YYYY-MM-DD) or given as a date; FieldError on `field`, in Chinese, otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise FieldError(field, f"请填写{label}（格式：2026-01-31）") from None


def past_day(value, field: str, label: str) -> date:
    """A form date that is not after today in Beijing: when money was paid, a contract signed, a result
    accepted."""
    day = form_day(value, field, label)
    if day > local_today():
        raise FieldError(field, f"{label}不能晚于今天")
    return day
