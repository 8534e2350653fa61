"""In the browser: the unread badge, opening a notice, and the e-mail preferences page."""

from __future__ import annotations

import pytest

from app.core.enums import DigestFrequency, NotificationKind
from app.notifications.models import NotificationSettings
from tests.e2e import conftest as e2e
from tests.e2e.test_journey_foundation import log_in
from tests.factories import PostingFactory, UserFactory
from tests.notifications.helpers import say

K = NotificationKind


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_user_sees_the_badge_opens_a_notice_and_sets_email_preferences(live_server, new_page, size):
    from app.extensions import db

    with live_server.app_context():
        user = UserFactory()
        posting = PostingFactory(org=user.org, title="稀土永磁电机高效冷却技术")
        say(user, "match:1:2", K.MATCH_NEW, f"/postings/achievement/{posting.id}")
        say(user, "docking_request:3:received", K.DOCKING_REQUEST, None)
        say(user, "posting:4:posting_approved:2", K.POSTING_APPROVED, None)
        db.session.commit()
        email = user.email
    page = new_page(e2e.DESKTOP if size == "desktop" else e2e.PHONE)
    log_in(page, live_server.live_url, email)
    bell = page.locator("a[title=我的通知]:visible")
    assert bell.inner_text().strip() == "3"
    bell.click()
    page.wait_for_load_state("networkidle")
    e2e.screenshot(page, f"notifications-list-{size}")
    page.click("text=通知 match:1:2")
    page.wait_for_load_state("networkidle")
    assert "稀土永磁电机高效冷却技术" in page.inner_text("h1")
    assert page.locator("a[title=我的通知]:visible").inner_text().strip() == "2"

    page.goto(f"{live_server.live_url}/notifications/settings")
    page.check("input[value=daily]")
    page.uncheck("#emailed-match_new")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "通知设置已保存" in page.inner_text("body")
    e2e.screenshot(page, f"notifications-settings-{size}")
    with live_server.app_context():
        settings = db.session.get(NotificationSettings, user.id)
        assert settings.frequency == DigestFrequency.DAILY and not settings.emails(K.MATCH_NEW)
