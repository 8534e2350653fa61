"""The organiser's links lead to pages the organiser can open: every button on 活动管理 opens for the organiser
and a platform admin; the judging set-up says what is missing before scoring and offers 截止评分 only when
scoring can happen; the judges' scoring page is a link only for a judge."""

from __future__ import annotations

import re

import pytest

from app.core.enums import EventType
from app.events.judging.services import assign_judge, is_closed
from app.extensions import db as database
from tests.events.judging.helpers import lineup, panel, roadshow
from tests.factories import AdminFactory, EventFactory


def _event_links(page: str, event_id: int) -> set[str]:
    return set(re.findall(rf'href="(/events/{event_id}/[^"#]*)"', page))


@pytest.mark.parametrize("event_type", list(EventType))
def test_every_link_on_the_dashboard_opens_for_the_organiser_and_an_admin(db, client, login, event_type):
    event = EventFactory(event_type=event_type)
    admin = AdminFactory()
    db.session.commit()
    for user in (event.organiser, admin):
        login(user)
        links = _event_links(client.get(f"/events/{event.id}/manage").get_data(as_text=True), event.id)
        assert f"/events/{event.id}/checkin" in links
        for url in sorted(links):
            assert client.get(url).status_code == 200, (user.email, url)


def test_the_meetings_button_leads_the_organiser_to_the_meetings_grid_not_the_participants_hub(db, client, login):
    event = EventFactory(event_type=EventType.DOCKING)
    db.session.commit()
    login(event.organiser)
    links = _event_links(client.get(f"/events/{event.id}/manage").get_data(as_text=True), event.id)
    assert f"/events/{event.id}/meetings/grid" in links
    assert f"/events/{event.id}/meetings" not in links  # the participants' hub


def _setup_page(client, event) -> str:
    return client.get(f"/events/{event.id}/judging").get_data(as_text=True)


def test_judging_without_rubric_judges_or_entrants_says_what_is_missing_and_cannot_be_closed(db, client, login):
    event = EventFactory(event_type=EventType.COMPETITION)
    db.session.commit()
    login(event.organiser)
    page = _setup_page(client, event)
    assert "尚未开始评分" in page and "评分进行中" not in page
    assert re.search(r"评委打分前还需要：.*评分标准.*评委.*出场企业", page)
    assert f"/events/{event.id}/judging/close" not in page
    resp = client.post(f"/events/{event.id}/judging/close", follow_redirects=True)
    assert "评分还没有开始，不能截止：请先设置评分标准、评委、出场企业" in resp.get_data(as_text=True)
    assert not is_closed(event)


def test_judging_with_a_rubric_a_judge_and_an_entrant_offers_closing(db, client, login):
    event = roadshow()
    database.session.commit()
    login(event.organiser)
    assert re.search(r"评委打分前还需要：.*评委.*出场企业", _setup_page(client, event))
    panel(event, 1)
    lineup(event, 1)
    database.session.commit()
    page = _setup_page(client, event)
    assert "评分进行中" in page and "评委打分前还需要" not in page
    assert f"/events/{event.id}/judging/close" in page
    client.post(f"/events/{event.id}/judging/close")
    assert is_closed(event)


def test_the_scoring_page_is_a_link_only_for_a_judge(db, client, login):
    event = roadshow()
    admin = AdminFactory()
    database.session.commit()
    score_url = f"/events/{event.id}/judging/score"
    for user in (event.organiser, admin):
        page = _setup_page(login(user), event)
        assert f'href="{score_url}"' not in page and score_url in page  # the address to send, as text
        assert client.get(score_url).status_code == 404
    assign_judge(event, event.organiser, event.organiser)
    database.session.commit()
    page = _setup_page(login(event.organiser), event)
    assert f'href="{score_url}"' in page
    assert client.get(score_url).status_code == 200


def test_the_results_page_does_not_claim_scoring_is_under_way_before_it_can_be(db, client, login):
    event = EventFactory(event_type=EventType.ROADSHOW)
    db.session.commit()
    page = login(event.organiser).get(f"/events/{event.id}/judging/results").get_data(as_text=True)
    assert "尚未开始评分" in page and "评分进行中" not in page
