"""The home page: what the platform is for and the three ways in for visitors; a personal start for members,
organisers and admins, built from their real data; a dozen queries whoever looks."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.core.enums import DockingRequestStatus, PostingKind, PostingStatus, RegistrationStatus
from app.core.models import utcnow
from app.events.judging.services import close_scoring
from app.extensions import db
from tests.conftest import as_user
from tests.events.judging.helpers import lineup, panel, roadshow
from tests.factories import (
    DockingRequestFactory,
    EventFactory,
    OrganiserFactory,
    PostingFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.home.conftest import match


def page(client, user=None, *, same_session=False):
    """The home page as `user` sees it, in a new session (or, with same_session, in the client's current one)."""
    response = (client if same_session else as_user(client, user)).get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def text_of(soup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"{selector} missing"
    return " ".join(found.get_text(" ").split())


def links(soup, selector: str = "body") -> set[str]:
    return {a["href"] for a in soup.select(f"{selector} a[href]")}


# --- visitors ---------------------------------------------------------------------------------------------


def test_a_visitor_learns_what_the_platform_is_for_and_how_it_works(client, world):
    soup = page(client)
    assert "千校万企协同创新 · 大中小企业融通" in text_of(soup, "h1")
    steps = text_of(soup, "#how-title + ol")
    assert re.search(r"发布.*智能匹配（附理由）.*对接签约", steps)
    assert "即将上线" not in soup.get_text()


def test_each_role_button_leads_a_visitor_to_log_in_and_then_to_its_posting_form(client, world):
    soup = page(client)
    buttons = {a.get_text(strip=True): a["href"] for a in soup.select("[data-role-publish]")}
    assert buttons == {
        "发布成果": "/auth/login?next=/postings/achievement/new",
        "发布需求": "/auth/login?next=/postings/need/new",
        "发布采购": "/auth/login?next=/postings/procurement/new",
    }
    roles = text_of(soup, "#roles-title + .row")
    for words in ("高校院所", "中小企业", "大型企业", "找技术", "找供应商"):
        assert words in roles
    assert {"/postings/achievement", "/postings/capability"} <= links(soup, "#roles-title + .row")


def test_the_search_box_says_it_searches_all_four_kinds(client, world):
    box = page(client).select_one("form[role=search] input[name=q]")
    assert box.find_parent("form")["action"] == "/search"
    assert all(word in box["placeholder"] for word in ("成果", "需求", "采购", "企业能力"))


def test_open_events_show_their_state_and_a_registration_button(client, world):
    soup = page(client)
    card = soup.select_one(f"[data-home-event='{world.open_event.id}']")
    assert "报名中" in card.get_text()
    assert card.find("a", string="立即报名")["href"] == f"/events/{world.open_event.id}/register"
    assert "资本市场培训（筹备中）" not in text_of(soup, "#events")  # a draft is nobody's business yet


def test_latest_postings_by_kind_show_the_newest_published_with_the_counts(client, world):
    latest = text_of(page(client), "#latest-title + .row")
    assert "乳酸菌高密度发酵与冻干保护技术" in latest and "采购益生菌菌粉" in latest
    assert "菌粉代工草稿" not in latest and "等待审核的成果" not in latest
    assert "科技成果 2" in latest


def test_a_visitor_gets_no_publish_menu_and_no_personal_start(client, world):
    soup = page(client)
    assert soup.select_one("#nav-publish") is None and "我的匹配" not in text_of(soup, "nav")
    assert soup.select_one("#todo") is None and soup.select_one("#organised") is None


# --- a member of an organisation ----------------------------------------------------------------------------


def test_an_incoming_docking_request_shows_under_to_do_until_it_is_answered(client, world):
    todo = page(client, world.sme_user).select_one("#todo")
    request_link = todo.find("a", href=f"/docking/requests/{world.incoming.id}")
    assert request_link is not None and "内蒙古北疆理工大学" in request_link.get_text()
    world.incoming.status = DockingRequestStatus.DECLINED
    db.session.commit()
    assert (
        page(client, world.sme_user).select_one("#todo").find("a", href=f"/docking/requests/{world.incoming.id}")
        is None
    )


def test_a_request_past_its_deadline_no_longer_asks_for_an_answer(client, world):
    world.incoming.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert f"/docking/requests/{world.incoming.id}" not in links(page(client, world.sme_user), "#todo")


def test_meeting_invitations_and_follow_ups_wait_under_to_do_too(client, world):
    todo = page(client, world.sme_user).select_one("#todo")
    text = " ".join(todo.get_text(" ").split())
    assert "北疆乳业股份有限公司 邀请您在「2026内蒙古中小企业博览会」一对一洽谈" in text
    assert todo.find("a", href=f"/events/{world.expo.id}/meetings") is not None
    assert todo.find("a", href=f"/docking/records/{world.record.id}") is not None
    assert "待处理 3" in text_of(todo, ".card-header")


def test_the_other_side_of_a_request_does_not_see_it_as_waiting_for_them(client, world):
    soup = page(client, world.uni_user)
    assert f"/docking/requests/{world.incoming.id}" not in links(soup, "#todo")
    assert "暂无需要答复" in text_of(soup, "#todo") and "/matches/" in links(soup, "#todo")  # and what to do instead


def test_matches_new_since_the_last_visit_are_marked_and_counted(client, world):
    first = page(client, world.sme_user).select_one("#new-matches")
    assert "近 7 天新增 1 条匹配" in first.get_text()
    new_items = [li for li in first.select("li") if li.find("span", string="新")]
    assert [li.find("a").get_text() for li in new_items] == ["乳酸菌高密度发酵与冻干保护技术"]
    assert first.find("a", href="/matches/") is not None

    again = page(client, same_session=True).select_one("#new-matches")
    assert "自上次访问以来没有新的匹配" in again.get_text()

    fresh = PostingFactory(org=world.uni, title="益生菌微胶囊包埋技术")
    db.session.add(match(world.need, fresh, score=0.3))
    db.session.commit()
    third = page(client, same_session=True).select_one("#new-matches")
    assert "自上次访问以来新增 1 条匹配" in third.get_text()
    assert third.select("li")[0].find("a").get_text() == "益生菌微胶囊包埋技术"  # the new one first


def test_coming_registrations_link_to_the_ticket(client, world):
    mine = page(client, world.sme_user).select_one("#my-events")
    assert "2026内蒙古中小企业博览会" in mine.get_text() and "已确认" in mine.get_text()
    registration = world.expo.registrations[0]
    assert mine.find("a", string="电子票")["href"] == f"/events/registrations/{registration.id}/tickets"


def test_an_event_of_today_is_marked_today(client, world):
    today = EventFactory(title="服务月政策大讲堂", starts_at=utcnow() - timedelta(hours=1), registration_closes_at=None)
    RegistrationFactory(event=today, org=world.sme, user=world.sme_user)
    db.session.commit()
    item = page(client, world.sme_user).select_one("#my-events li")
    assert "服务月政策大讲堂" in item.get_text() and "今天" in item.get_text()


def test_an_event_under_way_since_yesterday_shows_its_whole_span_beside_today(client, world):
    now = utcnow()
    fair = EventFactory(
        title="稀土对接会",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        registration_closes_at=None,
    )
    RegistrationFactory(event=fair, org=world.sme, user=world.sme_user)
    db.session.commit()
    item = page(client, world.sme_user).select_one("#my-events li")
    text = " ".join(item.get_text(" ").split())
    ends = (fair.ends_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Beijing time
    assert "今天" in text and f"至 {ends}" in text


def test_an_event_already_registered_for_says_so_instead_of_offering_registration(client, world):
    card = page(client, world.sme_user).select_one(f"[data-home-event='{world.expo.id}']")
    assert "已报名（已确认）" in card.get_text() and card.find("a", string="立即报名") is None


def test_drafts_and_returned_postings_wait_to_be_finished(client, world):
    finish = page(client, world.sme_user).select_one("#to-finish")
    text = " ".join(finish.get_text(" ").split())
    assert "菌粉代工草稿" in text and "继续编辑" in text
    assert "益生菌菌粉定制生产" in text and "退回原因：请补充产能和资质证明" in text
    assert f"/postings/capability/{world.rejected.id}/edit" in links(finish)
    assert "益生菌冻干存活率提升需求" not in text  # published: nothing to finish


def test_with_nothing_to_finish_the_card_stays_away(client, world):
    assert page(client, world.uni_user).select_one("#to-finish") is None


def test_a_member_publishes_each_kind_from_the_start_and_from_the_menu(client, world):
    soup = page(client, world.sme_user)
    forms = {f"/postings/{kind.value}/new" for kind in PostingKind}
    assert forms <= links(soup, "[aria-label=快速发布]")
    assert forms <= links(soup, "#nav-publish")
    assert "/matches/" in links(soup, "nav")


def test_a_member_sees_nothing_of_other_organisations_starts(client, world):
    soup = page(client, world.large_user)
    assert "益生菌冻干存活率提升需求" not in text_of(soup, "#new-matches")
    assert "菌粉代工草稿" not in soup.get_text()
    assert "2026内蒙古中小企业博览会" not in text_of(soup, "#my-events")


# --- organisers and admins ------------------------------------------------------------------------------


def test_an_organiser_sees_their_events_with_registration_counts_and_approvals(client, world):
    soup = page(client, world.organiser)
    open_event = soup.select_one(f"[data-organised-event='{world.open_event.id}']")
    text = " ".join(open_event.get_text(" ").split())
    assert "报名机构 1 家 · 参会 3 人" in text
    assert (
        open_event.find("a", string=re.compile("1 个报名待审核"))["href"] == f"/events/{world.open_event.id}/approvals"
    )
    assert "报名机构 1 家 · 参会 2 人" in text_of(soup, f"[data-organised-event='{world.expo.id}']")
    assert soup.select_one(f"[data-organised-event='{world.draft_event.id}']") is not None
    assert soup.select_one("#todo") is None and soup.select_one("#nav-publish") is None


def test_an_organiser_does_not_see_another_organisers_events(client, world):
    other = OrganiserFactory()
    db.session.commit()
    assert page(client, other).select("[data-organised-event]") == []


def test_an_admin_sees_the_verification_and_moderation_queues(client, world):
    soup = page(client, world.admin)
    queues = text_of(soup, "#admin-queues")
    assert re.search(r"待认证机构 1", queues) and re.search(r"待审核信息 1", queues)
    assert {"/orgs/admin/verification", "/postings/admin/moderation"} <= links(soup, "#admin-queues")
    assert len(soup.select("[data-organised-event]")) == 3  # every event not over yet


# --- speed ------------------------------------------------------------------------------------------------


def count_queries(client, user) -> int:
    statements = []

    def seen(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page(client, user)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    return len(statements)


def test_the_home_page_costs_a_few_queries_however_much_there_is(client, world):
    before = {name: count_queries(client, user) for name, user in (("sme", world.sme_user), ("visitor", None))}
    for i in range(8):
        partner = UserFactory()
        target = PostingFactory(org=partner.org, title=f"菌粉干燥技术{i}")
        db.session.add(match(world.need, target, 0.4 + i / 100))
        DockingRequestFactory(target=world.need, sender=partner)
        PostingFactory(org=world.sme, status=PostingStatus.DRAFT)
        event = EventFactory()
        RegistrationFactory(event=event, org=world.sme, user=world.sme_user, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    after = {name: count_queries(client, user) for name, user in (("sme", world.sme_user), ("visitor", None))}
    assert after == before
    assert after["sme"] <= 15 and after["visitor"] <= 5


# --- judges -----------------------------------------------------------------------------------------------


def test_a_judge_starts_from_the_events_to_score_and_reads_the_results_once_scoring_closes(client, db):
    event = roadshow()
    lineup(event, 1)
    (judge,) = panel(event, 1)
    db.session.commit()
    card = page(client, judge.user).select_one("#judging")
    assert event.title in card.get_text() and f"/events/{event.id}/judging/score" in links(card)

    close_scoring(event, event.organiser)
    db.session.commit()
    card = page(client, judge.user).select_one("#judging")
    assert f"/events/{event.id}/judging/results" in links(card) and "/judging/score" not in str(card)


def test_a_person_of_no_organisation_is_not_offered_a_registration_they_would_be_refused(client, world):
    judge = UserFactory(org=None)
    db.session.commit()
    card = page(client, judge).select_one(f"[data-home-event='{world.open_event.id}']")
    assert card.find("a", string="立即报名") is None
    assert card.find("a", string="查看详情")["href"] == f"/events/{world.open_event.id}"


def test_a_member_who_judges_nothing_sees_no_judging_card(client, world):
    assert page(client, world.sme_user).select_one("#judging") is None
