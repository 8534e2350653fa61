"""Results (weighted mean, missing scores, ties), publishing, the export, who may see what, and hostile input."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.enums import EventType
from app.core.errors import InvalidTransition
from app.events.judging.scores import compute_results
from app.events.judging.services import close_scoring, criteria, publish_results
from app.extensions import db as database
from tests.events.helpers import render_event_links, sweep_blueprint
from tests.events.judging.helpers import lineup, panel, roadshow, score
from tests.factories import EventFactory, OrganiserFactory, UserFactory


def test_results_use_weighted_mean_of_complete_judges_with_ties_and_unscored_last(db):
    """Rubric 创新性 40%/10, 市场前景 35%/20, 团队 25%/5: weighted = s1/10*40 + s2/20*35 + s3/5*25.

    P1: J1 (8, 15, 4) = 32 + 26.25 + 20 = 78.25; J2 (9, 16, 4.5) = 36 + 28 + 22.5 = 86.5;
        J3 (7.5, 14, 3) = 30 + 24.5 + 15 = 69.5 → 234.25 / 3 = 78.0833… → 78.08 (3/3)
    P2: J1 (10, 20, 5) = 100; J2 leaves 团队 blank (excluded); J3 (6, 10, 2.5) = 24 + 17.5 + 12.5 = 54
        → 154 / 2 = 77.00 (2/3)
    P3: J1 and J2 (5, 10, 2.5) = 20 + 17.5 + 12.5 = 50 → 50.00 (2/3)
    P4: J1 (10, 0, 2) = 40 + 0 + 10 = 50 → 50.00 (1/3): tied with P3
    P5: only J2 with 创新性 alone → 未评分 (0/3), listed last
    P6: J3 (10, 0, 0) = 40 → 40.00 (1/3): rank 5 after the tie
    """
    event = roadshow(EventType.COMPETITION)
    j1, j2, j3 = panel(event, 3)
    p1, p2, p3, p4, p5, p6 = lineup(event, 6)
    score(event, j1, p1, 8, 15, 4)
    score(event, j2, p1, 9, 16, "4.5")
    score(event, j3, p1, "7.5", 14, 3)
    score(event, j1, p2, 10, 20, 5)
    score(event, j2, p2, 10, 20, None)
    score(event, j3, p2, 6, 10, "2.5")
    score(event, j1, p3, 5, 10, "2.5")
    score(event, j2, p3, 5, 10, "2.5")
    score(event, j1, p4, 10, 0, 2)
    score(event, j2, p5, 7, None, None)
    score(event, j3, p6, 10, 0, 0)

    rows = compute_results(event)
    got = [(r.presenter.id, r.rank, r.tied, r.result, r.complete) for r in rows]
    assert got == [
        (p1.id, 1, False, Decimal("78.08"), 3),
        (p2.id, 2, False, Decimal("77.00"), 2),
        (p3.id, 3, True, Decimal("50.00"), 2),
        (p4.id, 3, True, Decimal("50.00"), 1),
        (p6.id, 5, False, Decimal("40.00"), 1),
        (p5.id, None, False, None, 0),
    ]
    assert rows[1].per_judge == {j1.id: Decimal("100.00"), j2.id: None, j3.id: Decimal("54.00")}
    assert all(r.judge_count == 3 for r in rows)


def test_results_page_shows_completion_ties_and_the_rule(db, login):
    event = roadshow()
    j1, j2 = panel(event, 2)
    p1, p2 = lineup(event, 2)
    score(event, j1, p1, 5, 10, "2.5")
    score(event, j1, p2, 5, 10, "2.5")
    database.session.commit()
    page = login(event.organiser).get(f"/events/{event.id}/judging/results").get_data(as_text=True)
    assert "1/2 位评委完成" in page and "并列" in page and "两位小数相同即为并列" in page


def test_public_results_page_exists_only_after_publishing(db, client, login):
    event = roadshow()
    (judge,), (presenter,) = panel(event, 1), lineup(event, 1)
    score(event, judge, presenter, 8, 15, 4)
    database.session.commit()
    url = f"/events/{event.id}/results"
    assert client.get(url).status_code == 404
    with pytest.raises(InvalidTransition, match="请先截止评分"):
        publish_results(event, event.organiser)
    close_scoring(event, event.organiser)
    database.session.commit()
    assert client.get(url).status_code == 404
    login(event.organiser).post(f"/events/{event.id}/judging/publish")
    page = client.get(url)
    assert (
        page.status_code == 200
        and presenter.name in page.get_data(as_text=True)
        and "78.25" in page.get_data(as_text=True)
    )


def test_only_the_organiser_manages_judging_and_exports(db, login):
    event = roadshow()
    (judge,) = panel(event, 1)
    other_organiser = OrganiserFactory()
    database.session.commit()
    for user in (judge.user, other_organiser):
        client = login(user)
        assert client.get(f"/events/{event.id}/judging").status_code == 404
        assert client.get(f"/events/{event.id}/judging/export?format=csv").status_code == 404
        assert client.post(f"/events/{event.id}/judging/close").status_code == 404


def test_export_lists_rank_result_completion_and_each_judge(db, login):
    event = roadshow()
    j1, j2 = panel(event, 2)
    (presenter,) = lineup(event, 1)
    score(event, j1, presenter, 8, 15, 4)
    database.session.commit()
    client = login(event.organiser)
    sheet = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/judging/export?format=xlsx").data)).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert header[:7] == ["名次", "并列", "出场顺序", "企业", "项目", "结果（加权平均）", "完成评委"]
    assert row[0] == 1 and row[5] == "78.25" and row[6] == "1/2" and row[7:] == ["78.25", "未完成"]
    assert "78.25" in client.get(f"/events/{event.id}/judging/export?format=csv").data.decode("utf-8-sig")


def test_judging_exists_only_for_roadshows_and_competitions(db, login):
    event = EventFactory(event_type=EventType.DOCKING)
    database.session.commit()
    assert login(event.organiser).get(f"/events/{event.id}/judging").status_code == 404


def test_no_judging_route_fails_on_hostile_input(app, db, client, login):
    event = roadshow()
    (judge,), (presenter,) = panel(event, 1), lineup(event, 1)
    score(event, judge, presenter, 8, 15, 4)
    ids = {"event_id": event.id, "presenter_id": presenter.id}
    ids |= {"what": ["judges", "invitations", "presenters"], "row_id": [judge.id, presenter.id], "token": "x-y"}
    fields = ["weight", "max_score", "email", "user_id", "registration_id", "project", "comment"]
    fields += [f"c{c.id}" for c in criteria(event)] + [f"order-{presenter.id}", f"starts-{presenter.id}"]
    users = (judge.user, event.organiser, UserFactory())
    database.session.commit()
    assert sweep_blueprint(app, client, login, "judging", ids, users, fields) == []


def test_event_page_links_lead_judges_to_scoring_and_everyone_to_published_results(app, db):
    event = roadshow()
    (judge,), _ = panel(event, 1), lineup(event, 1)
    visitor = UserFactory()
    assert f"/events/{event.id}/judging/score" in render_event_links(app, judge.user, event)
    assert "/results" not in render_event_links(app, visitor, event)
    close_scoring(event, event.organiser)
    publish_results(event, event.organiser)
    assert f"/events/{event.id}/results" in render_event_links(app, visitor, event)
    assert f"/events/{event.id}/judging" in render_event_links(app, event.organiser, event)
