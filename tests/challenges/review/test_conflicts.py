"""Conflicts of interest: an expert from the applicant, a partner, the applicant's 集团 or the issuer is never
assigned, automatically or by hand, and cannot open the file."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.challenges.review.assignment import add_assignment, assign_experts
from app.challenges.review.models import ReviewAssignment
from app.challenges.review.services import can_open
from app.core.challenge_enums import ReviewStage
from app.core.errors import ValidationFailed
from app.core.models import utcnow
from tests.challenges.review.helpers import make_expert, screened, world
from tests.conftest import as_user
from tests.factories import OrgFactory

REVIEW = ReviewStage.REVIEW


def _conflicted(db, w, kind):
    """An expert whose organisation is the applicant, a partner, in the applicant's group, or the issuer."""
    org = {
        "lead": lambda: w.lead,
        "partner": lambda: w.partner,
        "group": lambda: OrgFactory(name="北方稀土集团下属研究院", group_id=w.group.id),
        "issuer": lambda: w.item.batch.issuer,
    }[kind]()
    return make_expert(db, org, name=f"冲突专家{kind}")


KINDS = ["lead", "partner", "group", "issuer"]


@pytest.mark.parametrize("kind", KINDS)
def test_automatic_assignment_never_picks_an_expert_in_conflict(db, kind):
    w = world(db, experts=0)
    screened(db, w.application)
    bad = _conflicted(db, w, kind)
    fine = make_expert(db)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user, n=2)
    assert [a.expert_id for a in report.made] == [fine.id]
    assert bad.id not in {a.expert_id for a in report.made}
    assert report.short == [(w.application, 1)]
    assert "还差 1 位" in report.message(w.issuer_user)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("lead", "即申报单位“包头稀土永磁科技有限公司”"),
        ("partner", "即联合体成员单位“内蒙古科技大学材料学院”"),
        ("group", "同属集团“北方稀土集团（测试）”"),
        ("issuer", "即发榜单位"),
    ],
)
def test_manual_assignment_of_an_expert_in_conflict_is_refused_naming_the_conflict(db, client, kind, words):
    w = world(db)
    screened(db, w.application)
    bad = _conflicted(db, w, kind)
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        add_assignment(w.application, REVIEW, bad, w.issuer_user)
    assert words in err.value.message and "不能分配" in err.value.message
    db.session.rollback()
    page = (
        as_user(client, w.issuer_user)
        .post(
            f"/challenges/manage/items/{w.item.id}/review/review/assign/manual",
            data={"application_id": w.application.id, "expert_id": bad.id},
            follow_redirects=True,
        )
        .text
    )
    assert words in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment)) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_an_expert_in_conflict_cannot_open_the_file_even_if_assigned_before(db, client, kind):
    w = world(db)
    screened(db, w.application)
    bad = _conflicted(db, w, kind)
    # assigned while independent, then the platform learns of the conflict (e.g. the expert changed organisation)
    row = ReviewAssignment(application_id=w.application.id, expert_id=bad.id, stage=REVIEW, declared_at=utcnow())
    db.session.add(row)
    db.session.commit()
    assert not can_open(bad.user, w.application, REVIEW)
    as_user(client, bad.user)
    page = client.get(f"/challenges/reviews/{row.id}").text
    assert "存在利益冲突" in page and "高丰度稀土永磁体晶界扩散工艺" not in page
    assert client.post(f"/challenges/reviews/{row.id}/scores", data={}).status_code == 404


def test_a_declared_conflict_ends_the_assignment_and_is_never_made_again(db, client):
    w = world(db, experts=2)
    screened(db, w.application)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user)
    db.session.commit()
    row = report.made[0]
    expert_user = row.expert.user
    as_user(client, expert_user)
    assert client.post(f"/challenges/reviews/{row.id}/conflict", data={"note": ""}).status_code == 302
    db.session.expire_all()
    assert row.conflict_note is None
    client.post(f"/challenges/reviews/{row.id}/conflict", data={"note": "本人曾在申报单位兼职"})
    db.session.expire_all()
    assert row.conflict_note == "本人曾在申报单位兼职"
    assert client.get(f"/challenges/reviews/{row.id}").status_code == 404
    again = assign_experts(w.item, REVIEW, [w.application], w.issuer_user)
    assert row.expert_id not in {a.expert_id for a in again.made}
    with pytest.raises(ValidationFailed, match="已声明与该申报存在利益冲突"):
        add_assignment(w.application, REVIEW, row.expert, w.issuer_user)
