"""Roadshow and competition judging: rubric, judges, line-up, scoring on the phone, privacy until close,
results (weighted mean, missing scores, ties), publishing and export."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.enums import EventType, RegistrationStatus, TicketType
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.events.judging import (
    CriterionInput,
    add_judge,
    add_presenter,
    close_scoring,
    criteria,
    judge_candidates,
    judges,
    presenters,
    publish_results,
    save_rubric,
    set_lineup,
)
from app.events.judging_models import Score
from app.events.judging_scores import compute_results, save_scores
from app.events.models import TicketCategory
from app.extensions import db as database
from app.notifications.models import Notification
from tests.factories import AttendeeFactory, EventFactory, OrganiserFactory, RegistrationFactory, UserFactory
from tests.test_event_meetings import render_event_links, sweep_blueprint

RUBRIC = [("创新性", "40", "10"), ("市场前景", "35", "20"), ("团队", "25", "5")]


def roadshow(event_type=EventType.ROADSHOW):
    event = EventFactory(
        event_type=event_type, starts_at=datetime(2026, 12, 20, 0, 0), ends_at=datetime(2026, 12, 20, 10, 0)
    )
    save_rubric(event, event.organiser, [CriterionInput(*row) for row in RUBRIC])
    return event


def panel(event, n: int):
    return [add_judge(event, event.organiser, email=UserFactory(org=None).email) for _ in range(n)]


def lineup(event, n: int):
    return [add_presenter(event, event.organiser, RegistrationFactory(event=event).id) for _ in range(n)]


def fields(event, *values) -> dict[str, str]:
    return {f"c{c.id}": ("" if v is None else str(v)) for c, v in zip(criteria(event), values, strict=True)}


def score(event, judge, presenter, *values, comment=""):
    return save_scores(event, judge, presenter, fields(event, *values), comment)


# --- rubric --------------------------------------------------------------------------------------


def test_rubric_weights_must_sum_to_100(db):
    event = roadshow()
    with pytest.raises(ValidationFailed, match="之和须为 100，现在是 90"):
        save_rubric(event, event.organiser, [CriterionInput("创新性", "60", "10"), CriterionInput("团队", "30", "10")])
    saved = save_rubric(
        event, event.organiser, [CriterionInput("创新性", "70", "10"), CriterionInput("团队", "30", "10")]
    )
    assert [(c.name, c.weight, c.max_score) for c in saved] == [("创新性", 70, 10), ("团队", 30, 10)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("创新性", "abc", "10"), ("团队", "50", "10")], "权重须为 1 到 100 的整数"),
        ([("创新性", "50", "0"), ("团队", "50", "10")], "满分须为 1 到 1000 的整数"),
        ([("创新性", "50", "99999999999"), ("团队", "50", "10")], "满分须为 1 到 1000 的整数"),
        ([("团队", "50", "10"), ("团队", "50", "10")], "不能重复"),
        ([("", "", "")], "请填写 1 到 20 项"),
        ([("", "100", "10")], "请填写名称"),
    ],
)
def test_bad_rubric_is_refused_and_the_old_one_kept(db, rows, message):
    event = roadshow()
    database.session.commit()
    with pytest.raises(ValidationFailed, match=message):
        save_rubric(event, event.organiser, [CriterionInput(*r) for r in rows])
    database.session.rollback()
    assert [c.name for c in criteria(event)] == ["创新性", "市场前景", "团队"]


def test_rubric_is_fixed_once_a_score_is_saved(db):
    event = roadshow()
    (judge,), (presenter,) = panel(event, 1), lineup(event, 1)
    score(event, judge, presenter, 8, None, None)
    with pytest.raises(InvalidTransition, match="不能再修改"):
        save_rubric(event, event.organiser, [CriterionInput("总分", "100", "100")])


def test_rubric_page_post_shows_the_chinese_message(db, login):
    event = roadshow()
    database.session.commit()
    data = {"name": ["创新性", "团队"], "weight": ["60", "30"], "max_score": ["10", "10"]}
    page = login(event.organiser).post(f"/events/{event.id}/judging/rubric", data=data, follow_redirects=True)
    assert "各项权重之和须为 100，现在是 90" in page.get_data(as_text=True)


# --- judges and line-up --------------------------------------------------------------------------


def test_judge_candidates_are_users_on_confirmed_judge_tickets(db):
    event = roadshow()
    judge_ticket = TicketCategory(event=event, ticket_type=TicketType.JUDGE)
    database.session.add(judge_ticket)
    registrant = RegistrationFactory(event=event, ticket_category=judge_ticket, attendees=0)
    named = AttendeeFactory(registration=registrant, user=UserFactory())
    RegistrationFactory(event=event, ticket_category=judge_ticket, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=event)  # a visitor ticket
    assert {u.id for u in judge_candidates(event)} == {registrant.user_id, named.user_id}

    add_judge(event, event.organiser, user_id=named.user_id)
    assert {u.id for u in judge_candidates(event)} == {registrant.user_id}
    with pytest.raises(NotFound):
        add_judge(event, event.organiser, user_id=UserFactory().id)  # not a candidate: use the e-mail form


def test_organiser_can_add_any_user_as_judge_by_email_once(db):
    event = roadshow()
    expert = UserFactory(org=None, email="expert@imu.edu.cn")
    assert add_judge(event, event.organiser, email="Expert@IMU.edu.cn").user_id == expert.id
    told = database.session.scalars(sa.select(Notification).where(Notification.user_id == expert.id)).all()
    assert [n.link for n in told] == [f"/events/{event.id}/judging/score"]
    with pytest.raises(InvalidTransition, match="已是本活动的评委"):
        add_judge(event, event.organiser, email="expert@imu.edu.cn")
    with pytest.raises(ValidationFailed, match="没有找到"):
        add_judge(event, event.organiser, email="nobody@example.cn")


def test_judges_and_presenters_with_scores_stay_and_others_can_be_removed(db, login):
    event = roadshow()
    (scored_judge, idle_judge), (scored, idle) = panel(event, 2), lineup(event, 2)
    score(event, scored_judge, scored, 1, 1, 1)
    database.session.commit()
    client = login(event.organiser)
    base = f"/events/{event.id}/judging"
    assert "已有评分记录" in client.post(f"{base}/judges/{scored_judge.id}/remove", follow_redirects=True).get_data(
        as_text=True
    )
    assert "已有评分" in client.post(f"{base}/presenters/{scored.id}/remove", follow_redirects=True).get_data(
        as_text=True
    )
    client.post(f"{base}/judges/{idle_judge.id}/remove")
    client.post(f"{base}/presenters/{idle.id}/remove")
    database.session.expire_all()
    assert [j.id for j in judges(event)] == [scored_judge.id]
    assert [p.id for p in presenters(event)] == [scored.id]


def test_lineup_orders_presenters_and_sets_times_within_the_event(db):
    event = roadshow()
    first, second = lineup(event, 2)
    set_lineup(event, event.organiser, {first.id: (2, datetime(2026, 12, 20, 2, 0)), second.id: (1, None)})
    assert (second.position, first.position) == (1, 2)
    with pytest.raises(ValidationFailed, match="互不相同"):
        set_lineup(event, event.organiser, {first.id: (1, None), second.id: (1, None)})
    with pytest.raises(ValidationFailed, match="活动时间之内"):
        set_lineup(event, event.organiser, {first.id: (1, datetime(2027, 1, 1)), second.id: (2, None)})


def test_only_confirmed_registrations_of_the_event_can_present(db):
    event = roadshow()
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    elsewhere = RegistrationFactory()
    for reg in (waiting, elsewhere):
        with pytest.raises(NotFound):
            add_presenter(event, event.organiser, reg.id)


def test_lineup_page_rejects_bad_order_with_a_message(db, login):
    event = roadshow()
    (p,) = lineup(event, 1)
    database.session.commit()
    resp = login(event.organiser).post(
        f"/events/{event.id}/judging/lineup",
        data={f"order-{p.id}": "第一", f"starts-{p.id}": ""},
        follow_redirects=True,
    )
    assert "出场顺序须为 1 到 999 的整数" in resp.get_data(as_text=True)


# --- scoring -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "“创新性”的分数须在 0 到 10 之间"),
        ("-1", "“创新性”的分数须在 0 到 10 之间"),
        ("7.3", "“创新性”的分数须为 0.5 的整数倍"),
        ("abc", "“创新性”请填写数字"),
        ("NaN", "“创新性”请填写数字"),
        ("1e400", "“创新性”的分数须在 0 到 10 之间"),
    ],
)
def test_score_out_of_range_gets_a_chinese_message_and_saves_nothing(db, login, value, message):
    event = roadshow()
    (judge,), (presenter,) = panel(event, 1), lineup(event, 1)
    database.session.commit()
    data = {**fields(event, value, 15, 4), "comment": "很好"}
    resp = login(judge.user).post(f"/events/{event.id}/judging/score/{presenter.id}", data=data)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count(Score.id))) == 0


def test_judge_saves_each_presenter_separately_on_the_scoring_page(db, login):
    event = roadshow()
    (judge,), (first, _) = panel(event, 1), lineup(event, 2)
    database.session.commit()
    client = login(judge.user)
    resp = client.post(
        f"/events/{event.id}/judging/score/{first.id}", data=fields(event, "7.5", 15, 4), follow_redirects=True
    )
    page = resp.get_data(as_text=True)
    assert "已保存" in page and 'value="7.5"' in page and "未评分" in page  # the second is still open
    assert len(compute_results(event)[0].per_judge) == 1


def test_revision_is_allowed_until_close_and_refused_after(db, login):
    event = roadshow()
    (judge,), (presenter,) = panel(event, 1), lineup(event, 1)
    score(event, judge, presenter, 5, 10, 2)
    score(event, judge, presenter, 10, 20, 5)
    assert compute_results(event)[0].result == Decimal("100.00")
    close_scoring(event, event.organiser)
    database.session.commit()
    resp = login(judge.user).post(
        f"/events/{event.id}/judging/score/{presenter.id}", data=fields(event, 0, 0, 0), follow_redirects=True
    )
    assert "评分已截止" in resp.get_data(as_text=True)
    database.session.expire_all()
    assert compute_results(event)[0].result == Decimal("100.00")


def test_only_assigned_judges_can_open_the_scoring_page(db, login):
    event = roadshow()
    (presenter,) = lineup(event, 1)
    outsider = UserFactory()
    database.session.commit()
    client = login(outsider)
    assert client.get(f"/events/{event.id}/judging/score").status_code == 404
    assert (
        client.post(f"/events/{event.id}/judging/score/{presenter.id}", data=fields(event, 1, 1, 1)).status_code == 404
    )


def test_judge_cannot_see_other_judges_scores_or_the_aggregate_before_close(db, login):
    event = roadshow()
    (first, second), (presenter,) = panel(event, 2), lineup(event, 1)
    score(event, first, presenter, "9.5", 17, 4, comment="技术壁垒高但商业模式待验证")
    database.session.commit()
    client = login(second.user)
    page = client.get(f"/events/{event.id}/judging/score").get_data(as_text=True)
    assert "技术壁垒高" not in page and 'value="9.5"' not in page
    results = client.get(f"/events/{event.id}/judging/results")
    assert results.status_code == 404 and "技术壁垒高" not in results.get_data(as_text=True)

    close_scoring(event, event.organiser)
    database.session.commit()
    assert "技术壁垒高" in client.get(f"/events/{event.id}/judging/results").get_data(as_text=True)


def test_organiser_who_also_judges_sees_no_results_before_close(db, login):
    event = roadshow()
    judge = add_judge(event, event.organiser, email=event.organiser.email)
    database.session.commit()
    assert login(judge.user).get(f"/events/{event.id}/judging/results").status_code == 404


# --- results -------------------------------------------------------------------------------------


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
    ids |= {"what": ["judges", "presenters"], "row_id": [judge.id, presenter.id]}
    fields = ["weight", "max_score", "email", "user_id", "registration_id", "project", "comment"]
    fields += [f"c{c.id}" for c in criteria(event)] + [f"order-{presenter.id}", f"starts-{presenter.id}"]
    users = (judge.user, event.organiser, UserFactory())
    database.session.commit()
    assert sweep_blueprint(app, client, login, "judging", ids, users, fields) == []


def test_event_page_links_lead_judges_to_scoring_and_everyone_to_published_results(app, db):
    event = roadshow()
    (judge,) = panel(event, 1)
    visitor = UserFactory()
    assert f"/events/{event.id}/judging/score" in render_event_links(app, judge.user, event)
    assert "/results" not in render_event_links(app, visitor, event)
    close_scoring(event, event.organiser)
    publish_results(event, event.organiser)
    assert f"/events/{event.id}/results" in render_event_links(app, visitor, event)
    assert f"/events/{event.id}/judging" in render_event_links(app, event.organiser, event)
