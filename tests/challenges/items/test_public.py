"""Public 榜单 pages, Q&A, and the hourly job that closes collection at the deadline."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from app.challenges.items import services
from app.challenges.items.models import ChallengeItem, ChallengeQuestion
from app.core.challenge_enums import ChallengeMode, ItemStatus
from app.core.models import StatusChange
from app.notifications.models import Notification
from tests.challenges.helpers import make_item
from tests.conftest import as_user, login_as
from tests.factories import OrgFactory, UserFactory


def test_the_public_list_shows_published_items_with_status_and_filters(client, db):
    issuer = OrgFactory(name="包头钢铁（集团）有限责任公司")
    single = make_item(db, issuer, title="稀土钢连铸技术攻关")
    race = make_item(
        db, issuer, title="稀土抛光粉赛马攻关", mode=ChallengeMode.HORSE_RACE, teams_stage1=3, teams_kept=1
    )
    draft = make_item(db, issuer, title="尚未发布的草稿项目", status=ItemStatus.DRAFT)
    db.session.commit()
    page = client.get("/challenges/").get_data(as_text=True)
    assert single.title in page and race.title in page and draft.title not in page
    assert "征集中" in page and "包头钢铁" in page
    only_race = client.get("/challenges/?mode=horse_race").get_data(as_text=True)
    assert race.title in only_race and single.title not in only_race
    assert single.title not in client.get("/challenges/?status=reviewing").get_data(as_text=True)
    assert client.get("/challenges/?status=bogus&mode=x").status_code == 200


def test_draft_and_withdrawn_items_are_404_to_the_public(client, db):
    org = OrgFactory()
    draft = make_item(db, org, status=ItemStatus.DRAFT)
    withdrawn = make_item(db, org, status=ItemStatus.WITHDRAWN)
    db.session.commit()
    assert client.get(f"/challenges/items/{draft.id}").status_code == 404
    assert client.get(f"/challenges/batches/{draft.batch_id}").status_code == 404
    assert client.get(f"/challenges/items/{withdrawn.id}").status_code == 404
    assert client.get("/challenges/items/99999999999").status_code == 404


def test_the_item_page_explains_the_challenge(client, db):
    item = make_item(
        db,
        OrgFactory(),
        mode=ChallengeMode.HORSE_RACE,
        teams_stage1=3,
        teams_kept=1,
        funding_wan=600,
        eligible_org_types=["university", "sme"],
        eligible_regions=["150200"],
        consortium_allowed=False,
    )
    db.session.commit()
    page = client.get(f"/challenges/items/{item.id}").get_data(as_text=True)
    assert "首阶段支持 3 支团队并行攻关，阶段评估后保留 1 支" in page
    assert "600 万元" in page and "首付款 30%（180 万元），签订任务书后支付" in page
    assert "高校、中小企业" in page and "包头市" in page and "不接受联合体" in page
    assert item.indicators[0].name in page and item.ip_terms in page
    assert "登录</a>后可向发榜方提问" in page


def test_the_apply_button_shows_only_while_collecting(client, db):
    item = make_item(db, OrgFactory())
    db.session.commit()
    page = client.get(f"/challenges/items/{item.id}").get_data(as_text=True)
    has_apply = "challenge_applications.apply" in client.application.view_functions
    assert (f"/challenges/items/{item.id}/apply" in page) == has_apply
    with time_machine.travel(datetime(2026, 12, 21, 2, tzinfo=UTC)):
        page = client.get(f"/challenges/items/{item.id}").get_data(as_text=True)
    assert f"/challenges/items/{item.id}/apply" not in page and "评审中" in page


def test_only_those_who_may_apply_are_offered_to(client, db):
    issuer = OrgFactory()
    item = make_item(db, issuer)
    expert, member, insider = UserFactory(org=None), UserFactory(), UserFactory(org=issuer)
    db.session.commit()
    link = f"/challenges/items/{item.id}/apply"
    assert link in client.get(f"/challenges/items/{item.id}").get_data(as_text=True)  # a visitor signs in on the way
    for user, offered in ((member, True), (expert, False), (insider, False)):
        login_as(client, user)
        assert (link in client.get(f"/challenges/items/{item.id}").get_data(as_text=True)) == offered


def _ask(client, item, body, token):
    return client.post(f"/challenges/items/{item.id}/questions", data={"body": body, "form_token": token})


def test_a_question_sent_twice_is_stored_once(client, db):
    item = make_item(db, OrgFactory())
    asker = UserFactory()
    db.session.commit()
    login_as(client, asker)
    assert _ask(client, item, "联合体成员是否可以是区外单位？", "tok-q-1").status_code == 302
    assert _ask(client, item, "联合体成员是否可以是区外单位？", "tok-q-1").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeQuestion)) == 1


def test_bad_questions_get_a_message_and_no_row(client, db):
    item = make_item(db, OrgFactory())
    db.session.commit()
    login_as(client, UserFactory())
    empty = _ask(client, item, "   ", "tok-q-2")
    assert empty.status_code == 422 and "请填写问题" in empty.get_data(as_text=True)
    long = _ask(client, item, "长" * 501, "tok-q-3")
    assert long.status_code == 422 and "不能超过 500 个字" in long.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeQuestion)) == 0


def test_an_answered_question_is_public_without_the_askers_name(client, db):
    issuer = UserFactory()
    item = make_item(db, issuer.org)
    asker = UserFactory(org=OrgFactory(name="鄂尔多斯市某某新材料有限公司"), name="王提问")
    db.session.commit()
    login_as(client, asker)
    _ask(client, item, "经费是否包含设备购置费？", "tok-q-4")
    question = db.session.scalars(sa.select(ChallengeQuestion)).one()
    assert "经费是否包含设备购置费" not in as_user(client, None).get(f"/challenges/items/{item.id}").get_data(
        as_text=True
    )
    as_user(client, issuer)
    url = f"/challenges/manage/items/{item.id}/questions/{question.id}/answer"
    assert client.post(url, data={"answer": ""}).status_code == 302
    assert db.session.get(ChallengeQuestion, question.id).answer is None
    client.post(url, data={"answer": "包含，设备购置费不超过总经费的 30%。"})
    page = as_user(client, None).get(f"/challenges/items/{item.id}").get_data(as_text=True)
    assert "经费是否包含设备购置费" in page and "不超过总经费的 30%" in page
    assert "鄂尔多斯市某某新材料" not in page and "王提问" not in page
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.user_id == asker.id)) == 1


def test_the_issuer_cannot_question_itself_and_a_stranger_cannot_answer(client, db):
    issuer = UserFactory()
    item = make_item(db, issuer.org)
    db.session.commit()
    login_as(client, issuer)
    _ask(client, item, "自问自答？", "tok-q-5")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeQuestion)) == 0
    question = ChallengeQuestion(item_id=item.id, body="问题")
    db.session.add(question)
    db.session.commit()
    as_user(client, UserFactory())
    db.session.commit()
    response = client.post(f"/challenges/manage/items/{item.id}/questions/{question.id}/answer", data={"answer": "x"})
    assert response.status_code == 404


# --- the deadline job -------------------------------------------------------------------------


def test_collection_closes_after_the_deadline_in_beijing_once(db):
    issuer = UserFactory()
    item = make_item(db, issuer.org)  # closes 2026-12-20
    db.session.commit()
    last_day = datetime(2026, 12, 20, 15, 59)  # 23:59 in Beijing: still open
    services.close_due_items(last_day)
    assert item.status == ItemStatus.COLLECTING
    after = datetime(2026, 12, 20, 16, 1)  # 00:01 on the 21st in Beijing
    with time_machine.travel(after.replace(tzinfo=UTC)):
        assert services.close_due_items(after).startswith("1 ")
        services.close_due_items(after)
    db.session.expire_all()
    assert db.session.get(ChallengeItem, item.id).status == ItemStatus.REVIEWING
    audits = db.session.scalars(
        sa.select(StatusChange).where(StatusChange.entity_type == "challenge_item", StatusChange.entity_id == item.id)
    ).all()
    assert [a.to_status for a in audits] == ["reviewing"]
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.user_id == issuer.id)) == 1


def test_the_close_job_is_declared():
    from app.jobs import JOBS

    job = next(j for j in JOBS if j.id == "challenges_close")
    assert job.func == "app.challenges.items.services:close_due_items" and job.schedule == {"hours": 1}


def test_the_header_links_the_challenges_and_members_find_their_desk(client, db):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/challenges/"' in anonymous and "发榜管理" not in anonymous
    login_as(client, UserFactory())
    assert 'href="/challenges/manage/"' in client.get("/").get_data(as_text=True)


def test_an_anonymous_item_page_is_cached_until_an_answer_is_published(client, db):
    issuer = UserFactory()
    item = make_item(db, issuer.org)
    db.session.add(ChallengeQuestion(item_id=item.id, body="是否接受区外单位牵头？"))
    db.session.flush()
    db.session.commit()
    question = db.session.scalars(sa.select(ChallengeQuestion)).one()
    url = f"/challenges/items/{item.id}"
    assert "是否接受区外单位牵头" not in client.get(url).get_data(as_text=True)
    assert any(key[2].startswith(url) for key in client.application.extensions["lq_page_cache"].pages)
    as_user(client, issuer).post(
        f"/challenges/manage/items/{item.id}/questions/{question.id}/answer", data={"answer": "接受。"}
    )
    assert "是否接受区外单位牵头" in as_user(client, None).get(url).get_data(as_text=True)


def test_the_question_form_needs_its_csrf_token(make_app):
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        item = make_item(db, OrgFactory())
        asker = UserFactory()
        db.session.commit()
        client = app.test_client()
        login_as(client, asker)
        assert _ask(client, item, "可以吗？", "tok-csrf-1").status_code == 400
        page = client.get(f"/challenges/items/{item.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            f"/challenges/items/{item.id}/questions", data={"body": "可以吗？", "form_token": "t2", "csrf_token": token}
        )
        assert response.status_code == 302
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeQuestion)) == 1
