"""The check-in desk on a phone (390 px), the way an organiser uses it at the door of a demo-like docking
event two weeks ahead: type part of a name, pick the person from the list, confirm the not-an-event-day
question, see them checked in. Screenshots of each step; and the same with the desk's script switched off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.enums import TicketType
from app.core.models import utcnow
from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import EventFactory, OrgFactory, RegistrationFactory, TicketCategoryFactory

pytestmark = pytest.mark.browser

PEOPLE = [  # (organisation, attendees)
    ("包头晶研抛光材料有限公司", ["郝建军", "李海燕"]),
    ("内蒙古北疆理工大学", ["郝丽娜"]),
    ("包头稀土新材料研究院", ["王志强", "乌日娜", "张晓东"]),
]


@pytest.fixture
def docking_event(live_server):
    with live_server.app_context():
        starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=14)
        event = EventFactory(
            title="稀土新材料产学研对接会",
            venue="包头稀土高新区科技创新中心三楼报告厅",
            starts_at=starts,
            ends_at=starts + timedelta(hours=8),
        )
        visitors = TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
        for i, (org_name, names) in enumerate(PEOPLE):
            registration = RegistrationFactory(
                event=event, org=OrgFactory(name=org_name), ticket_category=visitors, seats=len(names)
            )
            for j, (attendee, name) in enumerate(zip(registration.attendees, names, strict=True)):
                attendee.name, attendee.phone = name, f"1384771{i}{j:03d}"
        db.session.commit()
        return {"event_id": event.id, "organiser": event.organiser.email}


def test_organiser_finds_a_person_by_part_of_the_name_and_checks_them_in_on_a_phone(
    live_server, new_page, docking_event, csp_violations
):
    base = live_server.live_url
    page = new_page(PHONE)
    log_in(page, base, docking_event["organiser"])
    page.goto(f"{base}/events/{docking_event['event_id']}/checkin")
    screenshot(page, "checkin-search-0-desk-phone")
    assert "0 / 6" in page.inner_text("#desk-counts")

    page.fill("#desk-code", "郝")
    page.press("#desk-code", "Enter")
    matches = page.locator("#desk-matches li")
    matches.first.wait_for()
    assert matches.count() == 2
    assert "找到 2 位参会人" in page.inner_text("#desk-result")
    hao = matches.filter(has_text="郝建军")
    assert "包头晶研抛光材料有限公司" in hao.inner_text() and "观众" in hao.inner_text()
    assert "未签到" in hao.inner_text()
    screenshot(page, "checkin-search-1-list-phone")

    hao.get_by_role("button", name="签到").click()
    result = page.locator("#desk-result")
    result.filter(has_text="今天不是活动日").wait_for()
    assert "活动日期是 " in result.inner_text() and "确定要签到吗？" in result.inner_text()
    assert "0 / 6" in page.inner_text("#desk-counts")  # nothing happened yet
    screenshot(page, "checkin-search-2-not-today-phone")

    result.get_by_role("button", name="仍要签到").click()
    result.filter(has_text="签到成功").wait_for()
    assert "郝建军" in result.inner_text()
    page.locator("#desk-counts").filter(has_text="1 / 6").wait_for()
    page.locator("#desk-recent").filter(has_text="郝建军").wait_for()

    page.fill("#desk-code", "晶研")
    page.press("#desk-code", "Enter")
    page.locator("#desk-matches li").filter(has_text="郝建军").filter(has_text="已签到").wait_for()
    assert page.locator("#desk-matches li").filter(has_text="郝建军").get_by_role("button").count() == 0
    screenshot(page, "checkin-search-3-checked-in-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the desk scrolls sideways at 390 px ({width} px)"

    desktop = new_page(DESKTOP)
    log_in(desktop, base, docking_event["organiser"])
    desktop.goto(f"{base}/events/{docking_event['event_id']}/checkin")
    desktop.fill("#desk-code", "1000")  # the last 4 digits of 郝丽娜's phone
    desktop.press("#desk-code", "Enter")
    desktop.locator("#desk-matches li").filter(has_text="郝丽娜").wait_for()
    screenshot(desktop, "checkin-search-5-phone-tail-desktop")
    assert csp_violations == []


def test_the_desk_works_without_its_script(live_server, browser, docking_event):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        base = live_server.live_url
        log_in(page, base, docking_event["organiser"])
        page.goto(f"{base}/events/{docking_event['event_id']}/checkin")
        page.fill("#desk-code", "乌日")
        page.click("#desk-form button[type=submit]")
        page.locator("#desk-matches li").filter(has_text="乌日娜").get_by_role("button", name="签到").click()
        assert "今天不是活动日" in page.inner_text("#desk-result")
        page.get_by_role("button", name="仍要签到").click()
        assert "签到成功" in page.inner_text("#desk-result") and "乌日娜" in page.inner_text("#desk-result")
        screenshot(page, "checkin-search-4-no-script-phone")
    finally:
        context.close()
