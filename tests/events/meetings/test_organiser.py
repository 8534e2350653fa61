"""The organiser's meeting settings, grid and export, the meeting pages' links and hostile input."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from app.core.enums import EventType, OrgType
from app.core.errors import InvalidTransition
from app.events.meetings.models import MeetingSlot
from app.events.meetings.services import accept_meeting_request
from app.events.meetings.setup import save_meeting_settings
from app.extensions import db as database
from tests.events.helpers import render_event_links, sweep_blueprint
from tests.events.meetings.helpers import DAY, T14, ask, docking_event, participant
from tests.factories import AdminFactory, EventFactory, OrganiserFactory, UserFactory


def test_settings_generate_slots_from_several_windows(db):
    docking_event(tables="3", windows=f"{DAY} 09:00-10:00\n{DAY} 14:00～14:40", minutes=30)
    starts = db.session.scalars(sa.select(MeetingSlot.starts_at).order_by(MeetingSlot.starts_at)).all()
    assert starts == [datetime(2026, 12, 20, 1, 0), datetime(2026, 12, 20, 1, 30), datetime(2026, 12, 20, 6, 0)]


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("windows", {"windows": "明天下午"}, "格式不对"),
        ("windows", {"windows": f"{DAY} 15:00-14:00"}, "晚于开始"),
        ("windows", {"windows": f"{DAY} 14:00-16:00\n{DAY} 15:00-17:00"}, "重叠"),
        ("windows", {"windows": "2026-12-25 14:00-16:00"}, "活动时间之内"),
        ("tables", {"tables": "0"}, "1 到 200"),
        ("tables", {"tables": "A、A"}, "不能重复"),
        ("slot_minutes", {"slot_minutes": "99999999999999"}, "5 到 240"),
    ],
)
def test_bad_settings_get_a_chinese_message_and_change_nothing(db, login, field, data, message):
    event = docking_event(tables="")
    organiser = event.organiser
    db.session.commit()
    form = {"slot_minutes": "20", "answer_hours": "24", "tables": "3", "windows": f"{DAY} 14:00-15:00", **data}
    resp = login(organiser).post(f"/events/{event.id}/meetings/settings", data=form)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MeetingSlot.id))) == 0


def test_layout_is_fixed_once_a_meeting_is_booked(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(InvalidTransition, match="不能再修改"):
        save_meeting_settings(event, 30, 24, "2", f"{DAY} 14:00-15:00")
    assert save_meeting_settings(event, 20, 72, "2", f"{DAY} 14:00-15:00").answer_hours == 72


def test_only_the_organiser_sees_settings_grid_and_export(db, login):
    event = docking_event()
    member = participant(event)
    other_organiser = OrganiserFactory()
    db.session.commit()
    for user in (member, other_organiser):
        client = login(user)
        for path in ("settings", "grid", "export?format=csv"):
            assert client.get(f"/events/{event.id}/meetings/{path}").status_code == 404


def test_grid_and_export_list_every_meeting(db, login):
    event = docking_event()
    a, b = participant(event, name="甲方科技公司"), participant(event, name="乙方研究院", org_type=OrgType.INSTITUTE)
    accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    client = login(event.organiser)
    grid = client.get(f"/events/{event.id}/meetings/grid").get_data(as_text=True)
    assert "甲方科技公司" in grid and "乙方研究院" in grid
    csv_text = client.get(f"/events/{event.id}/meetings/export?format=csv").data.decode("utf-8-sig")
    assert "甲方科技公司" in csv_text and "2026-12-20 14:00" in csv_text
    sheet = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/meetings/export?format=xlsx").data)).active
    assert [c.value for c in sheet[2]][:4] == ["2026-12-20 14:00", "14:20", "1", "甲方科技公司"]
    assert client.get(f"/events/{event.id}/meetings/export?format=pdf").status_code == 404


def test_the_organiser_and_a_platform_admin_opening_the_meeting_page_land_on_the_grid(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    ask(event, b, a)
    accept_meeting_request(ask(event, a, c), c)
    database.session.commit()
    for user in (event.organiser, AdminFactory()):
        resp = login(user).get(f"/events/{event.id}/meetings")
        assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/events/{event.id}/meetings/grid")
    page = login(event.organiser).get(f"/events/{event.id}/meetings/grid").get_data(as_text=True)
    figures = dict(
        (label, int(n)) for n, label in re.findall(r">(\d+)</div><div class=\"small text-muted\">([^<]+)<", page)
    )
    assert figures == {"参会机构": 3, "待答复邀请": 1, "已安排洽谈": 1, "婉拒/过期/取消": 0}


def test_another_organiser_and_a_stranger_still_get_404_on_the_meeting_page(db, login):
    event = docking_event()
    participant(event)
    users = (OrganiserFactory(), UserFactory())
    database.session.commit()
    for user in users:
        assert login(user).get(f"/events/{event.id}/meetings").status_code == 404


def test_meeting_pages_exist_only_for_docking_events(db, login):
    event = EventFactory(event_type=EventType.ROADSHOW)
    member = participant(event)
    db.session.commit()
    assert login(member).get(f"/events/{event.id}/meetings").status_code == 404
    assert login(event.organiser).get(f"/events/{event.id}/meetings/settings").status_code == 404


def test_settings_page_shows_the_saved_settings_in_beijing_time(db, login):
    event = docking_event(tables="A区、B区", windows=f"{DAY} 14:00-15:00\n{DAY} 16:00-17:00")
    database.session.commit()
    page = login(event.organiser).get(f"/events/{event.id}/meetings/settings").get_data(as_text=True)
    assert f"{DAY} 14:00-15:00\n{DAY} 16:00-17:00" in page and 'value="A区、B区"' in page


def test_no_meeting_route_fails_on_hostile_input(app, db, client, login):
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    req = ask(event, a, b)
    meeting = accept_meeting_request(ask(event, c, d), d)
    ids = {"event_id": event.id, "org_id": b.org_id, "request_id": req.id, "slot_id": meeting.slot_id}
    ids |= {"meeting_id": meeting.id, "action": ["block", "unblock"]}
    users = (a, b, c, event.organiser, UserFactory())
    database.session.commit()
    fields = (
        "message",
        "slots",
        "slot",
        "outcome",
        "note",
        "reason",
        "slot_minutes",
        "answer_hours",
        "tables",
        "windows",
    )
    with time_machine.travel((T14 + timedelta(minutes=25)).replace(tzinfo=UTC), tick=True):
        assert sweep_blueprint(app, client, login, "meetings", ids, users, fields) == []


def test_event_page_links_lead_participants_and_the_organiser_to_their_meeting_pages(app, db):
    event = docking_event()
    member = participant(event)
    assert f"/events/{event.id}/meetings/agenda" in render_event_links(app, member, event)
    assert f"/events/{event.id}/meetings/grid" in render_event_links(app, event.organiser, event)
    assert "/meetings" not in render_event_links(app, UserFactory(), event)
