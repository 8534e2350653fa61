"""A new participant's first hour at a docking event, on a phone (390 px): open the directory of every
participant, filter it by industry, invite an organisation proposing two slots; the other side accepts
the second one and both agendas show it."""

from __future__ import annotations

import pytest

from app.core.enums import OrgType, PostingKind
from app.extensions import db as database
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_event_meetings_judging import browser_log_in
from tests.events.meetings.helpers import DAY, docking_event, participant
from tests.factories import PostingFactory

pytestmark = pytest.mark.browser

OTHERS = [
    ("包头稀土永磁材料有限公司", OrgType.SME, "150200", "C39", PostingKind.CAPABILITY, "烧结钕铁硼磁钢小批量定制"),
    ("北疆乳业股份有限公司", OrgType.LARGE, "150100", "C14", PostingKind.PROCUREMENT, "采购益生菌菌粉"),
    ("内蒙古阴山科技大学", OrgType.UNIVERSITY, "150200", "P83", PostingKind.ACHIEVEMENT, "细颗粒粉尘治理技术"),
    ("鄂尔多斯绿源风光氢储有限公司", OrgType.SME, "150600", "D44", PostingKind.NEED, "光伏板清洗机器人需求"),
    ("赤峰市软件信息服务有限公司", OrgType.SME, "150400", "I65", PostingKind.CAPABILITY, "工业数据采集平台"),
]


def seed_fair(app) -> dict:
    """A docking event (slots 14:00–15:20, two tables), the phone user's organisation and five others."""
    with app.app_context():
        event = docking_event(tables="A1、A2", windows=f"{DAY} 14:00-15:20")
        me = participant(event, name="呼和浩特电机制造有限公司", industry="C38")
        PostingFactory(org=me.org, kind=PostingKind.NEED, title="高效永磁同步电机用磁体")
        people = {}
        for name, org_type, region, industry, kind, title in OTHERS:
            people[name] = participant(event, name=name, org_type=org_type, region=region, industry=industry)
            PostingFactory(org=people[name].org, kind=kind, title=title, industry=industry, region=region)
        database.session.commit()
        magnet = people["包头稀土永磁材料有限公司"]
        return {"event": event.id, "me": me.email, "magnet": magnet.email, "magnet_org": magnet.org_id}


def invite_from_the_directory(phone, base: str, fair: dict) -> None:
    """Open the directory, filter by 制造业, invite 稀土永磁 proposing 14:20 and 15:00."""
    browser_log_in(phone, base, fair["me"])
    phone.goto(f"{base}/events/{fair['event']}/meetings")
    phone.locator(".nav-pills").get_by_role("link", name="全部参会机构").click()
    assert phone.locator(".directory-entry").count() == len(OTHERS)
    screenshot(phone, "directory-phone")

    phone.select_option("select[name=industry]", "C")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".directory-entry").count() == 2  # 稀土永磁 (C39) and 乳业 (C14)
    entry = phone.locator(f"#entry-{fair['magnet_org']}")
    assert "烧结钕铁硼磁钢小批量定制" in entry.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(phone, "directory-filtered-phone")

    entry.get_by_role("link", name="约见").click()
    choices = phone.locator("label.slot-choice")
    assert choices.count() == 4  # 14:00, 14:20, 14:40, 15:00
    choices.nth(1).click()
    choices.nth(3).click()
    phone.fill("textarea[name=message]", "想了解磁钢小批量定制的交期")
    screenshot(phone, "invite-phone")
    phone.get_by_role("button", name="发送洽谈邀请").click()
    phone.wait_for_load_state("networkidle")
    assert "洽谈邀请已发送" in phone.inner_text("body")
    assert "希望：12-20 14:20、12-20 15:00" in phone.locator("#sent").inner_text()


def test_a_participant_finds_an_organisation_in_the_directory_and_meets_at_a_proposed_slot(live_server, new_page):
    base = live_server.live_url
    fair = seed_fair(live_server)
    event_id = fair["event"]
    phone = new_page(PHONE)
    invite_from_the_directory(phone, base, fair)

    other = new_page(PHONE)
    browser_log_in(other, base, fair["magnet"])
    other.goto(f"{base}/events/{event_id}/meetings")
    received = other.locator("#received")
    assert "呼和浩特电机制造有限公司" in received.inner_text() and "对方希望的时段" in received.inner_text()
    assert received.locator("input[name=slot]:checked + label").inner_text() == "12-20 14:20"  # the first proposed
    received.locator("label", has_text="12-20 15:00").click()
    assert received.locator("input[name=slot]:checked + label").inner_text() == "12-20 15:00"
    other.wait_for_timeout(300)  # let the buttons' colour transition finish before the screenshot
    screenshot(other, "accept-phone")
    received.get_by_role("button", name="接受").click()
    other.wait_for_load_state("networkidle")
    item = other.locator(".agenda-item").first
    assert "15:00" in item.inner_text() and "呼和浩特电机制造有限公司" in item.inner_text()
    screenshot(other, "agenda-invitee-phone")

    phone.goto(f"{base}/events/{event_id}/meetings/agenda")
    mine = phone.locator(".agenda-item").first.inner_text()
    assert "12-20 15:00" in mine and "包头稀土永磁材料有限公司" in mine
    screenshot(phone, "agenda-inviter-phone")

    wide = new_page(DESKTOP)
    browser_log_in(wide, base, fair["me"])
    wide.goto(f"{base}/events/{event_id}/meetings/directory?industry=C&side=offer")
    assert wide.locator(".directory-entry").count() == 1
    screenshot(wide, "directory-desktop")
    wide.goto(f"{base}/events/{event_id}/meetings/directory?industry=ZZ")
    assert "筛选条件“行业门类”无效，已忽略" in wide.inner_text("body")
    assert wide.locator(".directory-entry").count() == len(OTHERS)
