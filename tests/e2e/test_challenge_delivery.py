"""任务书 in a browser: the issuer signs the awarded team's 任务书 on the desk (prefilled from the plan) and
records the first payment; the team reports on a milestone at phone width. Screenshots (390 px and desktop) of
the contract page in /tmp/shots/delivery/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.challenges.applications.models import ChallengeApplication
from app.core.challenge_enums import ApplicationStatus, ItemStatus
from app.core.enums import OrgType
from app.extensions import db
from tests.challenges.helpers import make_item
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("DELIVERY_SHOTS", "/tmp/shots/delivery"))


@pytest.fixture
def world(live_server):
    with live_server.app_context():
        issuer_org = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY)
        sme = OrgFactory(name="包头市稀宝永磁有限公司", region="150200")
        issuer, member = UserFactory(org=issuer_org), UserFactory(org=sme)
        item = make_item(db, issuer_org, status=ItemStatus.IMPLEMENTING)
        application = ChallengeApplication(
            item_id=item.id,
            org_id=sme.id,
            status=ApplicationStatus.AWARDED,
            project_title="高丰度稀土永磁体晶界扩散制备技术",
            milestones=[{"name": "中试线建成", "months": 12, "deliverable": "中试线验收报告"}],
        )
        db.session.add(application)
        db.session.commit()
        return {"item_id": item.id, "application_id": application.id, "issuer": issuer.email, "member": member.email}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_issuer_signs_and_pays_and_the_team_reports(new_page, live_server, world):
    base, item_id = live_server.live_url, world["item_id"]
    phone_issuer = new_page(PHONE)
    log_in(phone_issuer, base, world["issuer"])
    phone_issuer.goto(f"{base}/challenges/manage/items/{item_id}/delivery/sign/{world['application_id']}")
    no_sideways_scroll(phone_issuer)
    shot(phone_issuer, "sign-390")
    issuer = new_page(DESKTOP)
    log_in(issuer, base, world["issuer"])
    issuer.goto(f"{base}/challenges/manage/items/{item_id}/delivery")
    issuer.click("text=签订任务书")
    assert issuer.input_value("input[name=amount_wan]") == "100.00"
    shot(issuer, "sign-desktop")
    issuer.click('main form button[type=submit]:has-text("签订任务书")')
    issuer.wait_for_load_state("networkidle")
    assert "任务书已签订" in issuer.content()
    contract_url = issuer.url
    issuer.select_option("select[name=tranche_id]", label="首付款（30%）")
    issuer.fill("input[name=amount_wan]", "30")
    issuer.click("#payments form button[type=submit]")
    issuer.wait_for_load_state("networkidle")
    assert "拨付已登记" in issuer.content()

    team = new_page(PHONE)
    log_in(team, base, world["member"])
    team.goto(contract_url)
    no_sideways_scroll(team)
    team.click("details summary >> nth=0")
    team.fill("#milestones textarea[name=body] >> nth=0", "中试线已完成安装调试，连续运行 72 小时。")
    team.fill("#milestones input[name^=ind_] >> nth=0", "52.4")
    team.click("#milestones form button[type=submit] >> nth=0")
    team.wait_for_load_state("networkidle")
    assert "里程碑报告已提交" in team.content()
    no_sideways_scroll(team)
    shot(team, "contract-390")

    issuer.goto(contract_url)
    shot(issuer, "contract-desktop")
    issuer.goto(f"{base}/challenges/manage/items/{item_id}/delivery")
    shot(issuer, "desk-desktop")
    phone_issuer.goto(contract_url)
    no_sideways_scroll(phone_issuer)
    shot(phone_issuer, "contract-issuer-390")
    phone_issuer.goto(f"{base}/challenges/manage/items/{item_id}/delivery")
    no_sideways_scroll(phone_issuer)
    shot(phone_issuer, "desk-390")
    visitor = new_page(PHONE)
    visitor.goto(f"{base}/challenges/items/{item_id}/result")
    assert "包头市稀宝永磁有限公司" in visitor.content() and "30 万元" not in visitor.content()
    no_sideways_scroll(visitor)
    shot(visitor, "result-390")
