"""The docking journey in headless Chromium: an SME opens an achievement recommended to it, sends a docking
request from its phone; the university member sees the notification, accepts, and both sides then see each
other's contact details. Screenshots of every docking page at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from app.core.enums import OrgType, PostingKind
from app.extensions import db
from app.matching.models import Match
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrganiserFactory, OrgFactory, PostingFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP_1280 = {"width": 1280, "height": 900}
TITLE = "高矫顽力烧结钕铁硼磁体制备技术"
UNI_PHONE, UNI_EMAIL = "0472-5951234", "magnet-lab@imust.example.cn"
SME_PHONE = "13804721234"


@pytest.fixture
def journey(live_server):
    with live_server.app_context():
        uni = OrgFactory(name="内蒙古科技大学", org_type=OrgType.UNIVERSITY, region="150200")
        sme = OrgFactory(name="包头市稀宝永磁材料有限公司", region="150200", contact_phone=SME_PHONE)
        professor = UserFactory(org=uni, name="李教授", email="li@imust.example.cn")
        boss = UserFactory(org=sme, name="王总", email="wang@xibao.example.cn")
        achievement = PostingFactory(
            org=uni, title=TITLE, contact_name="李教授", contact_phone=UNI_PHONE, contact_email=UNI_EMAIL
        )
        need = PostingFactory(org=sme, kind=PostingKind.NEED, title="永磁电机磁钢降本增效需求", industry="C38")
        db.session.add(
            Match(
                source_id=need.id,
                target_id=achievement.id,
                target_kind=PostingKind.ACHIEVEMENT,
                rank=1,
                score=0.82,
                reasons={},
            )
        )
        organiser = OrganiserFactory(email="organiser@lianqiao.cn")
        db.session.commit()
        return {"professor": professor.email, "boss": boss.email, "organiser": organiser.email}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def sme_opens_the_recommended_achievement(new_page, base, boss):
    """1. The SME boss, on a phone, opens the recommended achievement from 我的匹配: the contact is still hidden."""
    sme = new_page(PHONE)
    log_in(sme, base, boss)
    sme.goto(f"{base}/matches/")
    sme.get_by_role("link", name=TITLE).click()
    sme.wait_for_load_state("networkidle")
    assert UNI_PHONE not in sme.inner_text("body") and "接受对接后可见" in sme.inner_text("body")
    screenshot(sme, "docking-00-achievement-phone")
    return sme


def sme_sends_a_docking_request(sme):
    """2. … and sends a docking request; an empty message first gets a clear message."""
    sme.get_by_role("link", name="发起对接").click()
    sme.wait_for_load_state("networkidle")
    sme.get_by_role("button", name="发送对接请求").click()
    sme.wait_for_load_state("networkidle")
    assert "请填写对接留言" in sme.inner_text("body")
    sme.fill("textarea[name=message]", "我公司每年采购烧结钕铁硼约200吨，希望就该成果开展中试合作。")
    screenshot(sme, "docking-01-new-request-phone")
    sme.get_by_role("button", name="发送对接请求").click()
    sme.wait_for_load_state("networkidle")
    assert "对接请求已发送" in sme.inner_text("body") and "待答复" in sme.inner_text("body")
    assert UNI_PHONE not in sme.inner_text("body")
    assert no_sideways_scroll(sme)
    screenshot(sme, "docking-02-request-sent-phone")


def professor_opens_the_request_from_a_notification(new_page, base, professor):
    """3. The professor logs in, sees an unread notification, opens it and lands on the request."""
    uni = new_page(DESKTOP_1280)
    log_in(uni, base, professor)
    assert uni.locator("[data-unread]").first.inner_text().strip() == "1"
    uni.goto(f"{base}/notifications/")
    uni.get_by_text("希望就《" + TITLE + "》与您对接").click()
    uni.wait_for_load_state("networkidle")
    assert re.search(r"/docking/requests/\d+$", uni.url)
    assert SME_PHONE not in uni.inner_text("body")
    screenshot(uni, "docking-03-request-received-desktop")
    return uni


def professor_accepts_and_moves_the_record_on(uni):
    """4. … and accepts: the record starts and the SME's contact details appear."""
    uni.get_by_role("button", name="接受对接").click()
    uni.wait_for_load_state("networkidle")
    assert "已接受对接请求" in uni.inner_text("body") and SME_PHONE in uni.inner_text("body")
    uni.fill("textarea[name=text]", "已约定12月10日到包头实地考察产线。")
    uni.get_by_role("button", name="添加备注").click()
    uni.wait_for_load_state("networkidle")
    uni.select_option("select[name=stage]", "signed")
    assert uni.locator("input[name=amount_wan]").is_visible()
    uni.select_option("select[name=stage]", "negotiating")
    assert not uni.locator("input[name=amount_wan]").is_visible()
    uni.get_by_role("button", name="保存阶段").click()
    uni.wait_for_load_state("networkidle")
    assert "洽谈中" in uni.inner_text("body")
    screenshot(uni, "docking-04-record-desktop")


def sme_sees_the_university_contact_details(sme, base):
    """5. The SME now sees the university's contact details, on the request and on the achievement page."""
    sme.reload()
    sme.wait_for_load_state("networkidle")
    assert UNI_PHONE in sme.inner_text("body") and UNI_EMAIL in sme.inner_text("body")
    sme.get_by_role("link", name="查看对接记录").click()
    sme.wait_for_load_state("networkidle")
    assert "已约定12月10日到包头实地考察产线" in sme.inner_text("body")
    assert no_sideways_scroll(sme)
    screenshot(sme, "docking-05-record-phone")
    sme.goto(f"{base}/docking/?tab=records")
    screenshot(sme, "docking-06-mine-phone")


def organiser_reads_the_funnel(new_page, base, organiser_email):
    """6. The organiser reads the funnel."""
    organiser = new_page(DESKTOP_1280)
    log_in(organiser, base, organiser_email)
    organiser.goto(f"{base}/docking/funnel")
    rows = organiser.locator("table.funnel-table tbody tr")
    assert rows.nth(1).locator("td").first.inner_text() == "1" and rows.nth(2).locator("td").first.inner_text() == "1"
    screenshot(organiser, "docking-07-funnel-desktop")
    funnel_phone = new_page(PHONE)
    log_in(funnel_phone, base, organiser_email)
    funnel_phone.goto(f"{base}/docking/funnel")
    assert no_sideways_scroll(funnel_phone)
    screenshot(funnel_phone, "docking-08-funnel-phone")


def test_an_sme_requests_a_recommended_achievement_and_the_university_accepts(live_server, new_page, journey):
    base = live_server.live_url

    sme = sme_opens_the_recommended_achievement(new_page, base, journey["boss"])
    sme_sends_a_docking_request(sme)
    uni = professor_opens_the_request_from_a_notification(new_page, base, journey["professor"])
    professor_accepts_and_moves_the_record_on(uni)
    sme_sees_the_university_contact_details(sme, base)
    organiser_reads_the_funnel(new_page, base, journey["organiser"])
