"""An event as an iCalendar (.ics) file: times in UTC (stored naive UTC), so every calendar app shows them
correctly in its own zone — Beijing time for our users."""

from __future__ import annotations

from datetime import UTC

import icalendar

from app.core.models import utcnow
from app.events.models import Event


def event_ics(event: Event, url: str, host: str = "lianqiao") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Lianqiao//Events//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    item = icalendar.Event()
    item.add("uid", f"event-{event.id}@{host}")
    item.add("dtstamp", utcnow().replace(tzinfo=UTC))
    item.add("dtstart", event.starts_at.replace(tzinfo=UTC))
    item.add("dtend", event.ends_at.replace(tzinfo=UTC))
    item.add("summary", event.title)
    if location := event.venue or event.online_url:
        item.add("location", location)
    description = event.description or ""
    if event.online_url:
        description = f"{description}\n线上参会：{event.online_url}".strip()
    item.add("description", f"{description}\n\n活动页面：{url}".strip())
    item.add("url", url)
    item.add("status", "CANCELLED" if event.status.value == "cancelled" else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()
