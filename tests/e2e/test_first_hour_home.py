"""A new user's first hour, on a 390 px phone, on the demo site as `make run` builds it: a visitor learns what
the platform is for and where to start; the demo SME finds what waits for it and where to publish; a posting's
owner sees the owner's actions before the recommendations, and the fourth recommendation behind a toggle."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import PostingStatus
from app.demo.data.orgs import DEMO_PASSWORD
from app.demo.services import seed_demo
from app.extensions import db
from app.matching.services import matches_for_posting
from app.postings.models import Posting
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, serving
from tests.e2e.test_journey_foundation import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SME = "sme@lianqiao.demo"
# The narrowest window that shows the whole navigation in one bar (Bootstrap's xl).
NARROWEST_OPEN_MENU = {"width": 1200, "height": 800}


def _posting_with_most_recommendations() -> tuple[str, str]:
    """A demo posting with more than three recommendations, and one of its owners' e-mail."""
    sources = db.session.scalars(
        sa.select(Posting).where(Posting.status == PostingStatus.PUBLISHED).order_by(Posting.id)
    )
    for posting in sources:
        if len(matches_for_posting(posting)) > 3:
            owner = db.session.scalars(sa.select(User).where(User.org_id == posting.org_id)).first()
            if owner is not None:
                return f"/postings/{posting.kind.value}/{posting.id}", owner.email
    raise AssertionError("no demo posting has more than three recommendations")


