"""The item editor: payment plan sums to 100, indicators required, M ≤ N, edits locked once in review, and
promoting a published 揭榜挂帅 need keeps its posting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.challenges.items import editing
from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus, TrancheTrigger
from app.core.enums import PostingKind, PostingStatus
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from tests.challenges.helpers import make_batch, make_item
from tests.conftest import login_as
from tests.factories import PostingFactory, UserFactory

FORM = {
    "title": "煤基高端碳材料制备技术攻关",
    "goal": "突破煤基针状焦连续化制备技术。",
    "industry": "C25",
    "keywords": "煤化工；针状焦",
    "complete_by": "2028-12-31",
    "funding_wan": "500",
    "mode": "single",
    "teams_stage1": "1",
    "teams_kept": "1",
    "max_partners": "3",
    "consortium_allowed": "y",
    "experts_per_application": "5",
    "indicators-0-name": "针状焦真密度",
    "indicators-0-target": "≥ 2.13",
    "indicators-0-unit": "g/cm³",
    "indicators-0-verification": "第三方检测报告",
    "tranches-0-name": "首付款",
    "tranches-0-percent": "30",
    "tranches-0-trigger": "signing",
    "tranches-1-name": "验收款",
    "tranches-1-percent": "70",
    "tranches-1-trigger": "acceptance",
}


def _raw(**changes) -> dict:
    """What ItemForm.data_for_service gives for FORM with changes (the service's input)."""
    raw = {
        "title": FORM["title"],
        "goal": FORM["goal"],
        "background": None,
        "industry": "C25",
        "keywords": "煤化工；针状焦",
        "complete_by": date(2028, 12, 31),
        "funding_wan": Decimal("500"),
        "mode": "single",
        "teams_stage1": 1,
        "teams_kept": 1,
        "eligible_org_types": [],
        "eligible_regions": [],
        "min_tier": "",
        "required_certificates": None,
        "other_conditions": None,
        "consortium_allowed": True,
        "max_partners": 3,
        "ip_terms": None,
        "experts_per_application": 5,
        "blind_review": False,
        "indicators": [{"name": "针状焦真密度", "target": "≥ 2.13", "unit": "g/cm³", "verification": None}],
        "tranches": [
            {"name": "首付款", "percent": 30, "trigger": "signing"},
            {"name": "验收款", "percent": 70, "trigger": "acceptance"},
        ],
    }
    raw.update(changes)
    return raw


@pytest.fixture
def issuer(db):
    return UserFactory()


@pytest.fixture
def draft_batch(db, issuer):
    return make_batch(db, issuer.org, status=BatchStatus.DRAFT, closes_on=date(2026, 12, 31))


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeItem))


def test_the_editor_saves_an_item_with_its_rows(client, db, issuer, draft_batch):
    db.session.commit()
    login_as(client, issuer)
    assert client.get(f"/challenges/manage/batches/{draft_batch.id}/items/new").status_code == 200
    response = client.post(f"/challenges/manage/batches/{draft_batch.id}/items/new", data=FORM)
    assert response.status_code == 302
    item = db.session.scalars(sa.select(ChallengeItem)).one()
    assert item.status == ItemStatus.DRAFT and item.funding_wan == 500 and item.keywords == ["煤化工", "针状焦"]
    assert [(t.percent, t.trigger) for t in item.tranches] == [
        (30, TrancheTrigger.SIGNING),
        (70, TrancheTrigger.ACCEPTANCE),
    ]
    assert [i.name for i in item.indicators] == ["针状焦真密度"]
    assert client.get(f"/challenges/manage/items/{item.id}/edit").status_code == 200


def test_a_payment_plan_not_summing_to_100_is_refused(client, db, issuer, draft_batch):
    db.session.commit()
    login_as(client, issuer)
    response = client.post(
        f"/challenges/manage/batches/{draft_batch.id}/items/new", data={**FORM, "tranches-1-percent": "60"}
    )
    assert response.status_code == 200
    assert "付款计划各期比例之和应为 100%（现在是 90%）" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_an_item_needs_at_least_one_indicator(db, issuer, draft_batch):
    empty = [{"name": None, "target": None, "unit": None, "verification": None}]
    with pytest.raises(ValidationFailed) as err:
        editing.create_item(draft_batch, issuer, _raw(indicators=empty))
    assert "至少填写一项考核指标" in err.value.errors["indicators"]


