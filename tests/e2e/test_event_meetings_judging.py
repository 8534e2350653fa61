"""对接洽谈 and 路演评审 in headless Chromium, at desktop (1280) and phone (390) widths, with screenshots:
participants find each other, request and accept a meeting and read the agenda; a judge scores on the
phone and the organiser reads the results."""

from __future__ import annotations

import pytest

from app.core.enums import EventType, PostingKind
from app.events.judging.services import add_presenter, assign_judge
from app.extensions import db as database
from tests.e2e.conftest import PHONE, screenshot
from tests.events.judging.helpers import roadshow
from tests.events.meetings.helpers import DAY, docking_event, match, participant
from tests.factories import PASSWORD, PostingFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.browser


WIDE = {"width": 1280, "height": 900}


def browser_log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_participants_find_each_other_request_accept_and_see_the_agenda_in_the_browser(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        event = docking_event(tables="A1、A2、A3", windows=f"{DAY} 14:00-16:00")
        a = participant(event, name="包头市稀土永磁电机有限公司")
        b = participant(event, name="内蒙古科技大学稀土学院")
        c = participant(event, name="鄂尔多斯市新能源装备公司")
        b.phone = "13847200001"
        need = PostingFactory(org=a.org, kind=PostingKind.NEED, title="高效永磁同步电机用低重稀土磁体开发")
        match(need, PostingFactory(org=b.org, title="晶界扩散低重稀土钕铁硼磁体制备技术"), 0.86, term="钕铁硼")
        match(need, PostingFactory(org=c.org, kind=PostingKind.CAPABILITY, title="电机装配与测试服务"), 0.41)
        database.session.commit()
        event_id, a_email, b_email, organiser_email = event.id, a.email, b.email, event.organiser.email

    phone = new_page(PHONE)
    browser_log_in(phone, base, a_email)
    phone.goto(f"{base}/events/{event_id}/meetings")
    first = phone.locator("#recommendations li").first
    assert "内蒙古科技大学稀土学院" in first.inner_text() and "钕铁硼" in first.inner_text()
    screenshot(phone, "meetings-recommendations-phone")
    first.get_by_role("link", name="约见").click()
    phone.locator("label.slot-choice").first.click()  # 14:00, the first slot both sides have free
    phone.locator("textarea[name=message]").fill("想了解晶界扩散磁体的小批量试制条件")
    phone.get_by_role("button", name="发送洽谈邀请").click()
    phone.wait_for_load_state("networkidle")
    assert "洽谈邀请已发送" in phone.inner_text("body")

    desk = new_page(WIDE)
    browser_log_in(desk, base, b_email)
    desk.goto(f"{base}/events/{event_id}/meetings")
    screenshot(desk, "meetings-recommendations-desktop")
    desk.locator("#received").get_by_role("button", name="接受").click()
    desk.wait_for_load_state("networkidle")
    body = desk.inner_text("body")
    assert "14:00" in body and "A1 号桌" in body and "包头市稀土永磁电机有限公司" in body
    screenshot(desk, "meetings-agenda-desktop")
    desk.emulate_media(media="print")  # the printed agenda: meetings only, no navigation or buttons
    assert desk.locator(".lq-nav").is_hidden() and desk.locator("#slots").is_hidden()
    assert desk.locator(".agenda-item").first.is_visible()
    screenshot(desk, "meetings-agenda-print")
    desk.emulate_media(media="screen")

    phone.goto(f"{base}/events/{event_id}/meetings/agenda")
    assert "13847200001" in phone.inner_text("body")
    screenshot(phone, "meetings-agenda-phone")

    organiser = new_page(WIDE)
    browser_log_in(organiser, base, organiser_email)
    organiser.goto(f"{base}/events/{event_id}/meetings/grid")
    assert "包头市稀土永磁电机有限公司" in organiser.locator("table").inner_text()
    screenshot(organiser, "meetings-grid-desktop")
    organiser.goto(f"{base}/events/{event_id}/meetings/settings")
    screenshot(organiser, "meetings-settings-desktop")


def test_judge_scores_on_the_phone_and_the_organiser_sees_results_in_the_browser(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        event = roadshow(EventType.COMPETITION)
        judge = assign_judge(event, UserFactory(org=None, name="王教授"), event.organiser)
        names = ["内蒙古蒙草生态环境集团", "包头稀宝博为医疗系统公司", "呼和浩特市光伏组件科技公司"]
        first, *_ = [
            add_presenter(event, event.organiser, RegistrationFactory(event=event, org__name=n).id, "项目路演")
            for n in names
        ]
        database.session.commit()
        event_id, judge_email, organiser_email, first_id = event.id, judge.user.email, event.organiser.email, first.id

    phone = new_page(PHONE)
    browser_log_in(phone, base, judge_email)
    phone.goto(f"{base}/events/{event_id}/judging/score")
    card = phone.locator(f"#presenter-{first_id}")
    inputs = card.locator("input[type=number]")
    inputs.nth(0).fill("8.5")
    inputs.nth(1).fill("15")
    inputs.nth(2).fill("6")  # over the maximum of 5
    card.get_by_role("button", name="保存第 1 家评分").click()
    phone.wait_for_load_state("networkidle")
    assert "“团队”的分数须在 0 到 5 之间" in phone.inner_text("body")
    screenshot(phone, "judging-score-error-phone")
    card = phone.locator(f"#presenter-{first_id}")
    card.locator("input[type=number]").nth(2).fill("4.5")
    card.locator("textarea[name=comment]").fill("生态修复数据扎实，商业化路径清晰")
    card.get_by_role("button", name="保存第 1 家评分").click()
    phone.wait_for_load_state("networkidle")
    assert "已保存对“内蒙古蒙草生态环境集团”的评分" in phone.inner_text("body")
    screenshot(phone, "judging-score-phone")

    wide = new_page(WIDE)
    browser_log_in(wide, base, judge_email)
    wide.goto(f"{base}/events/{event_id}/judging/score")
    screenshot(wide, "judging-score-desktop")

    organiser = new_page(WIDE)
    browser_log_in(organiser, base, organiser_email)
    organiser.goto(f"{base}/events/{event_id}/judging")
    screenshot(organiser, "judging-setup-desktop")
    organiser.goto(f"{base}/events/{event_id}/judging/results")
    assert "1/1 位评委完成" in organiser.inner_text("body")  # 8.5/10*40 + 15/20*35 + 4.5/5*25 = 82.75
    assert "82.75" in organiser.inner_text("body")
    screenshot(organiser, "judging-results-desktop")
