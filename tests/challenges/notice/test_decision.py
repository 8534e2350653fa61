"""The issuer's decision: 揭榜挂帅 proposes exactly one screened application (default the best ranked), 赛马制
up to teams_stage1, 流榜 needs a reason; publishing the 公示 counts working days; another organisation's desk
does not exist."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup

from app.auth.models import User
from app.challenges.items.models import ChallengeItem
from app.challenges.notice.services import publish_notice
from app.core.challenge_enums import ApplicationStatus as A
from app.core.challenge_enums import ItemStatus, NoticeStatus
from app.core.errors import InvalidTransition
from app.core.models import StatusChange
from app.extensions import db as _db
from tests.challenges.notice.helpers import notices, publish, score_applications, told
from tests.conftest import as_user, race


def desk(w):
    return f"/challenges/manage/items/{w.item.id}/decision"


def post_publish(client, w, picks, days="5", reason="", text="经专家评审，现予公示。"):
    data = {"application_ids": [str(a.id) for a in picks], "working_days": days, "text": text, "reason": reason}
    return as_user(client, w.issuer_user).post(desk(w) + "/publish", data=data)


def refresh(*rows):
    _db.session.expire_all()
    return rows


def test_the_desk_shows_the_ranked_results_and_picks_the_best_by_default(client, world):
    w = world
    score_applications(w.item, {w.apps[0]: 71.5, w.apps[1]: 88, w.apps[2]: 80})

    page = as_user(client, w.issuer_user).get(desk(w))

    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    order = [int(tr["data-application"]) for tr in soup.select("tr[data-application]")]
    assert order == [w.apps[1].id, w.apps[2].id, w.apps[0].id]
    checked = soup.select("input[name=application_ids][checked]")
    assert [int(i["value"]) for i in checked] == [w.apps[1].id] and checked[0]["type"] == "radio"
    assert "88.00" in page.text


def test_the_winner_is_proposed_and_the_notice_runs_five_working_days_from_today(client, world):
    w = world
    score_applications(w.item, {w.apps[0]: 90, w.apps[1]: 85.5})

    resp = post_publish(client, w, [w.apps[0]])  # Friday 2026-12-04

    assert resp.status_code == 302
    (notice,) = notices()
    assert (notice.status, notice.starts_on, notice.ends_on, notice.working_days) == (
        NoticeStatus.OPEN,
        date(2026, 12, 4),
        date(2026, 12, 10),
        5,
    )
    assert notice.application_ids == [w.apps[0].id]
    assert w.item.status == ItemStatus.NOTICE
    assert [a.status for a in w.apps] == [A.PROPOSED, A.SCREENED, A.SCREENED]
    assert (w.apps[0].final_score, w.apps[0].rank, w.apps[1].rank) == ("90.00", 1, 2)
    assert told(w.users[0]) and told(w.users[1]) and told(w.issuer_user)
    assert "拟确定为揭榜单位" in told(w.users[0])[0].title
    audit = _db.session.scalars(sa.select(StatusChange).where(StatusChange.entity_type == "challenge_item")).all()
    assert [(c.from_status, c.to_status) for c in audit] == [("reviewing", "notice")]
    assert "2026年12月4日至2026年12月10日（5个工作日）" in client.get(resp.headers["Location"]).text


def test_a_notice_published_on_a_saturday_starts_on_monday(client, world):
    w = world
    with time_machine.travel(datetime(2026, 12, 5, 2, 0), tick=False):
        post_publish(client, w, [w.apps[0]], days="7")
    (notice,) = notices()
    assert (notice.starts_on, notice.ends_on) == (date(2026, 12, 7), date(2026, 12, 15))


def test_single_winner_mode_takes_exactly_one_application(client, world):
    w = world
    resp = post_publish(client, w, [w.apps[0], w.apps[1]], reason="两家单位方案互补，建议共同承担。")
    assert resp.status_code == 422 and "揭榜挂帅只能选择一个揭榜单位" in resp.text
    resp = post_publish(client, w, [])
    assert resp.status_code == 422 and "请选择拟揭榜的申报" in resp.text
    refresh()
    assert notices() == [] and w.item.status == ItemStatus.REVIEWING
    assert {a.status for a in w.apps} == {A.SCREENED}


def test_passing_over_a_better_ranked_application_needs_a_reason(client, world):
    w = world
    score_applications(w.item, {w.apps[0]: 90, w.apps[1]: 85})

    resp = post_publish(client, w, [w.apps[1]])
    assert resp.status_code == 422 and "选择理由" in resp.text
    assert notices() == []

    resp = post_publish(client, w, [w.apps[1]], reason="第一名单位未能提供配套资金证明，经研究选择第二名。")
    assert resp.status_code == 302
    refresh()
    assert w.apps[1].status == A.PROPOSED and "配套资金" in w.apps[1].decision_note


def test_only_screened_applications_of_this_item_can_be_picked(client, world):
    w = world
    w.apps[2].status = A.SCREEN_FAILED
    _db.session.commit()
    resp = post_publish(client, w, [w.apps[2]])
    assert resp.status_code == 422 and "只能选择通过形式审查" in resp.text
    assert notices() == []


def test_the_notice_period_is_five_to_fifteen_working_days(client, world):
    w = world
    for days in ("4", "16", "abc", ""):
        resp = post_publish(client, w, [w.apps[0]], days=days)
        assert resp.status_code == 422 and "公示期须为 5 至 15 个工作日" in resp.text
    assert notices() == []
    assert post_publish(client, w, [w.apps[0]], days="15").status_code == 302


def test_failing_the_item_needs_a_reason_and_tells_every_applicant(client, world):
    w = world
    resp = as_user(client, w.issuer_user).post(desk(w) + "/fail", data={"reason": ""})
    assert resp.status_code == 422 and "请填写流榜原因" in resp.text
    refresh()
    assert w.item.status == ItemStatus.REVIEWING

    reason = "经专家评审，所有申报方案均未达到考核指标要求。"
    resp = as_user(client, w.issuer_user).post(desk(w) + "/fail", data={"reason": reason})

    assert resp.status_code == 302
    refresh()
    assert (w.item.status, w.item.failed_reason) == (ItemStatus.FAILED, reason)
    assert {a.status for a in w.apps} == {A.NOT_SELECTED}
    assert all(told(u) for u in w.users)
    assert reason in client.get(f"/challenges/items/{w.item.id}/notice").text


def test_horse_race_funds_at_most_teams_stage1_teams(client, race_world):
    w = race_world
    score_applications(w.item, {w.apps[0]: 90, w.apps[1]: 85, w.apps[2]: 80})
    page = as_user(client, w.issuer_user).get(desk(w))
    checked = BeautifulSoup(page.text, "html.parser").select("input[name=application_ids][checked]")
    assert sorted(int(i["value"]) for i in checked) == [w.apps[0].id, w.apps[1].id]

    resp = post_publish(client, w, w.apps, reason="三个团队技术路线各不相同，均予支持。")
    assert resp.status_code == 422 and "最多支持2个团队" in resp.text

    resp = post_publish(client, w, w.apps[:2])
    assert resp.status_code == 302
    refresh()
    assert [a.status for a in w.apps] == [A.PROPOSED, A.PROPOSED, A.SCREENED]


def test_horse_race_with_fewer_teams_than_planned_needs_a_reason(client, race_world):
    w = race_world
    resp = post_publish(client, w, [w.apps[0]])
    assert resp.status_code == 422 and "选择理由" in resp.text
    resp = post_publish(client, w, [w.apps[0]], reason="其余团队评审得分未达到 75 分的支持线。")
    assert resp.status_code == 302
    refresh()
    assert [a.status for a in w.apps] == [A.PROPOSED, A.SCREENED, A.SCREENED]


def test_no_decision_while_applications_are_still_collected_or_a_notice_is_open(client, world):
    w = world
    w.item.status = ItemStatus.COLLECTING
    w.item.batch.closes_on = date(2026, 12, 20)
    _db.session.commit()
    resp = post_publish(client, w, [w.apps[0]])
    assert resp.status_code == 302 and notices() == []
    assert "征集尚未截止" in client.get(desk(w)).text

    w.item.batch.closes_on = date(2026, 12, 1)  # past the deadline: under review even before the hourly job
    _db.session.commit()
    publish(w, [w.apps[0]])
    resp = post_publish(client, w, [w.apps[1]])
    assert len(notices()) == 1
    assert "当前不能作出立项决定" in client.get(resp.headers["Location"]).text


def test_another_organisations_desk_does_not_exist(client, world):
    w = world
    data = {"application_ids": [str(w.apps[0].id)], "working_days": "5", "text": "公示", "reason": ""}
    for user in (w.outsider, w.users[0]):
        assert as_user(client, user).get(desk(w)).status_code == 404
        assert as_user(client, user).post(desk(w) + "/publish", data=data).status_code == 404
        assert as_user(client, user).post(desk(w) + "/fail", data={"reason": "无合适单位无合适单位"}).status_code == 404
    assert notices() == [] and w.item.status == ItemStatus.REVIEWING
    assert as_user(client, w.admin).get(desk(w)).status_code == 200
    assert as_user(client, None).get(desk(w)).status_code == 302
    assert as_user(client, w.issuer_user).get("/challenges/manage/items/999999/decision").status_code == 404


def test_two_issuers_publishing_at_the_same_moment_make_one_notice(app, world):
    w = world
    item_id, actor_id = w.item.id, w.issuer_user.id
    picks = [w.apps[0].id, w.apps[1].id]

    def work(i):
        item = _db.session.get(ChallengeItem, item_id)
        try:
            publish_notice(
                item, [picks[i]], "5", "公示说明", "并发测试：两位经办人同时发布。", _db.session.get(User, actor_id)
            )
            _db.session.commit()
        except InvalidTransition:
            _db.session.rollback()
            return "refused"
        return "published"

    assert sorted(race(app, work)) == ["published", "refused"]
    assert len(notices()) == 1
    _db.session.expire_all()
    assert sorted(a.status for a in w.apps) == sorted([A.PROPOSED, A.SCREENED, A.SCREENED])


def test_the_issuer_withdraws_an_open_notice_with_a_reason_and_decides_again(client, world):
    w = world
    publish(w, [w.apps[0]])
    url = desk(w) + "/withdraw"

    resp = as_user(client, w.issuer_user).post(url, data={"reason": ""})
    assert resp.status_code == 422 and "请填写撤销原因" in resp.text
    assert as_user(client, w.outsider).post(url, data={"reason": "拟揭榜单位书面放弃揭榜资格。"}).status_code == 404
    assert notices()[0].status == NoticeStatus.OPEN

    resp = as_user(client, w.issuer_user).post(url, data={"reason": "拟揭榜单位书面放弃揭榜资格。"})

    assert resp.status_code == 302
    refresh()
    assert notices()[0].status == NoticeStatus.CANCELLED
    assert (w.item.status, w.apps[0].status) == (ItemStatus.REVIEWING, A.SCREENED)
    assert any("公示已撤销" in n.title for n in told(w.users[0]))
    assert post_publish(client, w, [w.apps[1]], reason="原拟揭榜单位放弃，按评审排名递补第二名。").status_code == 302
    assert [n.status for n in notices()] == [NoticeStatus.CANCELLED, NoticeStatus.OPEN]
