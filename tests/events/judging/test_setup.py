"""Setting up judging: the rubric, the judges and the line-up."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.core.enums import HistoryAction, HistoryKind, RegistrationStatus, TicketType
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import StatusChange
from app.events.judging.invitations import accept_judge_invitation, invite_judge
from app.events.judging.services import (
    CriterionInput,
    add_judge,
    add_presenter,
    criteria,
    judge_candidates,
    judges,
    presenters,
    remove_judge,
    remove_presenter,
    save_rubric,
    set_lineup,
)
from app.events.models import TicketCategory
from app.extensions import db as database
from app.notifications.models import Notification
from tests.events.judging.helpers import lineup, panel, roadshow, score, token_of
from tests.factories import AttendeeFactory, RegistrationFactory, UserFactory


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


def test_organiser_invites_anyone_by_email_who_becomes_judge_once_on_accepting(app, db):
    with app.test_request_context():  # the invitation's link is built with url_for
        event = roadshow()
        expert = UserFactory(org=None, email="expert@imu.edu.cn")
        invitation, link = invite_judge(event, event.organiser, "Expert@IMU.edu.cn")
        assert invitation.email == "expert@imu.edu.cn" and judges(event) == []  # nothing before accepting
        assert accept_judge_invitation(token_of(link), expert).user_id == expert.id
        told = database.session.scalars(sa.select(Notification).where(Notification.user_id == expert.id)).all()
        assert [n.link for n in told] == [f"/events/{event.id}/judging/score"]
        with pytest.raises(NotFound, match="已被使用"):
            accept_judge_invitation(token_of(link), expert)
        _, again = invite_judge(event, event.organiser, "expert@imu.edu.cn")
        with pytest.raises(InvalidTransition, match="已是本活动的评委"):
            accept_judge_invitation(token_of(again), expert)
        with pytest.raises(ValidationFailed, match="评委邮箱"):
            invite_judge(event, event.organiser, "nobody at example.cn")


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


def test_every_judging_setup_step_is_recorded_as_an_action_with_a_chinese_label(db):
    event = roadshow()
    (judge, leaving), (presenter, dropped) = panel(event, 2), lineup(event, 2)
    remove_judge(event, event.organiser, leaving)
    remove_presenter(event, event.organiser, dropped)
    set_lineup(event, event.organiser, {presenter.id: (1, None)})
    score(event, judge, presenter, 8, 10, 4)
    rows = database.session.scalars(sa.select(StatusChange).order_by(StatusChange.id)).all()
    A = HistoryAction
    assert [(r.entity_type, r.kind, r.to_status) for r in rows] == [
        ("judging_rubric", HistoryKind.ACTION, A.RUBRIC_SAVED),
        ("judge", HistoryKind.ACTION, A.JUDGE_ASSIGNED),
        ("judge", HistoryKind.ACTION, A.JUDGE_ASSIGNED),
        ("presenter", HistoryKind.ACTION, A.PRESENTER_ADDED),
        ("presenter", HistoryKind.ACTION, A.PRESENTER_ADDED),
        ("judge", HistoryKind.ACTION, A.JUDGE_REMOVED),
        ("presenter", HistoryKind.ACTION, A.PRESENTER_REMOVED),
        ("judging_lineup", HistoryKind.ACTION, A.LINEUP_SAVED),
        ("score_sheet", HistoryKind.ACTION, A.SCORES_SAVED),
    ]
    assert [r.label(RegistrationStatus) for r in rows[-3:]] == ["移出出场名单", "调整出场顺序", "保存评分"]
