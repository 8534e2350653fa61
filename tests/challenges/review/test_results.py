"""Results per stage through the rubric engine (ranks with ties, complete/total experts, per-expert columns),
ranked() for the decision and gate areas, the two exports, the 赛马 gate stage and the optional 答辩 link."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from app.challenges.review.assignment import add_assignment, declare_no_conflict
from app.challenges.review.scoring import ranked, save_review_scores
from app.challenges.review.services import criteria, stages_for
from app.core.challenge_enums import ApplicationStatus, ChallengeMode, ReviewStage
from app.core.enums import EventType
from tests.challenges.helpers import make_item
from tests.challenges.review.helpers import make_application, screened, world
from tests.conftest import as_user
from tests.factories import EventFactory, OrgFactory

REVIEW = ReviewStage.REVIEW


def _score(w, application, expert, values, stage=REVIEW):
    row = add_assignment(application, stage, expert, w.issuer_user)
    declare_no_conflict(row, expert.user, True)
    rubric = criteria(w.item, stage)
    save_review_scores(row, expert.user, {f"c{c.id}": v for c, v in zip(rubric, values, strict=False)}, "")
    return row


def test_ranked_gives_the_complete_expert_mean_with_ties_and_unscored_last(db):
    w = world(db, experts=3)
    third = make_application(db, w.item, OrgFactory(name="赤峰精密制造有限公司"), team=[])
    fourth = make_application(db, w.item, OrgFactory(name="乌海材料科技有限公司"), team=[])
    screened(db, w.application, w.other_application, third, fourth)
    e1, e2, e3 = w.experts
    # rubric: 60% of 30, 40% of 20
    _score(w, w.application, e1, ["30", "20"])  # 100
    _score(w, w.application, e2, ["15", "10"])  # 50
    _score(w, w.application, e3, ["30"])  # incomplete: left out
    _score(w, w.other_application, e1, ["22.5", "15"])  # 75
    _score(w, third, e2, ["24", "20"])  # 88
    db.session.commit()
    rows = ranked(w.item, REVIEW)
    got = [(r.application.id, r.rank, r.tied, r.result, r.complete, r.scorer_count) for r in rows]
    assert got == [
        (third.id, 1, False, Decimal("88.00"), 1, 1),
        (w.application.id, 2, True, Decimal("75.00"), 2, 3),
        (w.other_application.id, 2, True, Decimal("75.00"), 1, 1),
        (fourth.id, None, False, None, 0, 0),
    ]
    assert rows[1].per_scorer == {e1.id: Decimal("100.00"), e2.id: Decimal("50.00"), e3.id: None}


def test_the_results_page_shows_ranks_ties_completion_and_each_experts_score(db, client):
    w = world(db, experts=2)
    screened(db, w.application, w.other_application)
    e1, e2 = w.experts
    _score(w, w.application, e1, ["30", "20"])
    _score(w, w.application, e2, ["30"])
    _score(w, w.other_application, e1, ["15", "10"])
    db.session.commit()
    page = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/results").text
    assert "100.00" in page and "50.00" in page and "1/2 位专家" in page and "未完成" in page
    assert page.index("包头稀土永磁科技有限公司") < page.index("鄂尔多斯新材料有限公司")


def test_the_applications_summary_lists_every_submitted_application_with_screening_and_result(db, client):
    w = world(db, experts=1)
    w.other_application.status = ApplicationStatus.SCREEN_FAILED
    w.other_application.return_reason = None
    screened(db, w.application)
    _score(w, w.application, w.experts[0], ["30", "20"])
    db.session.commit()
    data = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/export/applications").data
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(data)).active.iter_rows()]
    header, *body = rows
    assert header[:4] == ["编号", "牵头单位", "联合体成员", "项目名称"] and "资格条件" in header
    by_lead = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_lead) == {"包头稀土永磁科技有限公司", "鄂尔多斯新材料有限公司"}
    lead = by_lead["包头稀土永磁科技有限公司"]
    assert lead["形式审查"] == "通过" and lead["专家评审结果"] == "100.00" and lead["名次"] == 1
    assert "内蒙古科技大学材料学院" in lead["联合体成员"] and lead["资格条件"] == "符合"
    assert by_lead["鄂尔多斯新材料有限公司"]["形式审查"] == "不通过"


def test_the_score_sheet_has_a_row_per_expert_application_and_criterion(db, client):
    w = world(db, experts=2)
    screened(db, w.application, w.other_application)
    e1, e2 = w.experts
    _score(w, w.application, e1, ["22.5", "20"])
    _score(w, w.other_application, e2, ["10", "10"])
    db.session.commit()
    data = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/export/scores").data
    sheet = load_workbook(io.BytesIO(data))["专家评审"]
    header, *body = [[c.value for c in r] for r in sheet.iter_rows()]
    assert len(body) == 2 * 2  # two assignments × two criteria
    rows = [dict(zip(header, r, strict=True)) for r in body]
    first = next(r for r in rows if r["专家"] == e1.user.name and r["评分项"] == "技术方案先进性与可行性")
    assert (
        first["得分"] == 22.5
        and first["申报单位"].startswith("包头稀土永磁科技有限公司")
        and first["申报编号"] == "申报单位A"
    )
    assert first["该专家加权得分"] == "85.00"  # 22.5/30 × 60 + 20/20 × 40


def test_a_horse_race_item_has_a_gate_stage_with_its_own_rubric_and_ranking(db, client):
    w = world(db, experts=1, mode=ChallengeMode.HORSE_RACE, teams_stage1=2, teams_kept=1)
    assert stages_for(w.item) == [ReviewStage.REVIEW, ReviewStage.GATE]
    w.application.status = ApplicationStatus.AWARDED
    db.session.commit()
    as_user(client, w.issuer_user)
    client.post(f"/challenges/manage/items/{w.item.id}/review/gate/rubric", data={"use_default": "1"})
    assert [c.weight for c in criteria(w.item, ReviewStage.GATE)] == [40, 30, 15, 15]
    page = client.get(f"/challenges/manage/items/{w.item.id}/review?stage=gate").text
    assert "赛马阶段评估评分标准" in page and "包头稀土永磁科技有限公司" in page
    _score(w, w.application, w.experts[0], ["40", "30", "15", "15"], stage=ReviewStage.GATE)
    rows = ranked(w.item, ReviewStage.GATE)
    assert [(r.application.id, r.result) for r in rows] == [(w.application.id, Decimal("100.00"))]
    single = make_item(db, w.item.batch.issuer, batch=w.item.batch)
    db.session.commit()
    assert client.get(f"/challenges/manage/items/{single.id}/review?stage=gate").status_code == 404


def test_the_issuer_links_one_of_its_roadshows_as_the_defence(db, client):
    w = world(db)
    own = EventFactory(
        event_type=EventType.ROADSHOW,
        organiser=w.issuer_user,
        title="稀土永磁揭榜答辩会",
        starts_at=datetime(2026, 12, 10, 2),
    )
    foreign = EventFactory(event_type=EventType.ROADSHOW, title="别家的路演")
    db.session.commit()
    as_user(client, w.issuer_user)
    url = f"/challenges/manage/items/{w.item.id}"
    page = client.post(f"{url}/defence", data={"event_id": foreign.id}, follow_redirects=True).text
    assert "请从本单位的路演活动中选择答辩活动" in page
    client.post(f"{url}/defence", data={"event_id": own.id})
    db.session.expire_all()
    assert w.item.defence_event_id == own.id
    assert "稀土永磁揭榜答辩会" in client.get(f"{url}/results").text


def test_a_rubric_cannot_change_once_an_expert_has_scored(db, client):
    w = world(db, experts=1)
    screened(db, w.application)
    _score(w, w.application, w.experts[0], ["30"])
    db.session.commit()
    page = (
        as_user(client, w.issuer_user)
        .post(
            f"/challenges/manage/items/{w.item.id}/review/review/rubric",
            data={"name": ["总分"], "weight": ["100"], "max_score": ["100"]},
            follow_redirects=True,
        )
        .text
    )
    assert "已有专家打分，评分标准不能再修改" in page
    assert [c.name for c in criteria(w.item, REVIEW)] == ["技术方案先进性与可行性", "考核指标可达性"]
