"""Scoring on the phone: messages for bad scores, saving each presenter, revising until close, and privacy
until scoring is closed."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.events.judging.models import Score
from app.events.judging.scores import compute_results
from app.events.judging.services import assign_judge, close_scoring
from app.extensions import db as database
from tests.events.judging.helpers import fields, lineup, panel, roadshow, score
from tests.factories import UserFactory


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
    judge = assign_judge(event, event.organiser, event.organiser)
    database.session.commit()
    assert login(judge.user).get(f"/events/{event.id}/judging/results").status_code == 404
