"""揭榜申报: one application per organisation per item, drafts and submission with every problem named, budget
within funding, the same form twice applied once, the issuer told, and bad input changing nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.challenges.applications.inputs import ApplicationInput
from app.challenges.applications.models import ChallengeApplication
from app.challenges.applications.services import DuplicateSubmission, save_application
from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import ApplicationStatus, ItemStatus
from app.core.enums import NotificationKind, PostingKind
from app.extensions import db as _db
from app.organizations.models import Organization
from tests.challenges.applications.helpers import application_of, complete_form, notifications, post_apply
from tests.challenges.helpers import make_item
from tests.conftest import as_user, race
from tests.factories import PostingFactory

S = ApplicationStatus


def count_applications() -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(ChallengeApplication))


def test_a_complete_application_is_submitted_and_the_issuer_is_notified(client, world):
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item))
    application = application_of(world.item, world.sme)
    assert resp.headers["Location"].endswith(f"/challenges/applications/{application.id}")
    assert application.status == S.SUBMITTED and application.submitted_at and application.commitment_at
    assert application.team == [{"name": "王建国", "title": "正高级工程师", "role": "项目负责人"}]
    assert application.budget == [{"item": "设备费", "amount_wan": "40"}, {"item": "材料费", "amount_wan": "30.5"}]
    assert application.milestones == [{"name": "中试线建成", "months": 12, "deliverable": "中试线验收报告"}]
    assert set(application.indicator_plans) == {str(i.id) for i in world.item.indicators}
    [told] = notifications(NotificationKind.CHALLENGE_APPLICATION)
    assert told.user_id == world.issuer_user.id and "包头市稀宝永磁有限公司" in told.title
    assert told.link == f"/challenges/applications/{application.id}"


def test_saving_a_draft_needs_only_a_title_and_keeps_it_private(client, world):
    resp = post_apply(client, world.sme_user, world.item, {"project_title": "初步方案", "action": "save"})
    assert resp.status_code == 302
    application = application_of(world.item, world.sme)
    assert application.status == S.DRAFT and application.submitted_at is None
    assert notifications(NotificationKind.CHALLENGE_APPLICATION) == []
    assert as_user(client, world.issuer_user).get(f"/challenges/applications/{application.id}").status_code == 404


def test_submitting_an_incomplete_application_lists_every_problem_and_keeps_the_draft(client, world):
    data = complete_form(
        world.item,
        summary="",
        **{"team-0-name": "", "team-0-title": "", "team-0-role": "", "indicator_plans-1-plan": "", "commitment": None},
    )
    resp = post_apply(client, world.sme_user, world.item, data)
    page = resp.text
    assert resp.status_code == 200 and "还不能提交，请处理以下 4 个问题" in page
    for problem in (
        "请填写项目摘要",
        "请至少填写一名团队成员",
        "请说明如何达到考核指标“高温退磁率",
        "请阅读并勾选承诺书",
    ):
        assert problem in page
    application = application_of(world.item, world.sme)
    assert application.status == S.DRAFT and application.technical_plan.startswith("技术路线")
    assert notifications(NotificationKind.CHALLENGE_APPLICATION) == []


def test_a_second_visit_edits_the_same_application(client, world):
    post_apply(client, world.sme_user, world.item, {"project_title": "初稿", "action": "save"})
    page = as_user(client, world.sme_colleague).get(f"/challenges/items/{world.item.id}/apply").text
    assert 'value="初稿"' in page and "每家机构对同一榜单项目只能有一份申报" in page
    post_apply(client, world.sme_colleague, world.item, complete_form(world.item))
    assert count_applications() == 1
    assert application_of(world.item, world.sme).project_title == "高丰度稀土永磁体晶界扩散制备技术"


def test_one_application_per_organisation_per_item_is_a_database_rule(db, world):
    db.session.add(ChallengeApplication(item_id=world.item.id, org_id=world.sme.id, project_title="甲"))
    db.session.commit()
    db.session.add(ChallengeApplication(item_id=world.item.id, org_id=world.sme.id, project_title="乙"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_same_form_sent_twice_creates_one_application_and_stores_its_files_once(client, world):
    data = complete_form(world.item, form_token="tok-1")
    first = post_apply(client, world.sme_user, world.item, data, files=[("方案书.pdf", b"%PDF-1.7 a")])
    second = post_apply(client, world.sme_user, world.item, data, files=[("方案书.pdf", b"%PDF-1.7 a")])
    application = application_of(world.item, world.sme)
    assert first.status_code == second.status_code == 302
    assert count_applications() == 1 and len(application.attachments) == 1
    assert len(notifications(NotificationKind.CHALLENGE_APPLICATION)) == 1
    assert "无需重复提交" in client.get(second.headers["Location"]).text


def test_two_copies_of_the_first_form_at_the_same_moment_create_one_application(app, world):
    item_id, org_id, user_id = world.item.id, world.sme.id, world.sme_user.id

    def work(i):
        item, org = _db.session.get(ChallengeItem, item_id), _db.session.get(Organization, org_id)
        try:
            save_application(
                item, org, _db.session.get(User, user_id), ApplicationInput(project_title="并发"), form_token="same"
            )
            _db.session.commit()
            return "created"
        except DuplicateSubmission:
            return "duplicate"

    results = race(app, work)
    assert sorted(results) == ["created", "duplicate"]
    assert count_applications() == 1


def test_a_budget_over_the_funding_is_refused_and_nothing_is_saved(client, world):
    post_apply(client, world.sme_user, world.item, complete_form(world.item, action="save"))
    before = application_of(world.item, world.sme).budget
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, **{"budget-0-amount_wan": "70"}))
    assert resp.status_code == 422
    assert "经费预算合计 100.5 万元，超过了本榜总经费 100 万元" in resp.text
    assert application_of(world.item, world.sme).budget == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"budget-0-amount_wan": "四十"}, "经费预算第 1 行：金额应为大于 0 的数字"),
        ({"budget-0-amount_wan": "-5"}, "经费预算第 1 行：金额应为大于 0 的数字"),
        ({"budget-0-amount_wan": "1e400"}, "经费预算第 1 行：金额应为大于 0 的数字"),
        ({"budget-0-amount_wan": "1.234"}, "最多两位小数"),
        ({"budget-0-item": ""}, "经费预算第 1 行：请填写预算科目"),
        ({"milestones-0-months": "十二"}, "进度安排第 1 行：签约后月数应为 1 到 120 的整数"),
        ({"milestones-0-months": "0"}, "进度安排第 1 行：签约后月数应为 1 到 120 的整数"),
        ({"team-0-name": "", "team-0-role": "负责人"}, "团队成员第 1 行：请填写姓名"),
        ({"project_title": ""}, "请填写项目名称"),
        ({"project_title": "长" * 201}, "项目名称不能超过 200 个字"),
        ({"project_title": "换\n行"}, "换行"),
        ({"partners-0-org_name": "不存在的机构", "partners-0-part": "检测"}, "未找到名为“不存在的机构”的注册机构"),
        ({"linked_postings": "999999"}, "只能关联本机构已发布的科技成果或企业能力信息"),
        ({"linked_postings": "abc"}, None),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(client, world, overrides, message):
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, **overrides))
    if message is None:  # ignored, not an error: the rest is saved
        assert resp.status_code == 302
        return
    assert resp.status_code == 422 and message in resp.text
    assert application_of(world.item, world.sme) is None


def test_linked_postings_are_only_the_organisations_own_published_achievements_and_capabilities(client, world):
    own = PostingFactory(org=world.sme, kind=PostingKind.CAPABILITY, title="本公司永磁体量产能力")
    other = PostingFactory(org=world.institute, title="别家的成果")
    _db.session.commit()
    page = as_user(client, world.sme_user).get(f"/challenges/items/{world.item.id}/apply").text
    assert "本公司永磁体量产能力" in page and "别家的成果" not in page
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, linked_postings=str(other.id)))
    assert resp.status_code == 422
    post_apply(client, world.sme_user, world.item, complete_form(world.item, linked_postings=str(own.id)))
    assert application_of(world.item, world.sme).linked_posting_ids == [own.id]
    view = client.get(f"/challenges/applications/{application_of(world.item, world.sme).id}").text
    assert "本公司永磁体量产能力" in view


def test_an_unknown_item_or_a_draft_item_is_a_404(client, db, world):
    draft = make_item(db, world.issuer, status=ItemStatus.DRAFT)
    db.session.commit()
    as_user(client, world.sme_user)
    assert client.get("/challenges/items/999999/apply").status_code == 404
    assert client.get(f"/challenges/items/{draft.id}/apply").status_code == 404
    assert client.get("/challenges/items/99999999999/apply").status_code == 404


def test_a_submitted_application_can_only_be_changed_into_a_complete_one(client, world):
    post_apply(client, world.sme_user, world.item, complete_form(world.item))
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, technical_plan=""))
    assert resp.status_code == 422 and "请填写技术方案" in resp.text
    application = application_of(world.item, world.sme)
    assert application.status == S.SUBMITTED and application.technical_plan.startswith("技术路线")
    post_apply(client, world.sme_user, world.item, complete_form(world.item, technical_plan="新的技术路线"))
    application = application_of(world.item, world.sme)
    assert application.status == S.SUBMITTED and application.technical_plan == "新的技术路线"
    assert len(notifications(NotificationKind.CHALLENGE_APPLICATION)) == 1
