"""Expo booths in headless Chromium: the organiser lays out booths, an exhibitor applies on a phone with a
showcased capability, the organiser assigns a booth, and a visitor finds the exhibitor on the floor list."""

from __future__ import annotations

import pytest

from app.core.enums import EventType, PostingKind, TicketType
from app.extensions import db
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import EventFactory, PostingFactory, RegistrationFactory, TicketCategoryFactory

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


def test_exhibitor_applies_organiser_assigns_visitor_finds_the_booth(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        expo = EventFactory(event_type=EventType.EXPO, title="2026 内蒙古新材料博览会")
        ticket = TicketCategoryFactory(event=expo, ticket_type=TicketType.EXHIBITOR)
        registration = RegistrationFactory(event=expo, ticket_category=ticket)
        registration.org.name = "包头稀宝新材料有限公司"
        PostingFactory(org=registration.org, kind=PostingKind.CAPABILITY, title="稀土抛光粉量产线")
        db.session.commit()
        expo_id, organiser, exhibitor = expo.id, expo.organiser.email, registration.user.email

    boss = new_page(DESKTOP)
    log_in(boss, base, organiser)
    boss.goto(f"{base}/events/{expo_id}/booths")
    boss.fill("input[name=numbers]", "A01-A12")
    boss.fill("input[name=zone]", "新材料展区")
    boss.click("button:has-text('创建展位')")
    boss.locator(".alert-success").filter(has_text="已创建 12 个展位").wait_for()

    phone = new_page(PHONE)
    log_in(phone, base, exhibitor)
    phone.goto(f"{base}/events/{expo_id}/booths/apply")
    phone.fill("input[name=preferred_zone]", "新材料展区")
    phone.check("text=稀土抛光粉量产线")
    screenshot(phone, "booths-apply-phone")
    phone.click("button:has-text('提交申请')")
    phone.locator(".alert-success").filter(has_text="展位申请已提交").wait_for()

    boss.goto(f"{base}/events/{expo_id}/booths")
    boss.select_option("select[name=booth_id]", label="A05 · 新材料展区 · 标准展位")
    boss.click("button:has-text('分配')")
    boss.locator(".alert-success").filter(has_text="已分配展位 A05").wait_for()
    screenshot(boss, "booths-manage-desktop")

    visitor = new_page(PHONE)
    visitor.goto(f"{base}/events/{expo_id}/floor")
    visitor.fill("input[name=q]", "抛光粉")
    visitor.press("input[name=q]", "Enter")
    card = visitor.locator(".booth-card").filter(has_text="包头稀宝新材料有限公司")
    card.wait_for()
    assert "A05" in card.inner_text()
    assert visitor.locator(".booth-card").count() == 1
    screenshot(visitor, "booths-floor-phone")
    card.locator("a").first.click()
    visitor.wait_for_load_state()
    assert "稀土抛光粉量产线" in visitor.inner_text("h1")
