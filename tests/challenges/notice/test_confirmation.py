"""Confirmation after the 公示期: the hourly job (and the issuer by hand) confirms a round whose last day (Beijing)
is over and whose objections are all answered; unanswered objections make it wait; the 公示 list export."""

from __future__ import annotations

import io
from datetime import datetime

import time_machine
from openpyxl import load_workbook

from app.challenges.applications.models import ConsortiumPartner
from app.challenges.notice.services import confirm_due_notices
from app.core.challenge_enums import ApplicationStatus as A
from app.core.challenge_enums import ItemStatus, NoticeStatus, PartnerStatus
from app.extensions import db as _db
from tests.challenges.notice.helpers import (
    answer,
    notices,
    objections,
    post_objection,
    publish,
    score_applications,
    told,
)
from tests.conftest import as_user

# Published Friday 2026-12-04 for 5 working days: the period ends on Thursday 2026-12-10 (Beijing).
LAST_EVENING = datetime(2026, 12, 10, 15, 0)  # 23:00 Beijing on the last day
NEXT_MORNING = datetime(2026, 12, 10, 17, 0)  # 01:00 Beijing the day after


def run_job(now):
    with time_machine.travel(now, tick=False):
        summary = confirm_due_notices(now)
        _db.session.commit()
    _db.session.expire_all()
    return summary


def test_the_job_confirms_the_round_only_after_its_last_day(world):
    w = world
    w.apps[2].status = A.WITHDRAWN
    _db.session.commit()
    publish(w, [w.apps[0]])

    run_job(LAST_EVENING)
    assert notices()[0].status == NoticeStatus.OPEN and w.item.status == ItemStatus.NOTICE

    summary = run_job(NEXT_MORNING)

    assert "确认 1 项" in summary
    assert notices()[0].status == NoticeStatus.CONFIRMED
    assert [a.status for a in w.apps] == [A.AWARDED, A.NOT_SELECTED, A.WITHDRAWN]
    assert w.item.status == ItemStatus.IMPLEMENTING
    assert any("揭榜成功" in n.title for n in told(w.users[0]))
    assert any("未入选" in n.body for n in told(w.users[1]))
    assert any("结果已确认" in n.title for n in told(w.issuer_user))
    run_job(NEXT_MORNING)  # idempotent
    assert len([n for n in told(w.users[0]) if "揭榜成功" in n.title]) == 1


def test_an_unanswered_objection_makes_the_round_wait_and_the_issuer_is_told_once(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item)

    assert "1 项等待" in run_job(NEXT_MORNING)
    run_job(datetime(2026, 12, 11, 5, 0))

    assert notices()[0].status == NoticeStatus.OPEN and w.apps[0].status == A.PROPOSED
    assert len([n for n in told(w.issuer_user) if "未答复" in n.title]) == 1
    with time_machine.travel(NEXT_MORNING, tick=False):
        desk = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/decision").text
    assert "还有 1 件异议未答复" in desk and "确认揭榜结果" not in desk

    with time_machine.travel(datetime(2026, 12, 11, 2, 0), tick=False):
        answer(client, w.issuer_user, objections()[0], "dismiss")
    run_job(datetime(2026, 12, 11, 3, 0))
    assert notices()[0].status == NoticeStatus.CONFIRMED and w.apps[0].status == A.AWARDED


def test_a_dismissed_objection_lets_the_round_be_confirmed(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item)
    answer(client, w.issuer_user, objections()[0], "dismiss")
    run_job(NEXT_MORNING)
    assert notices()[0].status == NoticeStatus.CONFIRMED and w.item.status == ItemStatus.IMPLEMENTING


def test_an_upheld_objection_cancels_the_round_and_nothing_is_confirmed(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item, application=w.apps[0])
    answer(client, w.issuer_user, objections()[0], "uphold", text="经核查异议属实，取消该单位拟揭榜资格。")

    assert "确认 0 项" in run_job(NEXT_MORNING)
    assert notices()[0].status == NoticeStatus.CANCELLED
    assert w.item.status == ItemStatus.REVIEWING and {a.status for a in w.apps} == {A.SCREENED}


def test_the_issuer_confirms_by_hand_once_the_period_is_over(client, world):
    w = world
    publish(w, [w.apps[0]])
    url = f"/challenges/manage/items/{w.item.id}/decision/confirm"

    resp = as_user(client, w.issuer_user).post(url)
    _db.session.expire_all()
    assert notices()[0].status == NoticeStatus.OPEN
    assert "期满后才能确认结果" in client.get(resp.headers["Location"]).text
    assert as_user(client, w.outsider).post(url).status_code == 404

    with time_machine.travel(NEXT_MORNING, tick=False):
        as_user(client, w.issuer_user).post(url)
    _db.session.expire_all()
    assert notices()[0].status == NoticeStatus.CONFIRMED and w.apps[0].status == A.AWARDED
    assert "揭榜结果已确认" in as_user(client, None).get(f"/challenges/items/{w.item.id}/notice").text


def test_the_notice_list_exports_winner_partners_score_rank_and_period(client, world):
    w = world
    score_applications(w.item, {w.apps[0]: 91.5, w.apps[1]: 80})
    _db.session.add(
        ConsortiumPartner(
            application_id=w.apps[0].id, org_id=w.orgs[2].id, part="中试验证", status=PartnerStatus.CONFIRMED
        )
    )
    _db.session.commit()
    publish(w, [w.apps[0]])

    resp = as_user(client, w.issuer_user).get(f"/challenges/manage/batches/{w.item.batch_id}/notices?format=xlsx")

    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    header, *rows = list(sheet.values)
    assert header[:4] == ("榜单", "挑战项目", "模式", "拟揭榜单位")
    (row,) = rows
    values = dict(zip(header, row, strict=True))
    assert values["拟揭榜单位"] == w.orgs[0].name and values["联合体成员"] == w.orgs[2].name
    assert (values["评审得分"], values["排名"]) == ("91.50", 1)
    assert (values["公示开始"], values["公示结束"]) == ("2026-12-04", "2026-12-10")
    assert (
        as_user(client, w.outsider).get(f"/challenges/manage/batches/{w.item.batch_id}/notices?format=xlsx").status_code
        == 404
    )
