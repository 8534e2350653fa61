"""联合体: partners are named by the lead, confirm or decline on their own page, and every change to a
partner's terms asks it again; submission waits for every partner's confirmation."""

from __future__ import annotations

from app.core.challenge_enums import ApplicationStatus, PartnerStatus
from app.core.enums import NotificationKind
from app.extensions import db as _db
from tests.challenges.applications.helpers import application_of, complete_form, notifications, post_apply
from tests.conftest import as_user
from tests.factories import OrgFactory, UserFactory

S = ApplicationStatus
P = PartnerStatus


def with_partner(world, name=None, part="性能检测与表征", share="20", **overrides):
    return complete_form(
        world.item,
        **{
            "partners-0-org_name": name or world.institute.name,
            "partners-0-part": part,
            "partners-0-budget_share": share,
        },
        **overrides,
    )


def answer(client, user, application, value):
    return as_user(client, user).post(f"/challenges/applications/{application.id}/partner", data={"answer": value})


def test_a_named_partner_is_notified_and_an_unconfirmed_partner_blocks_submission(client, world):
    resp = post_apply(client, world.sme_user, world.item, with_partner(world))
    assert "合作单位“包头稀土研究院”尚未确认参与" in resp.text
    application = application_of(world.item, world.sme)
    [partner] = application.partners
    assert (partner.org_id, partner.status, partner.budget_share_wan) == (world.institute.id, P.INVITED, "20")
    assert application.status == S.DRAFT
    [told] = notifications(NotificationKind.CHALLENGE_PARTNER, world.institute_user)
    assert told.link == f"/challenges/applications/{application.id}/partner"


def test_after_the_partner_confirms_the_lead_can_submit(client, world):
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))
    application = application_of(world.item, world.sme)
    page = as_user(client, world.institute_user).get(f"/challenges/applications/{application.id}/partner").text
    assert "性能检测与表征" in page and "确认参与" in page
    answer(client, world.institute_user, application, "confirm")
    assert application_of(world.item, world.sme).partners[0].status == P.CONFIRMED
    assert (
        notifications(NotificationKind.CHALLENGE_PARTNER, world.sme_user)[-1].title
        == "包头稀土研究院已确认参与您的揭榜联合体"
    )
    post_apply(client, world.sme_user, world.item, with_partner(world))
    assert application_of(world.item, world.sme).status == S.SUBMITTED


def test_a_declining_partner_blocks_submission_until_removed(client, world):
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))
    application = application_of(world.item, world.sme)
    answer(client, world.institute_user, application, "decline")
    resp = post_apply(client, world.sme_user, world.item, with_partner(world))
    assert "合作单位“包头稀土研究院”已拒绝参与，请删除或更换后再提交" in resp.text
    post_apply(client, world.sme_user, world.item, complete_form(world.item))
    application = application_of(world.item, world.sme)
    assert application.partners == [] and application.status == S.SUBMITTED


def test_changing_a_partners_part_resets_its_confirmation_and_asks_again(client, world):
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))
    application = application_of(world.item, world.sme)
    answer(client, world.institute_user, application, "confirm")
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))  # unchanged terms
    assert application_of(world.item, world.sme).partners[0].status == P.CONFIRMED
    post_apply(client, world.sme_user, world.item, with_partner(world, share="30", action="save"))
    assert application_of(world.item, world.sme).partners[0].status == P.INVITED
    assert len(notifications(NotificationKind.CHALLENGE_PARTNER, world.institute_user)) == 2


def test_consortium_not_allowed_refuses_partners_and_saves_nothing(client, db, world):
    world.item.consortium_allowed = False
    db.session.commit()
    resp = post_apply(client, world.sme_user, world.item, with_partner(world))
    assert resp.status_code == 422 and "本榜不接受联合体申报" in resp.text
    assert application_of(world.item, world.sme) is None


def test_too_many_partners_are_refused(client, db, world):
    world.item.max_partners = 1
    second = OrgFactory(name="内蒙古工业大学")
    db.session.commit()
    data = with_partner(world, **{"partners-1-org_name": second.name, "partners-1-part": "仿真"})
    resp = post_apply(client, world.sme_user, world.item, data)
    assert resp.status_code == 422 and "本榜联合体最多 1 家合作单位，当前为 2 家" in resp.text
    assert application_of(world.item, world.sme) is None


def test_partner_cannot_be_the_lead_itself_nor_the_issuer(client, world):
    resp = post_apply(client, world.sme_user, world.item, with_partner(world, name=world.sme.name))
    assert resp.status_code == 422 and "牵头单位不能同时作为合作单位" in resp.text
    resp = post_apply(client, world.sme_user, world.item, with_partner(world, name=world.issuer.name))
    assert resp.status_code == 422 and "不能作为合作单位" in resp.text


def test_partner_shares_cannot_exceed_the_budget(client, world):
    resp = post_apply(client, world.sme_user, world.item, with_partner(world, share="80", action="save"))
    application = application_of(world.item, world.sme)
    answer(client, world.institute_user, application, "confirm")
    resp = post_apply(client, world.sme_user, world.item, with_partner(world, share="80"))
    assert "合作单位经费份额合计 80 万元，超过了经费预算合计 70.5 万元" in resp.text


def test_only_the_partners_members_answer_and_a_bad_answer_changes_nothing(client, world):
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))
    application = application_of(world.item, world.sme)
    assert answer(client, world.outsider_user, application, "confirm").status_code == 404
    assert (
        as_user(client, world.outsider_user).get(f"/challenges/applications/{application.id}/partner").status_code
        == 404
    )
    resp = answer(client, world.institute_user, application, "maybe")
    assert "请选择“确认参与”或“拒绝参与”" in client.get(resp.headers["Location"]).text
    assert application_of(world.item, world.sme).partners[0].status == P.INVITED


def test_partner_requests_wait_on_the_partners_mine_page(client, world):
    post_apply(client, world.sme_user, world.item, with_partner(world, action="save"))
    colleague = UserFactory(org=world.institute)
    _db.session.commit()
    page = as_user(client, colleague).get("/challenges/applications/mine").text
    assert "待确认的联合体邀请" in page and "包头市稀宝永磁有限公司 邀请贵单位承担：性能检测与表征" in page


def test_a_submitted_application_cannot_take_on_a_new_partner_without_withdrawing(client, world):
    post_apply(client, world.sme_user, world.item, complete_form(world.item))
    resp = post_apply(client, world.sme_user, world.item, with_partner(world))
    assert resp.status_code == 422 and "请先撤回申报" in resp.text
    application = application_of(world.item, world.sme)
    assert application.status == S.SUBMITTED and application.partners == []
    assert notifications(NotificationKind.CHALLENGE_PARTNER) == []
