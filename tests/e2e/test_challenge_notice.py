"""The 公示 in a browser: a firm reads the public 公示 on a phone and lodges an objection with a PDF (CSRF and the
once-only submit button real), the public sees no objector, and the issuer answers on the desk. Screenshots in
/tmp/shots/notice/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.challenges.notice.services import publish_notice
from app.extensions import db
from tests.challenges.notice.conftest import build_world
from tests.challenges.notice.helpers import PDF, REASONS, score_applications
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey_foundation import log_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("NOTICE_SHOTS", "/tmp/shots/notice"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(live_server):
    with live_server.app_context():
        w = build_world(db)
        score_applications(w.item, {w.apps[0]: 91.5, w.apps[1]: 86, w.apps[2]: 78.5})
        publish_notice(
            w.item, [w.apps[0].id], "5", "经形式审查、专家评审，现将拟揭榜单位予以公示。", None, w.issuer_user
        )
        db.session.commit()
        return {
            "item_id": w.item.id,
            "issuer": w.issuer_user.email,
            "objector": w.objector.email,
            "objector_org": w.objector_org.name,
            "winner": w.orgs[0].name,
        }


def test_a_firm_objects_on_a_phone_and_the_issuer_answers(live_server, world, new_page, tmp_path):
    base = live_server.live_url
    url = f"{base}/challenges/items/{world['item_id']}/notice"

    public = new_page(PHONE)
    public.goto(url)
    assert world["winner"] in public.inner_text("main") and "公示期：" in public.inner_text("#notice-period")
    assert "请登录后提出异议" in public.inner_text("main")
    shot(public, "notice-phone-public")

    firm = new_page(PHONE)
    log_in(firm, base, world["objector"])
    firm.goto(url)
    evidence = tmp_path / "检测报告.pdf"
    evidence.write_bytes(PDF)
    firm.fill("textarea[name=reasons]", REASONS)
    firm.set_input_files("input[name=files]", str(evidence))
    shot(firm, "notice-phone-objection-form")
    firm.click("#objection-form button[type=submit]")
    firm.wait_for_load_state("networkidle")
    assert "异议已提交" in firm.inner_text("main") and "待答复" in firm.inner_text("main")
    shot(firm, "notice-phone-objection-lodged")

    public.reload()
    assert "共收到异议 1 件" in public.inner_text("main") and world["objector_org"] not in public.content()

    desk = new_page(DESKTOP)
    log_in(desk, base, world["issuer"])
    desk.goto(url)
    shot(desk, "notice-desktop-issuer")
    desk.click("text=进入立项决定与异议答复")
    assert world["objector_org"] in desk.inner_text("main") and "检测报告.pdf" in desk.inner_text("main")
    desk.check("input[name=decision][value=dismiss]")
    desk.fill("textarea[name=answer]", "经核查，相关检测报告由具备CMA资质的机构出具，异议所述情况不属实。")
    shot(desk, "decision-desktop-objection")
    desk.click("section[id^=objection-] button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert "答复已保存" in desk.inner_text("main") and "异议不成立" in desk.inner_text("main")
    shot(desk, "decision-desktop-answered")

    firm.reload()
    assert "发榜方答复" in firm.inner_text("main")


@pytest.fixture
def undecided(live_server):
    with live_server.app_context():
        w = build_world(db)
        score_applications(w.item, {w.apps[0]: 91.5, w.apps[1]: 86, w.apps[2]: 78.5})
        return {"item_id": w.item.id, "issuer": w.issuer_user.email, "admin": w.admin.email, "winner": w.orgs[0].name}


def test_the_issuer_publishes_the_notice_from_the_desk_on_a_phone(live_server, undecided, new_page):
    base = live_server.live_url
    page = new_page(PHONE)
    log_in(page, base, undecided["issuer"])
    page.goto(f"{base}/challenges/manage/items/{undecided['item_id']}/decision")
    assert page.is_checked("input[name=application_ids] >> nth=0")  # the best ranked, by default
    page.select_option("select[name=working_days]", "7")
    shot(page, "decision-phone-before")
    page.click("#publish-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "公示已发布" in page.inner_text("main") and "7个工作日" in page.inner_text("main")
    shot(page, "decision-phone-published")

    admin = new_page(DESKTOP)
    log_in(admin, base, undecided["admin"])
    admin.goto(f"{base}/challenges/workdays")
    assert "年份收录情况" in admin.inner_text("main")
    shot(admin, "workdays-desktop")
