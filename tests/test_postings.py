"""Rules of the four kinds of posting: fields, lifecycle, visibility, lists, export and moderation."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import g
from openpyxl import load_workbook

from app.core.enums import CooperationMode, PostingKind, PostingStatus, Tier, VerificationStatus
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import StatusChange
from app.matching.models import SearchOutbox
from app.postings import services
from app.postings.models import Posting
from app.postings.services import (
    DuplicateSubmission,
    approve_posting,
    close_posting,
    create_posting,
    expire_postings,
    get_visible_posting,
    org_postings_by_status,
    reject_posting,
    reopen_posting,
    submit_posting,
    update_posting,
    withdraw_posting,
)
from tests.conftest import login_as
from tests.factories import AdminFactory, OrgFactory, PostingFactory, TierFactory, UserFactory

K = PostingKind
S = PostingStatus
FUTURE = (date.today() + timedelta(days=60)).isoformat()

VALID = {
    K.ACHIEVEMENT: {
        "title": "稀土永磁同步电机高效控制技术",
        "keywords": "稀土；永磁、电机",
        "industry": "C38",
        "region": "150200",
        "summary": "基于无位置传感器的永磁同步电机矢量控制方法。",
        "trl": "6",
        "cooperation": ["transfer", "license"],
        "year": "2023",
        "patents": "ZL201910123456.7",
    },
    K.NEED: {
        "title": "羊绒分梳设备降耗技术攻关",
        "keywords": "羊绒，分梳",
        "industry": "C17",
        "region": "150600",
        "description": "现有分梳设备能耗高，希望降低 20% 能耗。",
        "budget_wan": "80",
        "deadline": FUTURE,
        "challenge": True,
        "reward_wan": "50",
        "cooperation": ["joint_dev"],
    },
    K.PROCUREMENT: {
        "title": "采购高纯氧化镨钕",
        "keywords": "氧化镨钕",
        "industry": "C32",
        "region": "150200",
        "description": "纯度 99.5% 以上，分批交付。",
        "quantity": "500 吨/年",
        "deadline": FUTURE,
        "qualifications": "具备危化品经营许可",
    },
    K.CAPABILITY: {
        "title": "精密数控加工能力",
        "keywords": "数控加工；五轴",
        "industry": "C34",
        "region": "150100",
        "description": "五轴联动加工中心 12 台，可承接航空零部件加工。",
        "certifications": "ISO 9001；高新技术企业",
    },
}
BODY = {K.ACHIEVEMENT: "summary"}


def valid(kind: PostingKind, **changes) -> dict:
    return {**VALID[kind], **changes}


def act_as(client, user):
    """Switch the test client's user (Flask-Login caches the user on `g`, which the test's app context keeps)."""
    g.pop("_login_user", None)
    if user is None:
        with client.session_transaction() as sess:
            sess.clear()
    else:
        login_as(client, user)
    return client


def page_text(resp) -> str:
    return resp.get_data(as_text=True)


def count_postings(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Posting.id)))


def draft(org, kind=K.ACHIEVEMENT, **kw):
    return PostingFactory(org=org, kind=kind, status=S.DRAFT, published_at=None, **kw)


@pytest.fixture
def owner(db):
    user = UserFactory()
    db.session.commit()
    return user


@pytest.fixture
def admin(db):
    user = AdminFactory()
    db.session.commit()
    return user


def published(owner, admin, kind=K.NEED, **changes) -> Posting:
    posting = create_posting(kind, owner.org, owner, valid(kind, **changes))
    submit_posting(posting, owner)
    approve_posting(posting, admin)
    return posting


# --- creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PostingKind))
def test_each_kind_is_created_from_its_form_as_a_draft(client, db, owner, kind):
    resp = act_as(client, owner).post(f"/postings/{kind.value}/new", data={**valid(kind), "action": "draft"})

    assert resp.status_code == 302
    posting = db.session.scalar(sa.select(Posting))
    assert posting.kind == kind and posting.status == S.DRAFT and posting.org_id == owner.org_id
    assert posting.title == VALID[kind]["title"]
    assert posting.body == VALID[kind][BODY.get(kind, "description")]
    assert len(posting.keywords) >= 1
    if kind == K.ACHIEVEMENT:
        assert posting.trl == 6 and posting.patents == ["ZL201910123456.7"]
        assert posting.cooperation == [CooperationMode.TRANSFER, CooperationMode.LICENSE]
    if kind == K.NEED:
        assert posting.challenge and posting.reward_wan == 50
    if kind == K.PROCUREMENT:
        assert posting.quantity == "500 吨/年"
    if kind == K.CAPABILITY:
        assert posting.certifications == ["ISO 9001", "高新技术企业"]


@pytest.mark.parametrize(
    "kind, changes, field_message",
    [
        (K.ACHIEVEMENT, {"title": ""}, "请填写标题"),
        (K.ACHIEVEMENT, {"trl": "12"}, "技术成熟度(TRL)应为1到9的整数"),
        (K.ACHIEVEMENT, {"patents": "ZL2019"}, "格式不正确"),
        (K.NEED, {"deadline": "2001-01-01"}, "截止日期不能早于今天"),
        (K.NEED, {"contact_phone": "12345"}, "联系电话格式不正确"),
        (K.PROCUREMENT, {"description": " "}, "请填写详细描述"),
    ],
)
def test_invalid_input_is_shown_next_to_its_field_and_nothing_is_saved(client, db, owner, kind, changes, field_message):
    resp = act_as(client, owner).post(
        f"/postings/{kind.value}/new", data={**valid(kind, **changes), "action": "submit"}
    )

    assert resp.status_code == 422
    feedback = re.findall(r'class="invalid-feedback">([^<]+)<', page_text(resp))
    assert any(field_message in message for message in feedback)
    assert count_postings(db) == 0
    assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0


def test_create_posting_reports_every_field_error_at_once(db, owner):
    with pytest.raises(ValidationFailed) as caught:
        create_posting(K.ACHIEVEMENT, owner.org, owner, valid(K.ACHIEVEMENT, trl="12", patents="坏号码", region="火星"))

    assert set(caught.value.errors) == {"trl", "patents", "region"}


def test_contact_defaults_from_the_organisation_when_left_empty(db, owner):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    typed = create_posting(K.NEED, owner.org, owner, valid(K.NEED, contact="王工", contact_phone="0471-6543210"))

    assert (posting.contact_name, posting.contact_phone) == (owner.org.contact_name, owner.org.contact_phone)
    assert posting.contact_email == owner.org.contact_email
    assert (typed.contact_name, typed.contact_phone) == ("王工", "0471-6543210")


def test_capability_tier_defaults_to_the_organisations_current_tier(db, owner):
    TierFactory(org=owner.org, tier=Tier.SPECIALIZED)
    without_record = UserFactory()

    assert create_posting(K.CAPABILITY, owner.org, owner, valid(K.CAPABILITY)).tier == Tier.SPECIALIZED
    assert (
        create_posting(K.CAPABILITY, owner.org, owner, valid(K.CAPABILITY, tier="innovative")).tier == Tier.INNOVATIVE
    )
    assert create_posting(K.CAPABILITY, without_record.org, without_record, valid(K.CAPABILITY)).tier is None


def test_double_submit_of_the_new_form_creates_one_posting(client, db, owner):
    act_as(client, owner)
    form = {**valid(K.NEED), "form_token": "token-1", "action": "submit"}

    first = client.post("/postings/need/new", data=form)
    second = client.post("/postings/need/new", data=form, follow_redirects=True)

    assert first.status_code == 302 and second.status_code == 200
    assert "请勿重复提交" in page_text(second)
    assert count_postings(db) == 1


def test_a_simultaneous_duplicate_is_caught_by_the_unique_index(db, owner, monkeypatch):
    first = create_posting(K.NEED, owner.org, owner, valid(K.NEED), form_token="token-2")
    db.session.commit()
    real_lookup, calls = services._by_token, []

    def lookup_racing_the_first_request(org_id, token):
        calls.append(token)
        return None if len(calls) == 1 else real_lookup(org_id, token)

    monkeypatch.setattr(services, "_by_token", lookup_racing_the_first_request)

    with pytest.raises(DuplicateSubmission) as caught:
        create_posting(K.NEED, owner.org, owner, valid(K.NEED), form_token="token-2")
    assert caught.value.posting.id == first.id
    assert count_postings(db) == 1


# --- the lifecycle ----------------------------------------------------------------------------


def test_draft_is_submitted_then_approved_and_becomes_public(client, db, owner, admin):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    assert submit_posting(posting, owner) is True
    assert posting.status == S.SUBMITTED and posting.submitted_at is not None
    approve_posting(posting, admin)
    db.session.commit()

    assert posting.status == S.PUBLISHED and posting.published_at is not None
    assert client.get(f"/postings/need/{posting.id}").status_code == 200


def test_rejected_posting_shows_the_reason_to_its_owner(client, db, owner, admin):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    submit_posting(posting, owner)
    with pytest.raises(ValidationFailed):
        reject_posting(posting, admin, "  ")
    reject_posting(posting, admin, "请补充预算依据")
    db.session.commit()

    assert posting.status == S.REJECTED
    assert "请补充预算依据" in page_text(act_as(client, owner).get(f"/postings/need/{posting.id}"))
    assert act_as(client, None).get(f"/postings/need/{posting.id}").status_code == 404


def test_rejected_posting_can_be_fixed_and_submitted_again(db, owner, admin):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    submit_posting(posting, owner)
    reject_posting(posting, admin, "标题不清楚")
    update_posting(posting, owner, valid(K.NEED, title="羊绒分梳设备节能改造"))

    assert submit_posting(posting, owner) is True
    assert posting.status == S.SUBMITTED and posting.reject_reason is None


def test_unverified_organisation_cannot_submit(db):
    user = UserFactory(org__verification=VerificationStatus.PENDING)
    posting = create_posting(K.NEED, user.org, user, valid(K.NEED))

    with pytest.raises(Exception, match="机构尚未通过平台认证"):
        submit_posting(posting, user)
    assert posting.status == S.DRAFT


def test_unverified_organisation_keeps_its_draft_when_the_form_asks_to_submit(client, db):
    user = UserFactory(org__verification=VerificationStatus.PENDING)
    db.session.commit()

    resp = act_as(client, user).post(
        "/postings/need/new", data={**valid(K.NEED), "action": "submit"}, follow_redirects=True
    )

    assert "机构尚未通过平台认证" in page_text(resp)
    assert db.session.scalar(sa.select(Posting.status)) == S.DRAFT


def test_submitting_twice_is_a_no_op_not_an_error(client, db, owner):
    posting = draft(owner.org)
    db.session.commit()
    act_as(client, owner)

    client.post(f"/postings/achievement/{posting.id}/submit")
    again = client.post(f"/postings/achievement/{posting.id}/submit", follow_redirects=True)

    assert again.status_code == 200 and "无需重复提交" in page_text(again)
    assert submit_posting(posting, owner) is False
    assert (
        db.session.scalar(sa.select(sa.func.count(StatusChange.id)).where(StatusChange.to_status == "submitted")) == 1
    )


@pytest.mark.parametrize(
    "status, move",
    [
        (S.DRAFT, "close"),
        (S.DRAFT, "approve"),
        (S.PUBLISHED, "approve"),
        (S.PUBLISHED, "withdraw"),
        (S.SUBMITTED, "reopen"),
    ],
)
def test_moves_outside_the_transition_table_are_refused(db, owner, admin, status, move):
    posting = PostingFactory(org=owner.org, status=status)
    services = {
        "close": lambda: close_posting(posting, owner),
        "approve": lambda: approve_posting(posting, admin),
        "withdraw": lambda: withdraw_posting(posting, owner),
        "reopen": lambda: reopen_posting(posting, owner),
    }

    with pytest.raises(InvalidTransition, match="不能"):
        services[move]()
    assert posting.status == status


def test_editing_a_published_posting_keeps_it_published_and_moves_the_version(db, owner, admin):
    posting = published(owner, admin)
    version = posting.version

    update_posting(posting, owner, valid(K.NEED, title="新的标题"))

    assert posting.status == S.PUBLISHED and posting.title == "新的标题"
    assert posting.version == version + 1
    assert (
        db.session.scalar(sa.select(sa.func.max(SearchOutbox.version)).where(SearchOutbox.entity_id == posting.id))
        == version + 1
    )


def test_editing_a_posting_under_review_is_refused(client, db, owner):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    submit_posting(posting, owner)
    db.session.commit()

    with pytest.raises(InvalidTransition, match="请先撤回"):
        update_posting(posting, owner, valid(K.NEED, title="改一下"))
    resp = act_as(client, owner).get(f"/postings/need/{posting.id}/edit", follow_redirects=True)
    assert "请先撤回" in page_text(resp)


def test_every_state_change_writes_history_and_an_outbox_row_with_a_rising_version(db, owner, admin):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    submit_posting(posting, owner)
    reject_posting(posting, admin, "补充说明")
    submit_posting(posting, owner)
    approve_posting(posting, admin)
    close_posting(posting, owner)
    db.session.commit()

    changes = db.session.execute(
        sa.select(StatusChange.from_status, StatusChange.to_status).order_by(StatusChange.id)
    ).all()
    assert changes == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "rejected"),
        ("rejected", "submitted"),
        ("submitted", "published"),
        ("published", "closed"),
    ]
    versions = db.session.scalars(sa.select(SearchOutbox.version).order_by(SearchOutbox.id)).all()
    assert versions == [1, 2, 3, 4, 5, 6] and posting.version == 6


def test_expire_postings_moves_only_published_postings_past_their_deadline_and_is_idempotent(db):
    with time_machine.travel(datetime(2025, 3, 1, 12), tick=False):
        past = PostingFactory(kind=K.NEED, deadline=date(2025, 3, 10))
        today = PostingFactory(kind=K.NEED, deadline=date(2025, 3, 20))
        no_deadline = PostingFactory(kind=K.NEED, deadline=None)
        draft_past = PostingFactory(kind=K.NEED, status=S.DRAFT, deadline=date(2025, 3, 10))
        db.session.commit()

    with time_machine.travel(datetime(2025, 3, 20, 12), tick=False):
        assert expire_postings() == 1
        assert expire_postings() == 0
        db.session.commit()

    assert past.status == S.EXPIRED
    assert today.status == no_deadline.status == S.PUBLISHED
    assert draft_past.status == S.DRAFT
    assert db.session.scalar(sa.select(StatusChange.actor_id).where(StatusChange.to_status == "expired")) is None


def test_owner_withdraws_a_posting_from_review_to_edit_it(client, db, owner):
    posting = create_posting(K.NEED, owner.org, owner, valid(K.NEED))
    submit_posting(posting, owner)
    db.session.commit()

    act_as(client, owner).post(f"/postings/need/{posting.id}/withdraw")

    assert posting.status == S.DRAFT
    assert client.get(f"/postings/need/{posting.id}/edit").status_code == 200


def test_closed_posting_is_reopened_as_a_draft(db, owner, admin):
    posting = published(owner, admin)
    close_posting(posting, owner)
    reopen_posting(posting, owner)

    assert posting.status == S.DRAFT


def test_org_postings_by_status_groups_every_status(db, owner):
    mine = [draft(owner.org), PostingFactory(org=owner.org)]
    PostingFactory()  # another organisation's

    grouped = org_postings_by_status(owner.org_id)

    assert set(grouped) == set(PostingStatus)
    assert grouped[S.DRAFT] == [mine[0]] and grouped[S.PUBLISHED] == [mine[1]]
    assert grouped[S.CLOSED] == []


# --- who sees what ------------------------------------------------------------------------------


def test_another_organisation_cannot_edit_a_posting(client, db, owner):
    posting = PostingFactory(org=owner.org)
    stranger = UserFactory()
    db.session.commit()
    act_as(client, stranger)

    assert client.get(f"/postings/achievement/{posting.id}/edit").status_code == 404
    assert client.post(f"/postings/achievement/{posting.id}/edit", data=valid(K.ACHIEVEMENT)).status_code == 404
    assert client.post(f"/postings/achievement/{posting.id}/close").status_code == 404
    assert posting.title != VALID[K.ACHIEVEMENT]["title"] and posting.status == S.PUBLISHED


def test_another_organisations_draft_does_not_exist_for_others(client, db, owner, admin):
    posting = draft(owner.org)
    stranger = UserFactory()
    db.session.commit()
    url = f"/postings/achievement/{posting.id}"

    assert act_as(client, stranger).get(url).status_code == 404
    assert act_as(client, None).get(url).status_code == 404
    assert act_as(client, owner).get(url).status_code == 200
    assert act_as(client, admin).get(url).status_code == 200


def test_detail_url_with_the_wrong_kind_is_404(client, db):
    posting = PostingFactory(kind=K.ACHIEVEMENT)
    db.session.commit()

    assert client.get(f"/postings/need/{posting.id}").status_code == 404
    with pytest.raises(NotFound):
        get_visible_posting(posting.id, None, K.NEED)


def test_anonymous_visitors_list_only_published_postings(client, db):
    for status in PostingStatus:
        PostingFactory(title=f"状态{status.value}", status=status)
    db.session.commit()

    text = page_text(client.get("/postings/achievement?status=all"))

    assert "状态published" in text
    assert not any(f"状态{s.value}" in text for s in PostingStatus if s != S.PUBLISHED)


def test_contact_details_are_hidden_from_anonymous_visitors_and_shown_to_the_owner(client, db, owner, admin):
    posting = PostingFactory(org=owner.org, contact_phone="13912345678", contact_email="li@example.edu.cn")
    stranger = UserFactory()
    db.session.commit()
    url = f"/postings/achievement/{posting.id}"

    anonymous = page_text(act_as(client, None).get(url))
    assert "13912345678" not in anonymous and "li@example.edu.cn" not in anonymous
    assert "登录后可发起对接" in anonymous
    assert "13912345678" not in page_text(act_as(client, stranger).get(url))
    assert "13912345678" in page_text(act_as(client, owner).get(url))
    assert "li@example.edu.cn" in page_text(act_as(client, admin).get(url))


def test_members_see_their_own_organisations_postings_in_any_status(client, db, owner):
    draft(owner.org, title="我的草稿")
    draft(OrgFactory(), title="别人的草稿")
    db.session.commit()

    text = page_text(act_as(client, owner).get("/postings/achievement?status=draft"))

    assert "我的草稿" in text and "别人的草稿" not in text


# --- lists ----------------------------------------------------------------------------------------


def titles(resp) -> set[str]:
    return set(re.findall(r'class="text-break">([^<]+)</a>', page_text(resp)))


def test_list_filters_by_industry_section_or_division(client, db):
    PostingFactory(title="有色", industry="C32")
    PostingFactory(title="电气", industry="C38")
    PostingFactory(title="畜牧", industry="A03")
    db.session.commit()

    assert titles(client.get("/postings/achievement?industry=C")) == {"有色", "电气"}
    assert titles(client.get("/postings/achievement?industry=C32")) == {"有色"}
    assert titles(client.get("/postings/achievement?industry=Z99")) == {"有色", "电气", "畜牧"}


def test_list_filters_by_region_trl_and_cooperation_mode(client, db):
    PostingFactory(title="包头成熟", region="150200", trl=8, cooperation=["transfer"])
    PostingFactory(title="包头早期", region="150200", trl=3, cooperation=["license"])
    PostingFactory(title="呼市成熟", region="150100", trl=7, cooperation=["transfer"])
    db.session.commit()

    assert titles(client.get("/postings/achievement?region=包头")) == {"包头成熟", "包头早期"}
    assert titles(client.get("/postings/achievement?trl=7")) == {"包头成熟", "呼市成熟"}
    assert titles(client.get("/postings/achievement?trl=12")) == {"包头成熟", "包头早期", "呼市成熟"}
    assert titles(client.get("/postings/achievement?mode=license")) == {"包头早期"}


def test_list_filters_needs_by_challenge_and_open_deadline(client, db):
    PostingFactory(kind=K.NEED, title="揭榜", challenge=True, reward_wan=50)
    PostingFactory(kind=K.NEED, title="普通")
    PostingFactory(kind=K.NEED, title="已过截止", deadline=date.today() - timedelta(days=3))
    db.session.commit()

    assert titles(client.get("/postings/need?challenge=1")) == {"揭榜"}
    assert "已过截止" not in titles(client.get("/postings/need?open=1"))


def test_list_filters_capabilities_by_tier(client, db):
    PostingFactory(kind=K.CAPABILITY, title="小巨人", tier=Tier.LITTLE_GIANT)
    PostingFactory(kind=K.CAPABILITY, title="创新型", tier=Tier.INNOVATIVE)
    db.session.commit()

    assert titles(client.get("/postings/capability?tier=little_giant")) == {"小巨人"}


def test_keyword_search_treats_percent_and_underscore_literally(client, db):
    PostingFactory(title="100%纯羊绒_围巾")
    PostingFactory(title="1000纯羊绒围巾")
    PostingFactory(title="光伏组件", keywords=["氢能", "储能"], body="")
    db.session.commit()

    assert titles(client.get("/postings/achievement", query_string={"q": "100%"})) == {"100%纯羊绒_围巾"}
    assert titles(client.get("/postings/achievement", query_string={"q": "_"})) == {"100%纯羊绒_围巾"}
    assert titles(client.get("/postings/achievement", query_string={"q": "氢能"})) == {"光伏组件"}
    assert titles(client.get("/postings/achievement", query_string={"q": "羊绒 围巾"})) == {
        "100%纯羊绒_围巾",
        "1000纯羊绒围巾",
    }


@pytest.mark.parametrize("query", ["稀土" * 150, "%%%___\\'\";--", "！？。，、", "   "])
def test_long_or_punctuation_only_queries_do_not_error(client, db, query):
    PostingFactory()
    db.session.commit()

    assert client.get("/postings/achievement", query_string={"q": query}).status_code == 200


def test_a_page_beyond_the_last_shows_the_last_page(make_app):
    app = make_app(PER_PAGE=2)
    with app.app_context():
        for i in range(3):
            PostingFactory(title=f"成果{i}")
        from app.extensions import db

        db.session.commit()
        resp = app.test_client().get("/postings/achievement?page=99")

    assert resp.status_code == 200
    assert len(titles(resp)) == 1 and "第 2/2 页" in page_text(resp)


def test_export_xlsx_has_the_filtered_rows_of_every_page_without_contacts(make_app):
    app = make_app(PER_PAGE=1)
    with app.app_context():
        from app.extensions import db

        PostingFactory(title="包头成果甲", region="150200", contact_phone="13912345678")
        PostingFactory(title="包头成果乙", region="150200")
        PostingFactory(title="呼市成果", region="150100")
        db.session.commit()
        resp = app.test_client().get("/postings/achievement?region=150200&format=xlsx")

    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert "标题" in header and "技术成熟度(TRL)" in header
    assert {row[header.index("标题")] for row in data} == {"包头成果甲", "包头成果乙"}
    assert data[0][header.index("所在地区")] == "包头市"
    assert not any("13912345678" in str(cell) for row in rows for cell in row)


def test_export_csv_opens_in_excel_and_keeps_chinese(client, db):
    PostingFactory(kind=K.NEED, title="羊绒分梳降耗", challenge=True, reward_wan=50)
    db.session.commit()

    resp = client.get("/postings/need?format=csv")

    assert resp.status_code == 200 and resp.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("标题")] == "羊绒分梳降耗"
    assert rows[1][rows[0].index("揭榜奖金(万元)")] == "50 万元"
    assert client.get("/postings/need?format=pdf").status_code == 404


# --- moderation -----------------------------------------------------------------------------------


def test_moderation_queue_is_for_platform_admins_only(client, db, owner, admin):
    assert act_as(client, None).get("/postings/admin/moderation").status_code == 302
    assert act_as(client, owner).get("/postings/admin/moderation").status_code == 403
    assert act_as(client, admin).get("/postings/admin/moderation").status_code == 200
    posting = PostingFactory(org=owner.org, status=S.SUBMITTED)
    db.session.commit()
    assert act_as(client, owner).post(f"/postings/achievement/{posting.id}/approve").status_code == 403
    assert posting.status == S.SUBMITTED


def test_moderation_queue_lists_submitted_postings_oldest_first(client, db, admin):
    now = datetime(2025, 5, 1)
    PostingFactory(title="后提交", status=S.SUBMITTED, submitted_at=now)
    PostingFactory(title="先提交", status=S.SUBMITTED, submitted_at=now - timedelta(days=2))
    PostingFactory(title="已发布")
    db.session.commit()

    text = page_text(act_as(client, admin).get("/postings/admin/moderation"))

    assert text.index("先提交") < text.index("后提交") and "已发布" not in text


def test_admin_approves_and_rejects_from_the_queue(client, db, admin):
    first = PostingFactory(status=S.SUBMITTED, published_at=None)
    second = PostingFactory(status=S.SUBMITTED, published_at=None)
    db.session.commit()
    act_as(client, admin)

    client.post(f"/postings/achievement/{first.id}/approve")
    missing_reason = client.post(
        f"/postings/achievement/{second.id}/reject", data={"reason": ""}, follow_redirects=True
    )
    assert "请填写退回原因" in page_text(missing_reason) and second.status == S.SUBMITTED
    client.post(f"/postings/achievement/{second.id}/reject", data={"reason": "请补充专利证明"})

    assert first.status == S.PUBLISHED and first.published_at is not None
    assert second.status == S.REJECTED and second.reject_reason == "请补充专利证明"


def test_bulk_approve_publishes_what_it_can_and_says_why_not_the_rest(client, db, admin):
    ok = PostingFactory(kind=K.NEED, status=S.SUBMITTED, published_at=None)
    late = PostingFactory(kind=K.NEED, status=S.SUBMITTED, published_at=None, deadline=date.today() - timedelta(days=1))
    db.session.commit()

    resp = act_as(client, admin).post(
        "/postings/admin/moderation/approve", data={"ids": [str(ok.id), str(late.id), "x"]}, follow_redirects=True
    )

    assert "已审核通过 1 条" in page_text(resp) and "截止日期已过" in page_text(resp)
    assert ok.status == S.PUBLISHED and late.status == S.SUBMITTED
