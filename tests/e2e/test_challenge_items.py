"""The 榜单 desk and the public item page in a browser: an authority writes a 赛马制 item on a phone (rows without
any JavaScript needed, N/M shown only for 赛马制), is told when its plan does not sum to 100, publishes, and a
firm reads the item page and asks a question. Screenshots in /tmp/shots/items/."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.challenge_enums import BatchStatus
from app.core.clock import local_today
from app.core.enums import OrgType
from app.extensions import db
from tests.challenges.helpers import make_batch
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ITEMS_SHOTS", "/tmp/shots/items"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(live_server):
    with live_server.app_context():
        authority = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY, region="150100")
        official = UserFactory(org=authority, name="李处长")
        firm = UserFactory(org=OrgFactory(name="包头稀土新材料有限公司", region="150200"))
        today = local_today()
        batch = make_batch(
            db, authority, status=BatchStatus.DRAFT, opens_on=today, closes_on=today + timedelta(days=30)
        )
        db.session.commit()
        return {"official": official.email, "firm": firm.email, "batch_id": batch.id}


def write_item(page, base: str, batch_id: int) -> None:
    page.goto(f"{base}/challenges/manage/batches/{batch_id}/items/new")
    assert not page.is_visible("input[name=teams_stage1]")  # 揭榜挂帅 by default: N and M hidden
    page.fill("input[name=title]", "高丰度稀土永磁材料赛马攻关")
    page.fill("textarea[name=goal]", "以镧铈等高丰度稀土部分替代镨钕，开发低成本高性能烧结永磁体。")
    page.select_option("select[name=industry]", "C32")
    page.fill("input[name=keywords]", "稀土；永磁；镧铈")
    page.fill("input[name=complete_by]", "2028-12-31")
    page.keyboard.press("Escape")
    page.fill("input[name=funding_wan]", "900")
    page.fill("input[name='indicators-0-name']", "最大磁能积")
    page.fill("input[name='indicators-0-target']", "≥ 45")
    page.fill("input[name='indicators-0-unit']", "MGOe")
    assert not page.is_visible("input[name='indicators-1-name']")  # one blank row at a time, more on demand
    page.click("#indicators >> text=再加一行")
    page.fill("input[name='indicators-1-name']", "高丰度稀土替代比例")
    page.fill("input[name='indicators-1-target']", "≥ 30")
    page.fill("input[name='indicators-1-unit']", "%")
    for n, (name, percent, trigger) in enumerate(
        [("首付款", "30", "signing"), ("阶段评估款", "30", "gate"), ("验收款", "30", "acceptance")]
    ):
        if n:
            page.click("#tranches >> text=再加一行")
        page.fill(f"input[name='tranches-{n}-name']", name)
        page.fill(f"input[name='tranches-{n}-percent']", percent)
        page.select_option(f"select[name='tranches-{n}-trigger']", trigger)
    page.select_option("select[name=mode]", "horse_race")
    assert page.is_visible("input[name=teams_stage1]")
    page.fill("input[name=teams_stage1]", "3")
    page.fill("input[name=teams_kept]", "1")
    page.check("input[name=eligible_org_types][value=university]")
    page.check("input[name=eligible_org_types][value=sme]")


def test_an_authority_publishes_a_horse_race_item_and_a_firm_reads_it(live_server, world, new_page):
    base = live_server.live_url
    page = new_page(PHONE)
    log_in(page, base, world["official"])
    write_item(page, base, world["batch_id"])
    page.click("form[data-item-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "付款计划各期比例之和应为 100%（现在是 90%）" in page.inner_text("body")
    shot(page, "editor-error-390")
    page.fill("input[name='tranches-2-percent']", "40")
    page.click("form[data-item-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "项目已保存" in page.inner_text("body")
    item_url = page.url
    page.goto(f"{base}/challenges/manage/batches/{world['batch_id']}")
    shot(page, "desk-batch-390")
    item_id = int(item_url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"{base}/challenges/manage/items/{item_id}/edit")
    shot(page, "editor-390")
    desk = new_page(DESKTOP)
    log_in(desk, base, world["official"])
    desk.goto(f"{base}/challenges/manage/items/{item_id}/edit")
    shot(desk, "editor-desktop")
    desk.goto(f"{base}/challenges/manage/batches/{world['batch_id']}")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.click("text=发布榜单")
    desk.wait_for_load_state("networkidle")
    assert "榜单已发布" in desk.inner_text("body")
    desk.goto(item_url)
    shot(desk, "desk-item-desktop")
    desk.set_viewport_size({"width": 1200, "height": 900})  # the narrowest width with the full header
    assert desk.locator("nav.navbar").bounding_box()["height"] < 80  # one line, the new 揭榜挂帅 link included
    shot(desk, "desk-item-1200")

    firm = new_page(PHONE)
    firm.goto(f"{base}/challenges/")
    assert "高丰度稀土永磁材料赛马攻关" in firm.inner_text("body")
    shot(firm, "list-390")
    log_in(firm, base, world["firm"])
    firm.goto(f"{base}/challenges/items/{item_id}")
    body = firm.inner_text("body")
    assert "首阶段支持 3 支团队并行攻关，阶段评估后保留 1 支" in body and "900 万元" in body
    firm.fill("textarea[name=body]", "联合体成员是否可以是区外高校？")
    firm.click("form[action$='/questions'] button[type=submit]")
    firm.wait_for_load_state("networkidle")
    assert "问题已提交" in firm.inner_text("body")
    shot(firm, "item-390")
    public = new_page(DESKTOP)
    public.goto(f"{base}/challenges/items/{item_id}")
    shot(public, "item-desktop")
