"""Names typed on the judging pages stay on one line: a criterion name (a repeated input) or a project name with a
line break is refused with a clear message and nothing is saved."""

from __future__ import annotations

from app.events.judging.services import criteria, presenters
from app.extensions import db as database
from tests.events.judging.helpers import roadshow
from tests.factories import RegistrationFactory

MESSAGE = "不能包含换行、制表符等控制字符"


def test_a_criterion_name_with_a_line_break_is_refused_and_the_rubric_kept(db, login):
    event = roadshow()
    database.session.commit()
    client = login(event.organiser)
    rubric = f"/events/{event.id}/judging/rubric"
    data = {"name": ["创新\n性", "团队"], "weight": ["60", "40"], "max_score": ["10", "10"]}
    assert MESSAGE in client.post(rubric, data=data, follow_redirects=True).get_data(as_text=True)
    assert [c.name for c in criteria(event)] == ["创新性", "市场前景", "团队"]

    data["name"] = ["创新性", "团队"]
    assert "评分标准已保存" in client.post(rubric, data=data, follow_redirects=True).get_data(as_text=True)
    assert [c.name for c in criteria(event)] == ["创新性", "团队"]


def test_a_project_name_with_a_tab_is_refused_and_nobody_joins_the_lineup(db, login):
    event = roadshow()
    reg = RegistrationFactory(event=event)
    database.session.commit()
    client = login(event.organiser)
    url = f"/events/{event.id}/judging/presenters"
    refused = client.post(url, data={"registration_id": reg.id, "project": "智能\t分梳"}, follow_redirects=True)
    assert MESSAGE in refused.get_data(as_text=True) and presenters(event) == []
    client.post(url, data={"registration_id": reg.id, "project": "智能分梳"})
    assert [p.project for p in presenters(event)] == ["智能分梳"]
