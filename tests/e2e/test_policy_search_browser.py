"""In the browser, at 390 px and on a desktop: the 惠企政策 tab of /search with its facets, narrowed to 即将截止,
and the 相关政策 box on the firm's own MES need (screenshots in SCREENSHOT_DIR, see tests/e2e/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.clock import local_today
from app.core.enums import PostingKind
from app.extensions import db as database
from app.search.sync import drain_outbox
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_event_meetings_judging import browser_log_in
from tests.factories import OrgFactory, PostingFactory, UserFactory
from tests.policies.search.helpers import DIGITAL, DIGITAL_ITEM, JOBS, JOBS_ITEM, make_policy

pytestmark = pytest.mark.browser


def seed(app) -> dict:
    with app.app_context():
        # The browser keeps the real clock: windows are set from today in Beijing, not the helpers' fixed dates.
        today = local_today()
        digital = {**DIGITAL_ITEM, "opens_on": today - timedelta(days=30), "closes_on": today + timedelta(days=30)}
        jobs = {**JOBS_ITEM, "closes_on": today + timedelta(days=20)}
        make_policy(database, DIGITAL, [digital, {**digital, "title": "工业软件上云服务券"}])
        make_policy(database, JOBS, [jobs, {**jobs, "title": "以工代训补贴", "closes_on": today}])
        org = OrgFactory(name="包头智造装备有限公司", region="150200")
        need = PostingFactory(
            org=org,
            kind=PostingKind.NEED,
            title="车间想上一套MES系统",
            body="生产过程靠纸质单据，想上MES实现车间生产数据采集和数字化管理。",
            keywords=["MES", "生产管理"],
        )
        user = UserFactory(org=org)
        database.session.commit()
        drain_outbox()
        return {"need": need.id, "email": user.email}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_policy_tab_and_related_policies_in_the_browser(live_server, new_page, viewport):
    base, seeded = live_server.live_url, seed(live_server)
    width = "phone" if viewport is PHONE else "desktop"
    page = new_page(viewport)
    page.goto(f"{base}/search?q=补贴")
    page.locator(".lq-tabs").get_by_role("link", name="惠企政策").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-policy-item]").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"policy-search-{width}")

    page.goto(f"{base}/search?kind=policy&window=closing")
    cards = page.locator("[data-policy-item]")
    assert cards.count() == 1 and "以工代训补贴" in cards.inner_text() and "即将截止" in cards.inner_text()
    screenshot(page, f"policy-search-closing-{width}")

    browser_log_in(page, base, seeded["email"])
    page.goto(f"{base}/postings/need/{seeded['need']}")
    box = page.locator("#related-policies")
    assert "数字化改造项目补助" in box.inner_text() and "共同词语" in box.inner_text()
    assert "稳岗" not in box.inner_text()
    box.scroll_into_view_if_needed()
    screenshot(page, f"related-policies-{width}")
