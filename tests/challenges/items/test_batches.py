"""榜单: creating with a valid window, publishing onto backing need postings, withdrawing, and who sees the desk."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.challenges.items import services
from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.core.challenge_enums import BatchStatus, ItemStatus
from app.core.enums import OrgType, PostingKind, PostingStatus
from app.core.errors import InvalidTransition, ValidationFailed
from app.core.models import StatusChange
from app.core.outbox import SearchOutbox
from tests.challenges.helpers import make_batch, make_item
from tests.conftest import login_as
from tests.factories import AdminFactory, OrgFactory, UserFactory

WINDOW = {"title": "2027年度关键核心技术攻关榜单（第一批）", "description": "", "opens_on": "2026-12-05"}


@pytest.fixture
def issuer(db):
    return UserFactory(org=OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY))


def _post_batch(client, **changes):
    return client.post("/challenges/manage/batches/new", data={**WINDOW, "closes_on": "2026-12-31", **changes})


def test_a_batch_whose_deadline_is_before_its_opening_is_refused_with_a_chinese_message(client, db, issuer):
    login_as(client, issuer)
    response = _post_batch(client, opens_on="2026-12-20", closes_on="2026-12-10")
    assert response.status_code == 200
    assert "征集截止日期不能早于开始日期" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeBatch)) == 0


def test_a_batch_closing_in_the_past_is_refused(client, db, issuer):
    login_as(client, issuer)
    page = _post_batch(client, opens_on="2026-11-01", closes_on="2026-12-01").get_data(as_text=True)
    assert "征集截止日期已过" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeBatch)) == 0


@pytest.mark.parametrize("value", ["明天", "2026-13-40", ""])
def test_a_batch_with_an_unreadable_date_gets_a_message_and_no_500(client, db, issuer, value):
    login_as(client, issuer)
    response = _post_batch(client, closes_on=value)
    assert response.status_code == 200
    assert "征集截止日期" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeBatch)) == 0


def test_a_good_batch_is_created_once_even_when_the_form_arrives_twice(client, db, issuer):
    login_as(client, issuer)
    first = _post_batch(client, form_token="tok-batch-1")
    second = _post_batch(client, form_token="tok-batch-1")
    assert first.status_code == second.status_code == 302
    batches = db.session.scalars(sa.select(ChallengeBatch)).all()
    assert len(batches) == 1 and batches[0].issuer_org_id == issuer.org_id
    assert batches[0].status == BatchStatus.DRAFT and batches[0].closes_on == date(2026, 12, 31)


def test_the_batch_form_refuses_a_post_without_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        issuer = UserFactory()
        db.session.commit()
        client = app.test_client()
        login_as(client, issuer)
        assert _post_batch(client).status_code == 400
        page = client.get("/challenges/manage/batches/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert _post_batch(client, csrf_token=token).status_code == 302
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeBatch)) == 1


def test_publishing_needs_at_least_one_item(db, issuer):
    batch = make_batch(db, issuer.org, status=BatchStatus.DRAFT, closes_on=date(2026, 12, 31))
    with pytest.raises(ValidationFailed, match="至少要有一个"):
        services.publish_batch(batch, issuer)
    assert batch.status == BatchStatus.DRAFT


def test_publishing_puts_each_item_on_a_published_challenge_need_in_the_search_outbox(client, db, issuer):
    item = make_item(db, issuer.org, status=ItemStatus.DRAFT, funding_wan=300)
    db.session.commit()
    login_as(client, issuer)
    response = client.post(f"/challenges/manage/batches/{item.batch_id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(ChallengeItem, item.id)
    assert item.status == ItemStatus.COLLECTING and item.batch.status == BatchStatus.PUBLISHED
    posting = item.posting
    assert posting.kind == PostingKind.NEED and posting.status == PostingStatus.PUBLISHED
    assert posting.challenge and posting.reward_wan == 300 and posting.org_id == issuer.org_id
    assert posting.deadline == item.batch.closes_on and posting.keywords == ["稀土", "永磁", "钕铁硼"]
    assert "考核指标" in posting.body and item.indicators[0].name in posting.body
    outbox = db.session.scalars(sa.select(SearchOutbox).where(SearchOutbox.entity_id == posting.id)).all()
    assert any(row.entity_type == "posting" and row.version == posting.version for row in outbox)
    audit = db.session.scalars(sa.select(StatusChange.to_status).where(StatusChange.entity_type == "challenge_item"))
    assert "collecting" in list(audit)


def test_editing_a_collecting_item_updates_its_posting_and_announces_it(db, issuer):
    item = make_item(db, issuer.org)
    before = item.posting.version
    item.title = "新的标题"
    services.sync_posting(item, issuer)
    assert item.posting.title == "新的标题" and item.posting.version == before + 1
    assert db.session.scalar(
        sa.select(sa.func.count()).where(SearchOutbox.entity_id == item.posting_id, SearchOutbox.version == before + 1)
    )


def test_withdrawing_closes_items_and_their_postings(client, db, issuer):
    item = make_item(db, issuer.org)
    db.session.commit()
    login_as(client, issuer)
    assert client.post(f"/challenges/manage/batches/{item.batch_id}/withdraw", data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ChallengeBatch, item.batch_id).status == BatchStatus.PUBLISHED  # a reason is required
    client.post(f"/challenges/manage/batches/{item.batch_id}/withdraw", data={"reason": "资金安排调整"})
    db.session.expire_all()
    item = db.session.get(ChallengeItem, item.id)
    assert item.batch.status == BatchStatus.WITHDRAWN and item.status == ItemStatus.WITHDRAWN
    assert item.posting.status == PostingStatus.CLOSED
    assert client.get(f"/challenges/items/{item.id}").status_code == 404


def test_a_batch_with_an_item_in_notice_cannot_be_withdrawn(db, issuer):
    item = make_item(db, issuer.org, status=ItemStatus.NOTICE)
    with pytest.raises(InvalidTransition, match="不能撤回"):
        services.withdraw_batch(item.batch, issuer, "不再需要")
    assert item.batch.status == BatchStatus.PUBLISHED and item.status == ItemStatus.NOTICE


def test_another_organisations_desk_is_404(client, db, issuer):
    item = make_item(db, issuer.org)
    stranger = UserFactory()
    db.session.commit()
    login_as(client, stranger)
    for url in (
        f"/challenges/manage/batches/{item.batch_id}",
        f"/challenges/manage/batches/{item.batch_id}/edit",
        f"/challenges/manage/items/{item.id}",
        f"/challenges/manage/items/{item.id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/challenges/manage/batches/{item.batch_id}/publish").status_code == 404
    assert item.batch.title not in client.get("/challenges/manage/").get_data(as_text=True)


def test_the_desk_lists_the_own_batches_and_admins_see_all(client, db, issuer):
    item = make_item(db, issuer.org)
    admin = AdminFactory()
    db.session.commit()
    login_as(client, issuer)
    assert item.batch.title in client.get("/challenges/manage/").get_data(as_text=True)
    login_as(client, admin)
    page = client.get(f"/challenges/manage/items/{item.id}").get_data(as_text=True)
    assert item.title in page


def test_a_user_without_organisation_has_no_desk(client, db):
    from tests.factories import OrganiserFactory

    login_as(client, OrganiserFactory())
    assert client.get("/challenges/manage/").status_code == 404


def test_moving_the_deadline_of_a_published_batch_moves_its_postings(client, db, issuer):
    item = make_item(db, issuer.org)
    db.session.commit()
    login_as(client, issuer)
    data = {"title": item.batch.title, "description": "", "opens_on": "2026-11-20", "closes_on": "2027-01-10"}
    assert client.post(f"/challenges/manage/batches/{item.batch_id}/edit", data=data).status_code == 302
    db.session.expire_all()
    item = db.session.get(ChallengeItem, item.id)
    assert item.batch.closes_on == item.posting.deadline == date(2027, 1, 10)
    moved = client.post(f"/challenges/manage/batches/{item.batch_id}/edit", data={**data, "opens_on": "2026-12-10"})
    assert "征集已经开始，开始日期不能再修改" in moved.get_data(as_text=True)
