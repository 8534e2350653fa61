"""The deadline (end of the batch's closes_on, Beijing): editing and withdrawing stop; an application 退回补正
stays open until its resubmit_by date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from app.core.challenge_enums import ApplicationStatus, ItemStatus
from app.core.enums import NotificationKind
from app.extensions import db as _db
from tests.challenges.applications.helpers import application_of, complete_form, notifications, post_apply
from tests.challenges.helpers import CLOSES_ON
from tests.conftest import as_user

S = ApplicationStatus
LAST_MINUTE = datetime(2026, 12, 20, 15, 59, tzinfo=UTC)  # 23:59 on closes_on in Beijing
AFTER = datetime(2026, 12, 20, 16, 1, tzinfo=UTC)  # 00:01 the next day in Beijing


def submitted(client, world):
    post_apply(client, world.sme_user, world.item, complete_form(world.item))
    return application_of(world.item, world.sme)


def test_editing_is_open_until_the_last_minute_of_the_deadline_in_beijing(client, world):
    application = submitted(client, world)
    with time_machine.travel(LAST_MINUTE):
        post_apply(client, world.sme_user, world.item, complete_form(world.item, summary="截止前最后修改"))
    assert application_of(world.item, world.sme).summary == "截止前最后修改"
    with time_machine.travel(AFTER):
        resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, summary="截止后修改"))
        assert resp.status_code == 302
        page = client.get(f"/challenges/items/{world.item.id}/apply").text
    assert "揭榜征集已截止，不能再修改或撤回" in page and 'name="project_title"' not in page
    assert application_of(world.item, world.sme).summary == "截止前最后修改"
    assert application.status == S.SUBMITTED


def test_withdrawing_is_refused_after_the_deadline(client, world):
    application = submitted(client, world)
    with time_machine.travel(AFTER):
        resp = as_user(client, world.sme_user).post(f"/challenges/applications/{application.id}/withdraw")
        assert resp.status_code == 302
        assert "揭榜征集已截止" in client.get(resp.headers["Location"]).text
    assert application_of(world.item, world.sme).status == S.SUBMITTED


def test_withdrawing_before_the_deadline_then_editing_again_reopens_a_draft(client, world):
    application = submitted(client, world)
    as_user(client, world.sme_user).post(f"/challenges/applications/{application.id}/withdraw")
    assert application_of(world.item, world.sme).status == S.WITHDRAWN
    told = notifications(NotificationKind.CHALLENGE_APPLICATION, world.issuer_user)
    assert [n.title for n in told][-1] == "包头市稀宝永磁有限公司撤回了揭榜申报"
    post_apply(client, world.sme_user, world.item, complete_form(world.item, action="save"))
    application = application_of(world.item, world.sme)
    assert application.status == S.DRAFT and application.withdrawn_at is None


def test_no_new_application_after_the_deadline_nor_before_the_window_opens(client, world):
    with time_machine.travel(AFTER):
        resp = post_apply(client, world.sme_user, world.item, complete_form(world.item))
    assert resp.status_code == 302 and application_of(world.item, world.sme) is None
    with time_machine.travel(datetime(2026, 11, 19, 4, 0, tzinfo=UTC)):
        post_apply(client, world.sme_user, world.item, complete_form(world.item))
    assert application_of(world.item, world.sme) is None


def test_a_returned_application_is_editable_and_resubmittable_until_resubmit_by_even_after_the_deadline(client, world):
    application = submitted(client, world)
    application.status, application.return_reason = S.RETURNED, "缺少检测报告"
    application.resubmit_by = date(2026, 12, 25)
    world.item.status = ItemStatus.REVIEWING
    _db.session.commit()
    assert application.resubmit_by > CLOSES_ON
    with time_machine.travel(datetime(2026, 12, 25, 8, 0, tzinfo=UTC)):
        page = as_user(client, world.sme_user).get(f"/challenges/items/{world.item.id}/apply").text
        assert "缺少检测报告" in page and "重新提交" in page
        post_apply(client, world.sme_user, world.item, complete_form(world.item, summary="已补正"))
    application = application_of(world.item, world.sme)
    assert application.status == S.SUBMITTED and application.summary == "已补正"
    titles = [n.title for n in notifications(NotificationKind.CHALLENGE_APPLICATION, world.issuer_user)]
    assert titles[-1] == "包头市稀宝永磁有限公司重新提交了补正后的揭榜申报"


def test_a_returned_application_is_closed_after_its_resubmit_by_date(client, world):
    application = submitted(client, world)
    application.status, application.resubmit_by = S.RETURNED, date(2026, 12, 25)
    _db.session.commit()
    with time_machine.travel(datetime(2026, 12, 25, 16, 30, tzinfo=UTC)):  # 12-26 00:30 Beijing
        post_apply(client, world.sme_user, world.item, complete_form(world.item, summary="逾期补正"))
        page = as_user(client, world.sme_user).get(f"/challenges/items/{world.item.id}/apply").text
    assert "补正期限（2026-12-25）已过" in page
    assert application_of(world.item, world.sme).status == S.RETURNED


def test_an_application_under_review_cannot_be_changed_even_before_the_deadline(client, world):
    application = submitted(client, world)
    application.status = S.SCREENED
    _db.session.commit()
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, summary="改"))
    assert resp.status_code == 302
    assert application_of(world.item, world.sme).summary != "改"
    assert "形式审查通过" in client.get(resp.headers["Location"]).text


def test_mine_shows_each_application_with_its_status_and_next_step(client, world):
    application = submitted(client, world)
    page = as_user(client, world.sme_colleague).get("/challenges/applications/mine").text
    assert "高丰度稀土永磁体晶界扩散制备技术" in page and "已提交" in page and "截止前可修改或撤回" in page
    application.status, application.resubmit_by = S.RETURNED, date(2026, 12, 25)
    _db.session.commit()
    page = client.get("/challenges/applications/mine").text
    assert "退回补正" in page and "按退回意见补正后重新提交（2026-12-25 前）" in page
    with time_machine.travel(AFTER):
        post_apply(client, world.outsider_user, world.item, {"project_title": "晚到", "action": "save"})
        assert "本机构牵头的申报" in as_user(client, world.outsider_user).get("/challenges/applications/mine").text
    assert application_of(world.item, world.outsider) is None
