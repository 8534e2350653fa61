"""The definition-of-done journey in headless Chromium, from a stranger to a checked-in attendee: a new SME
registers its organisation, the platform admin verifies it from the queue, the SME posts a need and the admin
publishes it from the moderation page, matching runs (as `flask search drain` does), the SME reads "为什么推荐"
beside the fitting achievement, registers two colleagues for a matchmaking event on a phone, opens the e-ticket
with its QR code and short code, and the organiser checks one of them in at the desk by typing that code.

Screenshots of every main step, at phone and desktop widths, land in instance/screenshots/journey-*.png."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import to_local, to_utc
from app.core.enums import OrgType, PostingKind, TicketType
from app.core.models import utcnow
from app.extensions import db
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match
from app.postings.models import Posting
from app.postings.services import touch_posting
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journey_foundation import confirm_the_email_and_log_in, log_in
from tests.factories import (
    AdminFactory,
    EventFactory,
    OrgFactory,
    PostingFactory,
    TicketCategoryFactory,
    make_credit_code,
)

pytestmark = pytest.mark.browser

ORG_NAME = "乌兰察布市察哈尔绒业有限公司"
NEED_TITLE = "羊绒分梳车间粉尘大，想找高效除尘和短绒回收方案"
FITTING = "羊绒分梳车间细颗粒粉尘高效治理与短绒回收技术"
EVENT_TITLE = "2026 羊绒产业产学研对接会"
ATTENDEES = (("高志远", "13904740011", "生产副总"), ("乌云娜", "13904740012", "设备主管"))


@pytest.fixture
def world(live_server):
    """Two universities' achievements (one fits the need to come), an admin, and a published event with a
    观众 ticket category. The achievements are indexed as publishing them would."""
    with live_server.app_context():
        university = OrgFactory(name="内蒙古草原理工学院", org_type=OrgType.UNIVERSITY, region="150100", industry="P83")
        institute = OrgFactory(name="呼伦贝尔乳品研究所", org_type=OrgType.INSTITUTE, region="150700", industry="M73")
        achievements = [
            PostingFactory(
                org=university,
                title=FITTING,
                keywords=["羊绒", "除尘", "粉尘治理", "短绒回收"],
                body="针对羊绒分梳、梳理车间细颗粒粉尘浓度高、短绒随粉尘流失的问题，采用旋风预分离与脉冲袋式除尘"
                "两级治理，配合工位负压收集，车间粉尘浓度下降80%以上，回收短绒可回用于粗纺。",
                industry="C17",
                region="150100",
            ),
            PostingFactory(
                org=institute,
                title="基于复合发酵剂的契达奶酪快速成熟技术",
                keywords=["奶酪", "发酵剂", "成熟周期"],
                body="复合发酵剂与酶促成熟相结合，契达奶酪成熟周期由6个月缩短至3个月，风味无显著差异。",
                industry="C14",
                region="150700",
            ),
        ]
        for posting in achievements:
            touch_posting(posting)
        admin = AdminFactory(email="admin@lianqiao.cn")
        opens = to_utc(datetime.combine(to_local(utcnow()).date() + timedelta(days=30), time(9, 0)))
        event = EventFactory(
            title=EVENT_TITLE,
            description="面向羊绒产业的高校、院所与企业：上午发布科技成果与企业技术需求，下午一对一洽谈。",
            venue="乌兰察布市集宁区科技创新中心二楼报告厅",
            region="150900",
            capacity=80,
            starts_at=opens,
            ends_at=opens + timedelta(hours=8, minutes=30),
            registration_closes_at=opens - timedelta(days=2),
        )
        TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
        db.session.commit()
        drain_and_rematch()
        return {"admin": admin.email, "organiser": event.organiser.email, "event_id": event.id}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def click_and_wait(page, locator) -> None:
    locator.click()
    page.wait_for_load_state("networkidle")


def open_menu_item(page, name: str) -> None:
    """On a phone the navigation sits behind the menu button."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    click_and_wait(page, page.locator(".navbar").get_by_role("link", name=name, exact=True))