def test_kept_teams_cannot_outnumber_stage_one_teams(client, db, issuer, draft_batch):
    db.session.commit()
    login_as(client, issuer)
    data = {**FORM, "mode": "horse_race", "teams_stage1": "3", "teams_kept": "4"}
    page = client.post(f"/challenges/manage/batches/{draft_batch.id}/items/new", data=data).get_data(as_text=True)
    assert "不能多于首阶段支持的团队数" in page and _count(db) == 0
    data["teams_kept"] = "2"
    assert client.post(f"/challenges/manage/batches/{draft_batch.id}/items/new", data=data).status_code == 302
    item = db.session.scalars(sa.select(ChallengeItem)).one()
    assert (item.mode, item.teams_stage1, item.teams_kept) == (ChallengeMode.HORSE_RACE, 3, 2)


def test_a_single_winner_item_always_funds_one_team(db, issuer, draft_batch):
    item = editing.create_item(draft_batch, issuer, _raw(teams_stage1=5, teams_kept=3))
    assert (item.teams_stage1, item.teams_kept) == (1, 1)


def test_a_gate_payment_only_exists_for_a_horse_race(db, issuer, draft_batch):
    plan = [{"name": "阶段款", "percent": 100, "trigger": "gate"}]
    with pytest.raises(ValidationFailed) as err:
        editing.create_item(draft_batch, issuer, _raw(tranches=plan))
    assert "赛马阶段评估" in err.value.errors["tranches"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("funding_wan", "abc", "不是有效的小数"),
        ("funding_wan", "NaN", "请填写有效的金额"),
        ("funding_wan", "-5", "经费应为大于 0 的金额"),
        ("teams_stage1", "很多", "整数"),
        ("tranches-0-percent", "150", "比例应为 1–100 的整数"),
        ("complete_by", "2026-12-30", "完成时限应晚于榜单征集截止日期"),
        ("title", "", "请填写项目名称"),
        ("indicators-0-target", "", "第 1 行考核指标需要同时填写指标名称和目标值"),
        ("keywords", "", "请填写关键词"),
    ],
)
def test_bad_editor_input_gets_a_chinese_message_and_no_500(client, db, issuer, draft_batch, field, value, message):
    db.session.commit()
    login_as(client, issuer)
    response = client.post(f"/challenges/manage/batches/{draft_batch.id}/items/new", data={**FORM, field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(db) == 0


def test_funding_mode_and_plan_are_locked_once_the_item_is_in_review(db, issuer):
    item = make_item(db, issuer.org, status=ItemStatus.REVIEWING)
    raw = _raw(
        title="改过的标题",
        complete_by=item.complete_by,
        indicators=[{k: getattr(i, k) for k in ("name", "target", "unit", "verification")} for i in item.indicators],
        tranches=[{"name": t.name, "percent": t.percent, "trigger": t.trigger.value} for t in item.tranches],
        funding_wan=Decimal("100"),
    )
    editing.update_item(item, issuer, raw)  # text only: fine
    assert item.title == "改过的标题"
    with pytest.raises(ValidationFailed, match="项目已进入评审，支持经费不能再修改"):
        editing.update_item(item, issuer, {**raw, "funding_wan": Decimal("120")})
    with pytest.raises(ValidationFailed, match="付款计划"):
        editing.update_item(item, issuer, {**raw, "tranches": [{"name": "全款", "percent": 100, "trigger": "signing"}]})


def test_deadline_passing_locks_funding_even_before_the_job_runs(db, issuer):
    item = make_item(db, issuer.org)
    raw = _raw(
        complete_by=item.complete_by,
        indicators=[{k: getattr(i, k) for k in ("name", "target", "unit", "verification")} for i in item.indicators],
        tranches=[{"name": t.name, "percent": t.percent, "trigger": t.trigger.value} for t in item.tranches],
        funding_wan=Decimal("150"),
    )
    editing.update_item(item, issuer, raw)  # while collecting: allowed, and the posting follows
    assert item.posting.reward_wan == 150
    with time_machine.travel(date(2026, 12, 22)), pytest.raises(ValidationFailed, match="支持经费"):
        editing.update_item(item, issuer, {**raw, "funding_wan": Decimal("200")})


def test_editing_keeps_indicator_rows_in_place(db, issuer):
    item = make_item(db, issuer.org)
    ids = [i.id for i in item.indicators]
    rows = [{"name": "改名的指标", "target": "≥ 60", "unit": "MGOe", "verification": None}] + [
        {k: getattr(item.indicators[1], k) for k in ("name", "target", "unit", "verification")}
    ]
    editing.update_item(item, issuer, _raw(complete_by=item.complete_by, indicators=rows))
    assert [i.id for i in item.indicators] == ids and item.indicators[0].name == "改名的指标"


def test_a_withdrawn_item_cannot_be_edited(db, issuer):
    item = make_item(db, issuer.org, status=ItemStatus.WITHDRAWN)
    with pytest.raises(InvalidTransition, match="已撤榜"):
        editing.update_item(item, issuer, _raw(complete_by=item.complete_by))


# --- promoting a need -------------------------------------------------------------------------


def _challenge_need(org, **kw):
    return PostingFactory(
        org=org, kind=PostingKind.NEED, challenge=True, reward_wan=Decimal("80"), ref="XQ-2026-017", **kw
    )


def test_promoting_a_need_keeps_its_posting_and_ref(client, db, issuer):
    posting = _challenge_need(issuer.org)
    batch = make_batch(db, issuer.org, status=BatchStatus.PUBLISHED, closes_on=date(2026, 12, 31))
    db.session.commit()
    login_as(client, issuer)
    assert posting.title in client.get("/challenges/manage/").get_data(as_text=True)
    page = client.get(f"/challenges/manage/promote/{posting.id}").get_data(as_text=True)
    assert posting.title in page and 'value="80.00"' in page  # prefilled: reward → funding
    data = {**FORM, "batch_id": str(batch.id), "title": posting.title}
    response = client.post(f"/challenges/manage/promote/{posting.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.scalars(sa.select(ChallengeItem)).one()
    assert item.posting_id == posting.id and item.batch_id == batch.id
    assert item.status == ItemStatus.COLLECTING  # the batch is published: live at once
    assert item.posting.ref == "XQ-2026-017" and item.posting.status == PostingStatus.PUBLISHED
    assert item.posting.reward_wan == 500
    assert client.get(f"/challenges/manage/promote/{posting.id}").status_code == 302  # already on a batch


def test_only_the_owner_may_promote_a_need(db, issuer):
    posting = _challenge_need(UserFactory().org)
    with pytest.raises(NotFound):
        editing.promotable_posting(issuer, posting.id)
    plain = PostingFactory(org=issuer.org, kind=PostingKind.NEED, challenge=False)
    with pytest.raises(NotFound):
        editing.promotable_posting(issuer, plain.id)


def test_promoting_without_a_batch_asks_for_one_first(client, db, issuer):
    posting = _challenge_need(issuer.org)
    db.session.commit()
    login_as(client, issuer)
    response = client.get(f"/challenges/manage/promote/{posting.id}")
    assert response.status_code == 302 and f"promote={posting.id}" in response.headers["Location"]
    window = {"title": "企业自主发榜（第一批）", "opens_on": "2026-12-05", "closes_on": "2026-12-31"}
    created = client.post(response.headers["Location"], data=window)
    assert f"/challenges/manage/promote/{posting.id}?batch_id=" in created.headers["Location"]
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "企业自主发榜（第一批）（草稿）" in page and posting.title in page


def test_only_a_draft_item_can_be_deleted(client, db, issuer, draft_batch):
    first = editing.create_item(draft_batch, issuer, _raw(title="第一项"))
    second = editing.create_item(draft_batch, issuer, _raw(title="第二项"))
    live = make_item(db, issuer.org)
    db.session.commit()
    login_as(client, issuer)
    assert client.post(f"/challenges/manage/items/{first.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(ChallengeItem, first.id) is None
    assert db.session.get(ChallengeItem, second.id).position == 1
    client.post(f"/challenges/manage/items/{live.id}/delete")  # published: refused with a message
    db.session.expire_all()
    assert db.session.get(ChallengeItem, live.id).status == ItemStatus.COLLECTING
    login_as(client, UserFactory())
    assert client.post(f"/challenges/manage/items/{live.id}/delete").status_code == 404
