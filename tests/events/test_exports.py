"""The organiser's event downloads: attendee list, check-in report and booth list, in .xlsx and .csv."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.core.enums import RegistrationStatus, TicketType
from tests.factories import (
    BoothFactory,
    EventFactory,
    OrganiserFactory,
    RegistrationFactory,
    TicketCategoryFactory,
    UserFactory,
)


@pytest.fixture
def event(db):
    event = EventFactory(title="稀土对接会/2026")
    visitors = TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
    exhibitors = TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR, name="参展企业")
    came = RegistrationFactory(event=event, ticket_category=visitors, seats=2, created_at=datetime(2026, 12, 1, 2, 5))
    came.attendees[0].phone = "013912345678"
    came.attendees[0].checked_in_at = datetime(2026, 12, 5, 1, 12)
    RegistrationFactory(event=event, ticket_category=exhibitors)
    RegistrationFactory(event=event, ticket_category=visitors, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    event.came = came
    return event


def download(client, login, event, what, fmt):
    login(event.organiser)
    resp = client.get(f"/events/{event.id}/exports/{what}.{fmt}")
    assert resp.status_code == 200, resp.status_code
    return resp


def xlsx_sheets(resp) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(resp.data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def csv_rows(resp) -> list[list[str]]:
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def test_attendee_list_has_every_attendee_with_chinese_headers_text_phones_and_beijing_times(client, login, event):
    rows = next(iter(xlsx_sheets(download(client, login, event, "attendees", "xlsx")).values()))
    assert rows[0] == (
        "单位", "参会人", "手机号", "职务", "电子邮箱", "票种", "报名状态", "报名序号", "报名时间", "签到码", "签到时间"
    )  # fmt: skip
    first = rows[1]
    assert first[1] == event.came.attendees[0].name
    assert first[2] == "013912345678"  # text: the leading zero survives
    assert first[5] == "观众" and first[6] == "已确认"
    assert first[8] == "2026-12-01 10:05" and first[10] == "2026-12-05 09:12"
    assert len(rows) == 1 + 4
    assert {r[6] for r in rows[1:]} == {"已确认", "候补中"}
    assert "参展企业" in {r[5] for r in rows[1:]}


def test_attendee_list_as_csv_has_the_same_rows(client, login, event):
    rows = csv_rows(download(client, login, event, "attendees", "csv"))
    assert rows[0][:3] == ["单位", "参会人", "手机号"]
    assert rows[1][2] == "013912345678" and rows[1][10] == "2026-12-05 09:12"
    assert len(rows) == 5


def test_checkin_report_counts_per_ticket_type_and_lists_no_shows(client, login, event):
    sheets = xlsx_sheets(download(client, login, event, "checkin", "xlsx"))
    assert list(sheets) == ["签到统计", "未到场名单"]
    assert sheets["签到统计"] == [
        ("票种", "已报名（人）", "已签到（人）", "签到率"),
        ("观众", 2, 1, "50%"),
        ("参展企业", 1, 0, "0%"),
        ("合计", 3, 1, "33%"),
    ]
    no_shows = {row[1] for row in sheets["未到场名单"][1:]}
    assert event.came.attendees[1].name in no_shows
    assert event.came.attendees[0].name not in no_shows
    assert len(no_shows) == 2  # the waitlisted registration is not a no-show


def test_checkin_report_as_csv_puts_both_tables_under_their_titles(client, login, event):
    rows = csv_rows(download(client, login, event, "checkin", "csv"))
    assert rows[0] == ["签到统计"] and rows[1][0] == "票种"
    assert ["未到场名单"] in rows and [] in rows


def test_booth_list_shows_each_booth_and_its_exhibitor(client, login, db, event):
    from app.events.booths.models import BoothApplication

    booth = BoothFactory(event=event, number="B07", zone="装备展区")
    BoothFactory(event=event, number="B08", zone="装备展区")
    org = event.came.org
    db.session.add(BoothApplication(event_id=event.id, org_id=org.id, status="assigned", booth_id=booth.id))
    db.session.commit()
    rows = csv_rows(download(client, login, event, "booths", "csv"))
    assert rows[0] == ["展区", "展位号", "规格", "面积（m²）", "展商", "展示内容", "备注"]
    assert ["装备展区", "B07", "标准展位", "", org.name, "", ""] in rows
    assert ["装备展区", "B08", "标准展位", "", "", "", ""] in rows


def test_export_file_name_is_the_event_title_in_chinese(client, login, event):
    resp = download(client, login, event, "attendees", "xlsx")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    assert "%E5%8F%82%E4%BC%9A%E4%BA%BA%E5%90%8D%E5%8D%95" in resp.headers["Content-Disposition"]  # 参会人名单


@pytest.mark.parametrize("who", [OrganiserFactory, UserFactory])
def test_only_the_organiser_downloads_exports(client, login, db, event, who):
    user = who()
    db.session.commit()
    login(user)
    for what in ("attendees", "checkin", "booths"):
        assert client.get(f"/events/{event.id}/exports/{what}.xlsx").status_code == 404


def test_unknown_export_or_format_is_404(client, login, event):
    login(event.organiser)
    assert client.get(f"/events/{event.id}/exports/attendees.pdf").status_code == 404
    assert client.get(f"/events/{event.id}/exports/secrets.csv").status_code == 404
