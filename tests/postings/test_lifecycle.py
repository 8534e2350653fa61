"""A posting's lifecycle: submit, approve, reject, edit, withdraw, close, reopen, expire, and the history and
outbox rows every move writes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import PostingStatus, VerificationStatus
from app.core.errors import InvalidTransition, ValidationFailed
from app.core.models import StatusChange
from app.core.outbox import SearchOutbox
from app.postings.models import Posting
from app.postings.queries import org_postings_by_status
from app.postings.services import (
    approve_posting,
    close_posting,
    create_posting,
    expire_postings,
    reject_posting,
    reopen_posting,
    submit_posting,
    update_posting,
    withdraw_posting,
)
from tests.factories import PostingFactory, UserFactory
from tests.postings.helpers import K, S, act_as, draft, page_text, published, valid


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
