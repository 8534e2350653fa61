"""揭榜 in a browser at phone width: an SME fills the 揭榜申报书 with a consortium partner and a file, the partner
confirms, the SME submits and reads its application. Screenshots (390 px and desktop) in /tmp/shots/applications/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.enums import OrgType, PostingKind
from app.extensions import db
from app.matching.models import Match
from tests.challenges.helpers import make_item
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory, PostingFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("APPLICATION_SHOTS", "/tmp/shots/applications"))
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def world(live_server):
    with live_server.app_context():
        issuer = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY)
        sme = OrgFactory(name="包头市稀宝永磁有限公司", region="150200")
        institute = OrgFactory(name="包头稀土研究院", org_type=OrgType.INSTITUTE, region="150200")
        users = {
            "sme": UserFactory(org=sme),
            "institute": UserFactory(org=institute),
            "issuer": UserFactory(org=issuer),
        }
        capability = PostingFactory(org=sme, kind=PostingKind.CAPABILITY, title="烧结钕铁硼永磁体年产 3000 吨生产线")
        achievement = PostingFactory(org=institute, title="晶界扩散重稀土减量技术")
        item = make_item(db, issuer)
        for rank, target in enumerate((achievement, capability), start=1):
            db.session.add(
                Match(source_id=item.posting_id, target_id=target.id, target_kind=target.kind, rank=rank, score=0.7,
                      reasons={"terms": [{"term": "晶界扩散", "fields": ["title"]}], "semantic": "high"})
            )  # fmt: skip
        db.session.commit()
        return {"item_id": item.id, **{role: user.email for role, user in users.items()}}


def shot(page, name: str) -> None:
    """The whole page, and screen-sized parts of it (a long phone page is unreadable scaled down whole)."""
    (SHOTS / "parts").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width, screen = page.viewport_size["width"], page.viewport_size["height"]
    height = page.evaluate("document.documentElement.scrollHeight")
    for n, top in enumerate(range(0, height, screen)):
        clip = {"x": 0, "y": top, "width": width, "height": min(screen, height - top)}
        page.screenshot(path=str(SHOTS / "parts" / f"{name}-{n}.png"), full_page=True, clip=clip)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def fill_application(page, tmp_path) -> None:
    page.fill("input[name=project_title]", "高丰度稀土永磁体晶界扩散制备技术")
    page.fill("textarea[name=summary]", "以镧铈替代部分镨钕，结合晶界扩散，实现高性能烧结钕铁硼批量制备。")
    page.fill("textarea[name=technical_plan]", "成分设计 → 速凝铸片 → 氢破气流磨 → 取向成型 → 烧结 → 晶界扩散。")
    page.fill("textarea[name='indicator_plans-0-plan']", "晶界扩散镝铽，磁能积达到 52 MGOe 以上。")
    page.fill("textarea[name='indicator_plans-1-plan']", "优化晶界相，150℃ 退磁率控制在 3% 以内。")
    for name, value in {
        "team-0-name": "王建国",
        "team-0-title": "正高级工程师",
        "team-0-role": "项目负责人",
        "budget-0-item": "设备费",
        "budget-0-amount_wan": "60",
        "budget-1-item": "测试化验费",
        "budget-1-amount_wan": "20",
        "milestones-0-name": "中试线建成",
        "milestones-0-months": "12",
        "milestones-0-deliverable": "中试线验收报告",
        "partners-0-org_name": "包头稀土研究院",
        "partners-0-part": "磁性能检测与微观表征",
        "partners-0-budget_share": "15",
    }.items():
        page.fill(f"input[name='{name}']", value)
    page.check("input[name=linked_postings]")
    file = tmp_path / "技术方案书.pdf"
    file.write_bytes(PDF)
    page.set_input_files("input[name=attachments]", str(file))
    page.check("input[name=commitment]")


def test_an_sme_applies_with_a_partner_who_confirms(new_page, live_server, world, tmp_path):
    base, item_id = live_server.live_url, world["item_id"]
    page = new_page(PHONE)
    log_in(page, base, world["sme"])
    page.goto(f"{base}/challenges/items/{item_id}/apply")
    no_sideways_scroll(page)
    shot(page, "apply-empty-390")
    fill_application(page, tmp_path)
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert "合作单位“包头稀土研究院”尚未确认参与" in page.content()
    no_sideways_scroll(page)
    shot(page, "apply-waiting-partner-390")

    partner = new_page(PHONE)
    log_in(partner, base, world["institute"])
    partner.goto(f"{base}/challenges/applications/mine")
    partner.click("#partner-requests a")
    shot(partner, "partner-390")
    partner.click("button[value=confirm]")
    partner.wait_for_load_state("networkidle")
    assert "已确认参与该联合体" in partner.content()

    page.goto(f"{base}/challenges/items/{item_id}/apply")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert "申报已提交" in page.content() and "技术方案书.pdf" in page.content()
    no_sideways_scroll(page)
    shot(page, "application-390")
    page.goto(f"{base}/challenges/items/{item_id}")
    assert "已有 1 份揭榜申请" in page.content()

    desktop = new_page(DESKTOP)
    log_in(desktop, base, world["sme"])
    desktop.goto(page.url)
    shot(desktop, "application-desktop")
    desktop.goto(f"{base}/challenges/items/{item_id}/apply")
    shot(desktop, "apply-desktop")
    desktop.goto(f"{base}/challenges/applications/mine")
    shot(desktop, "mine-desktop")


def test_the_issuer_sees_likely_applicants_with_reasons_and_invites_one(new_page, live_server, world):
    base, item_id = live_server.live_url, world["item_id"]
    page = new_page(PHONE)
    log_in(page, base, world["issuer"])
    page.goto(f"{base}/challenges/manage/items/{item_id}/invites")
    assert "晶界扩散重稀土减量技术" in page.content() and "共同词语：晶界扩散" in page.content()
    no_sideways_scroll(page)
    page.fill("#suggestions form input[name=message] >> nth=0", "欢迎贵院揭榜")
    page.click("#suggestions form button >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "已邀请“包头稀土研究院”" in page.content()
    shot(page, "invites-390")
    desktop = new_page(DESKTOP)
    log_in(desktop, base, world["issuer"])
    desktop.goto(page.url)
    shot(desktop, "invites-desktop")
