"""Creating a posting: each kind's form and fields, defaults from the organisation, double submits."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.enums import CooperationMode, PostingKind, Tier
from app.core.errors import ValidationFailed
from app.core.outbox import SearchOutbox
from app.postings import services
from app.postings.models import Posting
from app.postings.services import DuplicateSubmission, create_posting
from tests.factories import TierFactory, UserFactory
from tests.postings.helpers import BODY, VALID, K, S, act_as, count_postings, page_text, valid


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