def register_the_organisation_on_a_phone(new_page, base, app):
    """1. A stranger registers the organisation on a phone."""
    sme = new_page(PHONE)
    sme.goto(f"{base}/auth/register")
    sme.fill("input[name=name]", ORG_NAME)
    sme.select_option("select[name=org_type]", "sme")
    sme.fill("input[name=credit_code]", make_credit_code(909))
    sme.select_option("select[name=region]", "150900")
    sme.select_option("select[name=industry]", "C17")
    sme.fill("input[name=contact_name]", "高志远")
    sme.fill("input[name=contact_phone]", "13904740011")
    sme.fill("input[name=user_name]", "高志远")
    sme.fill("input[name=email]", "gao@chahaer-cashmere.cn")
    sme.fill("input[name=password]", "Chahaer-2026")
    sme.fill("input[name=confirm]", "Chahaer-2026")
    screenshot(sme, "journey-01-register-phone")
    click_and_wait(sme, sme.locator("form button[type=submit]"))
    assert "请查收邮件完成注册" in sme.inner_text("body")
    confirm_the_email_and_log_in(sme, app, base, "gao@chahaer-cashmere.cn", "Chahaer-2026")
    assert "认证" in sme.inner_text("body")
    assert no_sideways_scroll(sme)
    screenshot(sme, "journey-02-registered-phone")
    return sme


def verify_it_from_the_queue(new_page, base, admin_email):
    """2. The platform admin verifies it from the verification queue."""
    admin = new_page(DESKTOP)
    log_in(admin, base, admin_email)
    admin.goto(f"{base}/orgs/admin/verification")
    click_and_wait(admin, admin.locator("article", has_text=ORG_NAME).get_by_role("button", name="通过认证"))
    assert f"已通过“{ORG_NAME}”的认证" in admin.inner_text("body")
    return admin


def post_a_need_and_publish_it(sme, admin, base) -> str:
    """3. The SME posts a 研发需求 and submits it; the admin publishes it from the moderation page."""
    sme.goto(f"{base}/postings/need/new")
    sme.fill("input[name=title]", NEED_TITLE)
    sme.fill("input[name=keywords]", "羊绒；除尘；粉尘治理；短绒回收")
    sme.select_option("select[name=industry]", "C17")
    sme.select_option("select[name=region]", "150900")
    sme.fill(
        "textarea[name=description]",
        "分梳车间粉尘大，现有布袋除尘器效果差，短绒随粉尘一起排走。希望找到高效除尘方案，最好能把短绒回收利用。",
    )
    sme.fill("input[name=budget_wan]", "40")
    click_and_wait(sme, sme.get_by_role("button", name="提交审核"))
    assert "待审核" in sme.inner_text("body")
    need_url = sme.url
    assert re.search(r"/postings/need/\d+$", need_url)

    admin.goto(f"{base}/postings/admin/moderation")
    click_and_wait(admin, admin.locator(".list-group-item", has_text=NEED_TITLE).get_by_role("button", name="通过"))
    return need_url


def run_matching(live_server):
    """4. Matching runs as `flask search drain` runs it: index the change, then recompute the changed postings."""
    with live_server.app_context():
        drain_and_rematch()
        need = db.session.scalar(
            sa.select(Posting).where(Posting.kind == PostingKind.NEED, Posting.title == NEED_TITLE)
        )
        assert db.session.scalars(sa.select(Match).where(Match.source_id == need.id)).first() is not None


def read_why_the_fitting_achievement_is_recommended(new_page, base, sme, need_url):
    """5. The SME opens its need and reads why the fitting achievement is recommended."""
    sme.goto(need_url)
    sme.wait_for_load_state("networkidle")
    recommendations = sme.locator("#recommendations")
    first = recommendations.locator("li.list-group-item").first
    assert FITTING in first.inner_text()
    assert "为什么推荐" in first.inner_text()
    reasons = first.locator(".match-reasons li").all_inner_texts()
    assert reasons and any("除尘" in line or "羊绒" in line for line in reasons), reasons
    assert no_sideways_scroll(sme)
    recommendations.scroll_into_view_if_needed()
    screenshot(sme, "journey-03-need-recommendations-phone")
    desktop_sme = new_page(DESKTOP)
    log_in(desktop_sme, base, "gao@chahaer-cashmere.cn", "Chahaer-2026")
    desktop_sme.goto(need_url)
    screenshot(desktop_sme, "journey-04-need-recommendations-desktop")


