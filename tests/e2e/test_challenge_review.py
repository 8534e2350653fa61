"""专家评审 in a browser: an expert of a blind review signs the no-conflict declaration on the phone, reads the
application (no names anywhere) and scores it; the issuer reads the setup and the ranked results on the desktop.
Screenshots (390 px and desktop) in /tmp/shots/review/."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.challenges.review.assignment import assign_experts
from app.core.challenge_enums import ReviewStage
from app.core.clock import local_today
from app.extensions import db
from tests.challenges.review.helpers import LEAD_NAME, PARTNER_NAME, TEAM, make_application, screened, world
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("REVIEW_SHOTS", "/tmp/shots/review"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def review(live_server):
    with live_server.app_context():
        w = world(db, blind=True, experts=3)
        w.application.summary = f"由{LEAD_NAME}牵头，采用晶界扩散技术降低重稀土用量，{TEAM[0]['name']}教授团队负责。"
        screened(db, w.application, w.other_application)
        report = assign_experts(w.item, ReviewStage.REVIEW, [w.application, w.other_application], w.issuer_user)
        make_application(db, w.item, OrgFactory(name="赤峰精密制造有限公司"), project_title="稀土永磁电机转子总成")
        db.session.commit()
        mine = report.made[0]
        return {"item_id": w.item.id, "issuer": w.issuer_user.email, "expert": mine.expert.user.email, "id": mine.id}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_an_expert_declares_reads_blind_and_scores_and_the_issuer_sees_the_ranking(live_server, new_page, review):
    base = live_server.live_url
    phone = new_page(PHONE)
    log_in(phone, base, review["expert"])
    phone.goto(f"{base}/challenges/reviews")
    assert "申报单位A" in phone.inner_text("body") and "待签署声明" in phone.inner_text("body")
    phone.click(f"a[data-assignment='{review['id']}']")
    assert "无利益冲突声明" in phone.inner_text("body")
    shot(phone, "declaration-phone")
    phone.check("#confirm")
    phone.get_by_role("button", name="签署声明并查看申报材料").click()
    phone.wait_for_load_state("networkidle")
    body = phone.inner_text("body")
    for secret in (LEAD_NAME, PARTNER_NAME, TEAM[0]["name"], TEAM[1]["name"]):
        assert secret not in body and secret not in phone.title()
    assert "晶界扩散" in body
    inputs = phone.locator("#score input[type=number]")
    inputs.nth(0).fill("31")
    inputs.nth(1).fill("15")
    phone.get_by_role("button", name="保存评分").click()
    phone.wait_for_load_state("networkidle")
    assert "0 到 30 之间" in phone.inner_text("#score")
    inputs = phone.locator("#score input[type=number]")
    inputs.nth(0).fill("25.5")
    phone.fill("#comment", "技术路线清晰，中试条件具备；建议补充批量一致性数据。")
    phone.get_by_role("button", name="保存评分").click()
    phone.wait_for_load_state("networkidle")
    assert "评分已保存" in phone.inner_text("body")
    _no_sideways_scroll(phone)
    phone.locator("#score").scroll_into_view_if_needed()
    shot(phone, "scoring-phone")
    phone.screenshot(path=str(SHOTS / "scoring-phone-score-card.png"))
    phone.goto(f"{base}/challenges/reviews")
    assert "已评分" in phone.inner_text(f"a[data-assignment='{review['id']}']")
    shot(phone, "mine-phone")

    desk = new_page(DESKTOP)
    log_in(desk, base, review["expert"])
    desk.goto(f"{base}/challenges/reviews/{review['id']}")
    shot(desk, "scoring-desktop")
    desk.screenshot(path=str(SHOTS / "scoring-desktop-top.png"))

    issuer = new_page(DESKTOP)
    log_in(issuer, base, review["issuer"])
    issuer.goto(f"{base}/challenges/manage/items/{review['item_id']}/review")
    shot(issuer, "setup-desktop")
    issuer.goto(f"{base}/challenges/manage/items/{review['item_id']}/results")
    assert "1/2 位专家" in issuer.inner_text("#results")
    shot(issuer, "results-desktop")
    issuer.goto(f"{base}/challenges/manage/items/{review['item_id']}/applications")
    pending = issuer.locator("article", has_text="赤峰精密制造有限公司")
    pending.locator("summary", has_text="退回补正").click()
    pending.locator("textarea[name=reasons]").fill("缺少第三方检测报告；预算明细与总额不符")
    pending.locator("input[name=resubmit_by]").fill((local_today() + timedelta(days=7)).isoformat())
    pending.locator("textarea[name=reasons]").click()  # the calendar closes
    shot(issuer, "screening-desktop")
    pending.get_by_role("button", name="退回补正并通知申报单位").click()
    issuer.wait_for_load_state("networkidle")
    assert "已退回补正" in issuer.inner_text("body")
    assert "缺少第三方检测报告" in issuer.locator("article", has_text="赤峰精密制造有限公司").inner_text()
