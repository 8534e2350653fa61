"""An event's statistics for its organisers (and platform admins): registrations by day, by status, by
organisation type and by region, the check-in rate, and the 1:1 meetings requested → accepted → held. Each
section is a chart and the same figures as a table (the table alone is enough without JavaScript), and the
whole page downloads as .xlsx / .csv.

Counting rules:
- 按日报名 counts every registration on the Beijing date it was made, whatever became of it since.
- 机构类型 and 盟市 count the live registrations (待审核, 已确认, 候补中), one per organisation.
- 签到率 is checked-in attendees ÷ attendees of confirmed registrations.
- A meeting request counts as accepted when it was accepted, even if the meeting was later cancelled; a meeting
  counts as held when its outcome says the two sides met (已洽谈 or 有合作意向).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.core.clock import to_local
from app.core.enums import EventType, MeetingOutcome, MeetingRequestStatus, OrgType, RegistrationStatus
from app.core.exports import export_sheets
from app.core.rates import percent, ratio
from app.core.regions import REGION_NAMES
from app.events.exports import export_name
from app.events.meetings.models import Meeting, MeetingRequest
from app.events.models import Attendee, Event, Registration
from app.events.services import get_managed_event
from app.extensions import db
from app.organizations.models import Organization

bp = Blueprint("event_statistics", __name__)

RS = RegistrationStatus
LIVE = (RS.PENDING, RS.CONFIRMED, RS.WAITLISTED)
ACCEPTED = (MeetingRequestStatus.ACCEPTED, MeetingRequestStatus.CANCELLED)
HELD = (MeetingOutcome.MET, MeetingOutcome.INTENT)
MAX_DAYS = 366  # a longer registration period is shown from its last year


@dataclass
class Section:
    """One block of the page: a table (headers and rows) and the chart drawn from the same figures."""

    title: str
    headers: list[str]
    rows: list[list]
    chart: dict | None = None
    note: str = ""
    numeric: set[int] = field(default_factory=set)  # columns right-aligned


def registrations_by_day(event: Event) -> Section:
    days = Counter(
        to_local(at).date()
        for at in db.session.scalars(sa.select(Registration.created_at).where(Registration.event_id == event.id))
    )
    if days:
        last = max(days)
        first = max(min(days), last - timedelta(days=MAX_DAYS - 1))
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        span = []
    rows, total = [], sum(n for d, n in days.items() if span and d < span[0])
    for day in span:
        total += days.get(day, 0)
        rows.append([day, days.get(day, 0), total])
    labels = [_short_day(d) for d in span]
    return Section(
        "按日报名",
        ["日期", "当日报名（家）", "累计（家）"],
        rows,
        {
            "kind": "line",
            "labels": labels,
            "series": [
                {"name": "当日报名", "values": [r[1] for r in rows]},
                {"name": "累计", "values": [r[2] for r in rows]},
            ],
        }
        if rows
        else None,
        note="按报名提交日期（北京时间）统计，含之后取消或未通过的报名。",
        numeric={1, 2},
    )


def _short_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def registrations_by_status(event: Event) -> Section:
    counts = {
        status: (n, seats)
        for status, n, seats in db.session.execute(
            sa.select(Registration.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Registration.seats), 0))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        )
    }
    order = (RS.CONFIRMED, RS.WAITLISTED, RS.PENDING, RS.CANCELLED, RS.REJECTED)
    rows = [[s.label, *counts.get(s, (0, 0))] for s in order]
    return Section(
        "报名状态",
        ["状态", "报名（家）", "人数"],
        rows,
        {
            "kind": "bar",
            "labels": [r[0] for r in rows],
            "series": [{"name": "报名（家）", "values": [r[1] for r in rows]}],
        },
        numeric={1, 2},
    )


def _live_orgs(event: Event, column) -> Counter:
    """Live registrations counted by a column of the registering organisation."""
    stmt = (
        sa.select(column, sa.func.count())
        .select_from(Registration)
        .join(Organization, Registration.org_id == Organization.id)
        .where(Registration.event_id == event.id, Registration.status.in_(LIVE))
        .group_by(column)
    )
    return Counter(dict(db.session.execute(stmt).all()))


def registrations_by_org_type(event: Event) -> Section:
    counts = _live_orgs(event, Organization.org_type)
    rows = [[t.label, counts.get(t, 0)] for t in OrgType if counts.get(t, 0)]
    return Section(
        "报名机构类型",
        ["机构类型", "报名（家）"],
        rows,
        {"kind": "pie", "labels": [r[0] for r in rows], "values": [r[1] for r in rows]} if rows else None,
        note="有效报名（待审核、已确认、候补中）。",
        numeric={1},
    )


def registrations_by_region(event: Event) -> Section:
    counts = _live_orgs(event, Organization.region)
    rows = sorted(
        ([REGION_NAMES.get(code or "", "未填写"), n] for code, n in counts.items()), key=lambda r: (-r[1], r[0])
    )
    return Section(
        "报名机构盟市",
        ["盟市", "报名（家）"],
        rows,
        {
            "kind": "bar",
            "horizontal": True,
            "labels": [r[0] for r in rows],
            "series": [{"name": "报名（家）", "values": [r[1] for r in rows]}],
        }
        if rows
        else None,
        note="有效报名（待审核、已确认、候补中），按机构所在盟市。",
        numeric={1},
    )


def check_in(event: Event) -> Section:
    expected, arrived = db.session.execute(
        sa.select(sa.func.count(Attendee.id), sa.func.count(Attendee.checked_in_at))
        .join(Registration, Attendee.registration_id == Registration.id)
        .where(Attendee.event_id == event.id, Registration.status == RS.CONFIRMED)
    ).one()
    rows = [["已确认参会人", expected, ""], ["已签到", arrived, percent(ratio(arrived, expected))]]
    return Section(
        "签到",
        ["项目", "人数", "签到率"],
        rows,
        {"kind": "pie", "labels": ["已签到", "未签到"], "values": [arrived, expected - arrived]} if expected else None,
        note="签到率 = 已签到人数 ÷ 已确认报名的参会人数。",
        numeric={1, 2},
    )


def meetings(event: Event) -> Section:
    requested, accepted = db.session.execute(
        sa.select(
            sa.func.count(MeetingRequest.id),
            sa.func.coalesce(sa.func.sum(sa.case((MeetingRequest.status.in_(ACCEPTED), 1), else_=0)), 0),
        ).where(MeetingRequest.event_id == event.id)
    ).one()
    held = db.session.scalar(
        sa.select(sa.func.count(Meeting.id)).where(Meeting.event_id == event.id, Meeting.outcome.in_(HELD))
    )
    steps = [("洽谈申请", requested), ("已接受", accepted), ("已洽谈", held)]
    rows = [[label, n, percent(ratio(n, steps[i - 1][1])) if i else "—"] for i, (label, n) in enumerate(steps)]
    rows.append([f"总体（{steps[0][0]}→{steps[-1][0]}）", "", percent(ratio(held, requested))])
    return Section(
        "一对一洽谈",
        ["环节", "数量", "转化率（相对上一环节）"],
        rows,
        {
            "kind": "funnel",
            "labels": [s[0] for s in steps],
            "values": [s[1] for s in steps],
            "rates": [None] + [r[2] for r in rows[1:3]],
        }
        if requested
        else None,
        note="已接受含之后取消的洽谈；已洽谈为结果记为“已洽谈”或“有合作意向”的洽谈。",
        numeric={1, 2},
    )


def event_statistics(event: Event) -> list[Section]:
    sections = [
        registrations_by_day(event),
        registrations_by_status(event),
        registrations_by_org_type(event),
        registrations_by_region(event),
        check_in(event),
    ]
    if event.event_type == EventType.DOCKING or db.session.scalar(
        sa.select(sa.func.count(MeetingRequest.id)).where(MeetingRequest.event_id == event.id)
    ):
        sections.append(meetings(event))
    return sections


@bp.get("/<int:event_id>/statistics")
@login_required
def statistics(event_id):
    event = get_managed_event(event_id, current_user)
    sections = event_statistics(event)
    if fmt := request.args.get("format"):
        return export_sheets(fmt, export_name(event, "活动统计"), [(s.title, s.headers, s.rows) for s in sections])
    return render_template("events/statistics.html", event=event, sections=sections)
