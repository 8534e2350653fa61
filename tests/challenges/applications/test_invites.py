"""推荐揭榜方 and invitations: organisations whose published achievements or capabilities match the item's need,
with the reasons, the issuer excluded, ineligible ones flagged, applied or invited ones marked; an invitation
notifies the organisation and shows on its 我的揭榜 page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from app.challenges.applications.views import challenge_application_count
from app.core.challenge_enums import ApplicationStatus
from app.core.enums import NotificationKind, OrgType, PostingKind
from app.matching.models import Match
from tests.challenges.applications.helpers import application_of, complete_form, notifications, post_apply
from tests.conftest import as_user
from tests.factories import AdminFactory, OrgFactory, PostingFactory, UserFactory

REASONS = {"terms": [{"term": "晶界扩散", "fields": ["title"]}], "signals": [{"text": "同属 C32 行业", "weight": 1}]}


def match(db, item, target, rank=1, score=0.8):
    db.session.add(
        Match(
            source_id=item.posting_id,
            target_id=target.id,
            target_kind=target.kind,
            rank=rank,
            score=score,
            reasons=REASONS,
        )
    )


@pytest.fixture
def matched(db, world):
    """The SME's capability, the institute's achievement, an issuer's own achievement and a university match."""
    uni = OrgFactory(name="内蒙古大学", org_type=OrgType.UNIVERSITY)
    UserFactory(org=uni)
    postings = {
        "sme": PostingFactory(org=world.sme, kind=PostingKind.CAPABILITY, title="烧结钕铁硼量产能力"),
        "institute": PostingFactory(org=world.institute, title="晶界扩散重稀土减量技术"),
        "issuer": PostingFactory(org=world.issuer, title="发榜方自己的成果"),
        "uni": PostingFactory(org=uni, title="永磁体微观组织调控"),
    }
    for rank, posting in enumerate(postings.values(), start=1):
        match(db, world.item, posting, rank=rank, score=0.9 - rank / 20)
    world.item.eligible_org_types = ["sme", "institute"]
    db.session.commit()
    return postings


def invites_page(client, user, item):
    return as_user(client, user).get(f"/challenges/manage/items/{item.id}/invites")


def test_matching_organisations_are_listed_with_reasons_without_the_issuer(client, world, matched):
    page = invites_page(client, world.issuer_user, world.item).text
    for title in ("烧结钕铁硼量产能力", "晶界扩散重稀土减量技术", "永磁体微观组织调控"):
        assert title in page
    assert "发榜方自己的成果" not in page
    assert "共同词语：晶界扩散" in page and "同属 C32 行业" in page


def test_ineligible_organisations_are_flagged_with_the_reason_and_cannot_be_invited(client, world, matched):
    page = invites_page(client, world.issuer_user, world.item).text
    assert "不符合揭榜条件" in page and "本榜仅限中小企业、科研院所揭榜，本机构类型为高校" in page
    uni_id = matched["uni"].org_id
    resp = as_user(client, world.issuer_user).post(
        f"/challenges/manage/items/{world.item.id}/invites", data={"org_id": str(uni_id)}
    )
    assert resp.status_code == 422 and "不符合揭榜条件" in resp.text
    assert notifications(NotificationKind.CHALLENGE_INVITE) == []


def test_an_invitation_notifies_the_organisation_and_shows_on_its_mine_page(client, world, matched):
    resp = as_user(client, world.issuer_user).post(
        f"/challenges/manage/items/{world.item.id}/invites",
        data={"org_id": str(world.institute.id), "message": "欢迎贵院揭榜"},
    )
    assert resp.status_code == 302
    [told] = notifications(NotificationKind.CHALLENGE_INVITE)
    assert told.user_id == world.institute_user.id and told.title == f"揭榜邀请：{world.item.title}"
    assert "欢迎贵院揭榜" in told.body and told.link == f"/challenges/items/{world.item.id}"
    assert "已邀请" in invites_page(client, world.issuer_user, world.item).text
    mine = as_user(client, world.institute_user).get("/challenges/applications/mine").text
    assert world.item.title in mine and "欢迎贵院揭榜" in mine
    again = as_user(client, world.issuer_user).post(
        f"/challenges/manage/items/{world.item.id}/invites", data={"org_id": str(world.institute.id)}
    )
    assert again.status_code == 302 and len(notifications(NotificationKind.CHALLENGE_INVITE)) == 1


def test_an_organisation_can_be_invited_by_name_and_a_wrong_name_is_refused(client, world, matched):
    url = f"/challenges/manage/items/{world.item.id}/invites"
    resp = as_user(client, world.issuer_user).post(url, data={"org_name": "查无此单位"})
    assert resp.status_code == 422 and "未找到该机构" in resp.text
    as_user(client, world.issuer_user).post(url, data={"org_name": world.outsider.name})
    assert [n.user_id for n in notifications(NotificationKind.CHALLENGE_INVITE)] == [world.outsider_user.id]


def test_organisations_that_applied_are_marked(client, world, matched):
    post_apply(client, world.sme_user, world.item, complete_form(world.item))
    assert application_of(world.item, world.sme).status == ApplicationStatus.SUBMITTED
    page = invites_page(client, world.issuer_user, world.item).text
    assert "已申报" in page


def test_only_the_issuer_desk_opens_the_invites_page(client, db, world, matched):
    assert invites_page(client, world.sme_user, world.item).status_code == 404
    admin = AdminFactory()
    db.session.commit()
    assert invites_page(client, admin, world.item).status_code == 200
    resp = as_user(client, world.sme_user).post(
        f"/challenges/manage/items/{world.item.id}/invites", data={"org_id": str(world.institute.id)}
    )
    assert resp.status_code == 404 and notifications(NotificationKind.CHALLENGE_INVITE) == []


def test_the_application_count_counts_submitted_not_drafts_nor_withdrawn(app, client, db, world):
    post_apply(client, world.sme_user, world.item, {"project_title": "草稿", "action": "save"})
    assert challenge_application_count(world.item) == 0
    post_apply(client, world.institute_user, world.item, complete_form(world.item))
    assert challenge_application_count(world.item) == 1
    application = application_of(world.item, world.institute)
    as_user(client, world.institute_user).post(f"/challenges/applications/{application.id}/withdraw")
    assert challenge_application_count(world.item) == 0


def test_no_invitations_once_applications_have_closed(client, world, matched):
    with time_machine.travel(datetime(2026, 12, 21, 2, 0, tzinfo=UTC)):
        page = invites_page(client, world.issuer_user, world.item).text
        assert "本榜当前不在揭榜征集期内" in page and "邀请揭榜</button>" not in page
        as_user(client, world.issuer_user).post(
            f"/challenges/manage/items/{world.item.id}/invites", data={"org_id": str(world.institute.id)}
        )
    assert notifications(NotificationKind.CHALLENGE_INVITE) == []