@pytest.fixture(scope="module")
def demo_site(database_url, tmp_path_factory):
    """`make seed` on a fresh database (demo data, the drain, the first matching run), served once for the module."""
    from app import create_app
    from tests.conftest import _truncate_all

    upload = tmp_path_factory.mktemp("uploads")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(upload),
            "WTF_CSRF_ENABLED": True,
            "EMBEDDINGS": True,
        }
    )
    with app.app_context():
        seed_demo()
        db.session.commit()
        runner = app.test_cli_runner()
        for args in (["search", "drain"], ["matching", "run", "--if-missing"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        posting_path, owner = _posting_with_most_recommendations()
        db.session.remove()
    with serving(app):
        yield app.live_url, posting_path, owner
    _truncate_all(app)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_on_a_phone_sees_what_it_is_for_where_to_start_and_how_it_works(new_page, demo_site):
    base, _, _ = demo_site
    page = new_page(PHONE)
    page.goto(base + "/")
    assert "千校万企协同创新 · 大中小企业融通" in page.locator("h1").inner_text()
    for label in ("发布成果", "发布需求", "发布采购"):
        assert page.get_by_role("link", name=label, exact=True).is_visible()
    steps = page.locator("#how-title + ol").inner_text()
    assert "智能匹配（附理由）" in steps and "对接签约" in steps
    events = page.locator("[data-home-event]")
    assert events.count() >= 1 and "即将上线" not in page.inner_text("body")
    assert page.locator("[data-home-event] a.btn").first.is_visible()
    assert "四类一起搜" in page.locator("input[name=q]").get_attribute("placeholder")
    assert fits_the_screen(page)
    screenshot(page, "home-visitor-phone")

    page.get_by_role("link", name="发布需求", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "/auth/login" in page.url and "next=" in page.url
    log_in_here(page, SME)
    assert page.url.endswith("/postings/need/new")


def log_in_here(page, email):
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_demo_sme_finds_its_start_and_the_publish_menu_on_a_phone(new_page, demo_site):
    base, _, _ = demo_site
    page = new_page(PHONE)
    log_in(page, base, SME, DEMO_PASSWORD)
    page.goto(base + "/")
    assert "您好" in page.locator("h1").inner_text()
    for card in ("#todo", "#new-matches", "#my-events"):
        assert page.locator(card).is_visible()
    assert page.locator("#new-matches li").count() >= 1
    assert page.locator("#new-matches a", has_text="我的匹配").is_visible()
    assert fits_the_screen(page)
    screenshot(page, "home-sme-phone")

    page.locator(".navbar-toggler").click()
    page.locator("#nav-publish > a").click()
    menu = page.locator("#nav-publish .dropdown-menu")
    menu.wait_for(state="visible")
    assert menu.locator("a").all_inner_texts() == ["发布科技成果", "发布研发需求", "发布采购需求", "发布企业能力/产品"]
    assert page.locator("#mainNav").get_by_role("link", name="我的匹配").is_visible()
    screenshot(page, "home-sme-phone-menu")

    desktop = new_page(DESKTOP)
    log_in(desktop, base, SME, DEMO_PASSWORD)
    desktop.goto(base + "/")
    assert desktop.locator("#nav-publish").is_visible()
    screenshot(desktop, "home-sme-desktop")

    narrow = new_page(NARROWEST_OPEN_MENU)
    log_in(narrow, base, SME, DEMO_PASSWORD)
    narrow.goto(base + "/")
    assert narrow.locator("#nav-publish").is_visible()
    assert narrow.locator("nav.navbar").bounding_box()["height"] < 70  # one line, no label broken in two
    screenshot(narrow, "home-sme-1200")


def test_the_owner_sees_the_actions_first_and_the_fourth_recommendation_behind_the_toggle(new_page, demo_site):
    base, posting_path, owner = demo_site
    page = new_page(PHONE)
    log_in(page, base, owner, DEMO_PASSWORD)
    page.goto(base + posting_path)
    actions = page.locator("#owner-actions")
    items = page.locator("#recommendations li.list-group-item")
    assert actions.get_by_role("link", name="编辑").is_visible()
    assert actions.bounding_box()["y"] < items.first.bounding_box()["y"]
    assert items.nth(2).is_visible() and not items.nth(3).is_visible()
    screenshot(page, "posting-owner-phone")

    toggle = page.locator("#recommendations .lq-toggle")
    assert f"查看全部 {items.count()} 条推荐" in toggle.inner_text()
    toggle.click()
    items.nth(3).wait_for(state="visible")
    assert "收起推荐" in toggle.inner_text()
    screenshot(page, "posting-owner-phone-all-recommendations")

    desktop = new_page(DESKTOP)
    log_in(desktop, base, owner, DEMO_PASSWORD)
    desktop.goto(base + posting_path)
    assert desktop.locator("#recommendations li.list-group-item").nth(3).is_visible()
    assert not desktop.locator("#recommendations .lq-toggle").is_visible()
    screenshot(desktop, "posting-owner-desktop")


def test_every_search_tab_is_on_screen_on_a_phone(new_page, demo_site):
    base, _, _ = demo_site
    page = new_page(PHONE)
    page.goto(base + "/search?q=稀土")
    tabs = page.locator(".lq-tabs a")
    assert tabs.count() == 6  # 全部, the four kinds, 惠企政策
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], tabs.nth(i).inner_text()
    screenshot(page, "search-tabs-phone")


def test_the_demo_organiser_and_admin_start_from_their_events_and_queues(new_page, demo_site):
    base, _, _ = demo_site
    organiser = new_page(PHONE)
    log_in(organiser, base, "organiser@lianqiao.demo", DEMO_PASSWORD)
    organiser.goto(base + "/")
    assert organiser.locator("[data-organised-event]").count() >= 1
    assert "报名机构" in organiser.locator("#organised").inner_text()
    assert organiser.locator("#todo").count() == 0 and fits_the_screen(organiser)
    screenshot(organiser, "home-organiser-phone")

    admin = new_page(DESKTOP)
    log_in(admin, base, "admin@lianqiao.demo", DEMO_PASSWORD)
    admin.goto(base + "/")
    queues = admin.locator("#admin-queues").inner_text()
    assert "待认证机构" in queues and "待审核信息" in queues
    screenshot(admin, "home-admin-desktop")
