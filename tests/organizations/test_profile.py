"""我的机构: the dashboard, editing the profile (and the re-verification it may need), the postings block."""

from __future__ import annotations

from app.core.enums import PostingKind, PostingStatus, VerificationStatus
from app.core.models import history_for
from tests.factories import AdminFactory, OrgFactory, PostingFactory, UserFactory, make_credit_code
from tests.organizations.helpers import member_of


def profile_form(org, **overrides) -> dict:
    data = {
        "name": org.name,
        "org_type": org.org_type.value,
        "credit_code": org.credit_code,
        "region": org.region,
        "industry": org.industry,
        "size": "",
        "group_name": "",
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "contact_email": org.contact_email,
        "address": "",
        "website": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_dashboard_needs_a_logged_in_member_of_an_org(client, db, login):
    assert client.get("/orgs/mine").location.startswith("/auth/login")
    login(AdminFactory())
    assert client.get("/orgs/mine").status_code == 403


def test_dashboard_shows_verification_status_and_rejection_note(client, db, login):
    user = UserFactory(org=OrgFactory(verification=VerificationStatus.REJECTED, verification_note="营业执照名称不符"))
    db.session.commit()
    page = login(user).get("/orgs/mine")
    assert page.status_code == 200
    assert "认证未通过" in page.text and "营业执照名称不符" in page.text
    assert "修改资料并重新提交" in page.text


def test_org_admin_edits_the_profile_and_the_credit_code_is_revalidated(client, db, login):
    user = UserFactory()
    org = user.org
    db.session.commit()
    login(user)
    bad = client.post("/orgs/mine/edit", data=profile_form(org, credit_code=org.credit_code[:17] + "I"))
    assert bad.status_code == 200 and "统一社会信用代码" in bad.text
    ok = client.post("/orgs/mine/edit", data=profile_form(org, description="新的简介", group_name="伊利集团"))
    assert ok.status_code == 302
    db.session.refresh(org)
    assert org.description == "新的简介" and org.group.name == "伊利集团"
    assert org.verification == VerificationStatus.VERIFIED  # name and code unchanged: still verified


def test_member_cannot_edit_the_org_profile(client, db, login):
    org = OrgFactory()
    member = member_of(org)
    db.session.commit()
    login(member)
    assert client.get("/orgs/mine/edit").status_code == 302
    resp = client.post("/orgs/mine/edit", data=profile_form(org, name="改名有限公司"), follow_redirects=True)
    assert "只有本机构管理员可以执行此操作" in resp.text
    db.session.refresh(org)
    assert org.name != "改名有限公司"


def test_edit_refuses_a_name_or_credit_code_another_org_has(client, db, login):
    other = OrgFactory()
    user = UserFactory()
    db.session.commit()
    login(user)
    assert "已被注册" in client.post("/orgs/mine/edit", data=profile_form(user.org, name=other.name)).text
    taken = client.post("/orgs/mine/edit", data=profile_form(user.org, credit_code=other.credit_code))
    assert "已被其他机构注册" in taken.text


def test_rejected_org_resubmits_by_editing_its_profile(client, db, login):
    user = UserFactory(org=OrgFactory(verification=VerificationStatus.REJECTED))
    db.session.commit()
    login(user)
    client.post("/orgs/mine/edit", data=profile_form(user.org, description="补充了资质说明"))
    db.session.refresh(user.org)
    assert user.org.verification == VerificationStatus.PENDING
    change = history_for("organization", user.org.id)[-1]
    assert (change.from_status, change.to_status) == ("rejected", "pending")


def test_verified_org_changing_its_credit_code_is_verified_again(client, db, login):
    user = UserFactory()
    db.session.commit()
    login(user)
    client.post("/orgs/mine/edit", data=profile_form(user.org, credit_code=make_credit_code(987654)))
    db.session.refresh(user.org)
    assert user.org.verification == VerificationStatus.PENDING


# --- postings block ----------------------------------------------------------------------


def test_dashboard_lists_the_orgs_postings_by_status(client, db, login, monkeypatch):
    admin = UserFactory()
    draft = PostingFactory(org=admin.org, status=PostingStatus.DRAFT, title="羊绒纤维检测需求", kind=PostingKind.NEED)
    live = PostingFactory(org=admin.org, title="稀土抛光粉回收技术")
    db.session.commit()
    grouped = {PostingStatus.DRAFT: [draft], PostingStatus.PUBLISHED: [live]}
    monkeypatch.setattr("app.postings.queries.org_postings_by_status", lambda org_id: grouped, raising=False)
    page = login(admin).get("/orgs/mine")
    assert "草稿" in page.text and "羊绒纤维检测需求" in page.text and "稀土抛光粉回收技术" in page.text
    assert f"/postings/need/{draft.id}" in page.text


def test_dashboard_renders_before_the_postings_feature_exists(client, db, login, monkeypatch):
    monkeypatch.delitem(client.application.jinja_env.globals, "org_postings")
    admin = UserFactory()
    db.session.commit()
    page = login(admin).get("/orgs/mine")
    assert page.status_code == 200 and "本机构发布的信息" in page.text