def register_two_colleagues_for_the_event(sme):
    """6. On the phone: 活动 → the event → 立即报名, two named colleagues, the 观众 ticket."""
    open_menu_item(sme, "活动")
    click_and_wait(sme, sme.get_by_role("link", name=EVENT_TITLE))
    screenshot(sme, "journey-05-event-phone")
    click_and_wait(sme, sme.get_by_role("link", name="立即报名"))
    sme.select_option("select[name=ticket_category]", label="观众")
    for i, (name, phone, position) in enumerate(ATTENDEES):
        sme.fill(f"input[name=attendees-{i}-name]", name)
        sme.fill(f"input[name=attendees-{i}-phone]", phone)
        sme.fill(f"input[name=attendees-{i}-position]", position)
    sme.fill("input[name=attendees-1-email]", "colleague@example.cn")  # a colleague without an account
    assert no_sideways_scroll(sme)
    screenshot(sme, "journey-06-event-register-phone")
    click_and_wait(sme, sme.get_by_role("button", name="提交报名"))
    card = sme.locator(".card", has_text=EVENT_TITLE)
    assert "已确认" in card.inner_text()
    assert all(name in card.inner_text() for name, _, _ in ATTENDEES)
    assert no_sideways_scroll(sme)
    screenshot(sme, "journey-07-registered-phone")
    return card


def open_a_colleagues_ticket(sme, card) -> str:
    """7. … opens the e-tickets, then 乌云娜's own ticket: a QR code and the short code."""
    click_and_wait(sme, card.get_by_role("link", name="电子票"))
    assert sme.locator("article.ticket-card").count() == 2
    ticket = sme.locator("article.ticket-card", has_text="乌云娜")
    click_and_wait(sme, ticket.get_by_role("link", name="单独打开此票"))
    qr = sme.locator(".ticket-qr-box svg, .ticket-qr-box img").first
    assert qr.is_visible() and qr.bounding_box()["width"] <= PHONE["width"]
    code = sme.locator(".ticket-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-?[0-9A-Z]{4}", code), code
    assert no_sideways_scroll(sme)
    screenshot(sme, "journey-08-ticket-phone")
    return code


def check_in_at_the_desk(new_page, base, world, code):
    """8. At the desk, the organiser types the short code and sees who it is; the event is a month ahead, so
    the desk asks first whether to check in on a day that is not an event day."""
    desk = new_page(DESKTOP)
    log_in(desk, base, world["organiser"])
    desk.goto(f"{base}/events/{world['event_id']}/checkin")
    desk.fill("#desk-code", code)
    desk.press("#desk-code", "Enter")
    result = desk.locator("#desk-result")
    result.filter(has_text="今天不是活动日").wait_for()
    result.get_by_role("button", name="仍要签到").click()
    result.filter(has_text="签到成功").filter(has_text="乌云娜").wait_for()
    assert "签到成功" in result.inner_text()
    desk.locator("#desk-counts").filter(has_text="1 / 2").wait_for()
    screenshot(desk, "journey-09-checkin-desktop")


def check_in_again_at_the_door(new_page, base, world, code):
    """… and a volunteer's phone at the door knows the same ticket has already come in."""
    door = new_page(PHONE)
    log_in(door, base, world["organiser"])
    door.goto(f"{base}/events/{world['event_id']}/checkin")
    door.fill("#desk-code", code.lower())
    door.press("#desk-code", "Enter")
    door.locator("#desk-result").filter(has_text=re.compile(r"已于 \d\d:\d\d 签到")).wait_for()
    assert "乌云娜" in door.inner_text("#desk-result")
    assert no_sideways_scroll(door)
    screenshot(door, "journey-10-checkin-again-phone")


def test_a_new_sme_goes_from_registration_to_a_checked_in_attendee(live_server, new_page, world):
    base = live_server.live_url

    sme = register_the_organisation_on_a_phone(new_page, base, live_server)
    admin = verify_it_from_the_queue(new_page, base, world["admin"])
    need_url = post_a_need_and_publish_it(sme, admin, base)
    run_matching(live_server)
    read_why_the_fitting_achievement_is_recommended(new_page, base, sme, need_url)
    card = register_two_colleagues_for_the_event(sme)
    code = open_a_colleagues_ticket(sme, card)
    check_in_at_the_desk(new_page, base, world, code)
    check_in_again_at_the_door(new_page, base, world, code)
