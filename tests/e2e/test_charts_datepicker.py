"""Charts and Chinese date pickers in headless Chromium: the docking funnel and an event's statistics draw
their charts (a canvas) at phone and desktop widths with no CSP violation, and a browser speaking English
still gets a Chinese calendar that writes the format the forms read. Screenshots in SCREENSHOT_DIR."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.clock import to_local
from app.core.enums import DockingStage as ST
from app.core.enums import EventType, OrgType
from app.core.models import utcnow
from app.events.models import Event
from app.extensions import db
from app.matching.models import Match
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, watch_csp
from tests.e2e.test_journey_foundation import log_in
from tests.factories import (
    DockingRecordFactory,
    DockingRequestFactory,
    EventFactory,
    OrgFactory,
    PostingFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(live_server):
    with live_server.app_context():
        event = EventFactory(event_type=EventType.DOCKING, title="2026 稀土新材料产学研对接会")
        for i, (org_type, region) in enumerate(
            [
                (OrgType.UNIVERSITY, "150100"),
                (OrgType.SME, "150200"),
                (OrgType.SME, "150200"),
                (OrgType.LARGE, "150600"),
            ]
        ):
            org = OrgFactory(org_type=org_type, region=region)
            reg = RegistrationFactory(event=event, org=org, seats=2, created_at=datetime(2026, 11, 1 + 2 * i, 3, 0))
            if i % 2 == 0:
                reg.attendees[0].checked_in_at = datetime(2026, 12, 1, 2, 0)
        organiser = event.organiser
        docking_season()
        db.session.commit()
        return {"event_id": event.id, "organiser": organiser.email, "starts_at": event.starts_at}


def docking_season() -> None:
    """8,889 suggested matches and 12 / 8 / 4 / 3 / 1 requests onwards: the shape that made every later stage
    an invisible sliver on a linear scale."""
    postings = [PostingFactory() for _ in range(95)]
    pairs = [(a, b) for a in postings for b in postings if a is not b][:8889]
    now = utcnow()
    db.session.execute(
        sa.insert(Match),
        [
            dict(
                source_id=a.id,
                target_id=b.id,
                target_kind=b.kind,
                rank=1,
                score=0.5,
                computed_at=now,
                first_matched_at=now,
            )
            for a, b in pairs
        ],
    )
    for stage in [ST.COMPLETED, ST.SIGNED, ST.SIGNED, ST.INTENT] + [ST.CONTACT] * 4:
        DockingRecordFactory(request__target=postings[0], stage=stage)
    for _ in range(4):
        DockingRequestFactory(target=postings[1])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport, name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_funnel_and_the_event_statistics_draw_their_charts(live_server, new_page, setup, viewport, name):
    base = live_server.live_url
    page = new_page(viewport)
    log_in(page, base, setup["organiser"])
    page.goto(f"{base}/docking/funnel")
    page.locator(".lq-chart-funnel[data-chart-drawn]").first.wait_for()
    box = page.locator(".lq-chart-funnel").bounding_box()
    assert box["width"] > 300 and box["height"] > 250
    counts = page.locator("table.funnel-table tbody td:nth-child(2)").all_inner_texts()
    assert counts == ["8,889", "12", "8", "4", "3", "1"]
    assert page.locator(".lq-chart-funnel canvas").count() == 1
    assert no_sideways_scroll(page)
    screenshot(page, f"charts-funnel-{name}")

    page.goto(f"{base}/events/{setup['event_id']}/manage")
    page.get_by_role("link", name="活动统计").click()
    # 按日报名, 报名状态, 机构类型, 盟市, 签到 (the meetings section has no request, so no chart)
    page.locator(".lq-chart[data-chart-drawn] canvas").nth(4).wait_for()
    assert page.locator(".lq-chart canvas").count() == 5
    assert "已签到" in page.locator("section", has_text="签到").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, f"charts-statistics-{name}")


def test_an_english_browser_gets_a_chinese_date_picker_writing_the_forms_format(live_server, browser, setup):
    base = live_server.live_url
    violations: list[str] = []
    ctx = browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        page = ctx.new_page()
        watch_csp(page, violations)
        log_in(page, base, setup["organiser"])
        page.goto(f"{base}/docking/funnel")
        start = page.locator("#start")
        assert start.get_attribute("type") == "text" and start.get_attribute("data-datepicker") == "date"
        start.click()
        calendar = page.locator(".flatpickr-calendar.open")
        calendar.wait_for()
        weekdays = calendar.locator(".flatpickr-weekday").all_inner_texts()
        assert [w.strip() for w in weekdays] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        month = calendar.locator(".flatpickr-monthDropdown-months option:checked").inner_text()
        assert month in (
            "一月",
            "二月",
            "三月",
            "四月",
            "五月",
            "六月",
            "七月",
            "八月",
            "九月",
            "十月",
            "十一月",
            "十二月",
        )
        page.wait_for_timeout(400)  # the calendar fades in
        screenshot(page, "datepicker-en-us-browser")
        calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
        value = start.input_value()
        assert value[4] == "-" and value.endswith("-15") and len(value) == 10
        page.click("form button:has-text('统计')")
        page.wait_for_load_state("networkidle")
        assert f"start={value}" in page.url and page.locator("#start").input_value() == value

        # A datetime-local field: the saved time comes back unchanged through the picker.
        page.goto(f"{base}/events/{setup['event_id']}/edit")
        starts = page.locator("input[name=starts_at]")
        assert starts.get_attribute("data-datepicker") == "datetime"
        before = starts.input_value()
        assert len(before) == 16 and before[10] == " "
        starts.click()
        page.locator(".flatpickr-calendar.open .flatpickr-time").wait_for()
        page.wait_for_timeout(400)
        screenshot(page, "datepicker-datetime-en-us-browser")
        page.keyboard.press("Escape")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        assert "/edit" not in page.url, page.locator(".invalid-feedback, .alert").all_inner_texts()
        assert before == to_local(setup["starts_at"]).strftime("%Y-%m-%d %H:%M")
        with live_server.app_context():
            assert db.session.get(Event, setup["event_id"]).starts_at == setup["starts_at"]
    finally:
        ctx.close()
    assert not violations, violations


def test_the_ticket_holder_downloads_the_qr_code_as_a_png(live_server, new_page):
    with live_server.app_context():
        registration = RegistrationFactory(event=EventFactory(title="2026 稀土新材料博览会"))
        registration.attendees[0].name = "乌日娜"
        db.session.commit()
        token = registration.attendees[0].ticket_token
    page = new_page(PHONE)
    page.goto(f"{live_server.live_url}/events/tickets/{token}")
    screenshot(page, "ticket-with-qr-download-phone")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载二维码图片").click()
    download = info.value
    assert download.suggested_filename == "入场二维码-2026-稀土新材料博览会-乌日娜.png"
    assert Path(download.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
