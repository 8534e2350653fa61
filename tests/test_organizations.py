"""Organisation rules: 我的机构, members, tiers, visibility, platform verification, admin list."""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import User
from app.core.enums import OrgRole, OrgType, PostingKind, PostingStatus, Tier, VerificationStatus
from app.core.errors import DomainError, InvalidTransition
from app.core.models import StatusChange, history_for, utcnow
from app.notifications.jobs import send_emails
from app.organizations.models import Invitation, TierRecord
from app.organizations.services import require_verified
from app.organizations.verification import verify_organization
from tests.factories import AdminFactory, OrgFactory, PostingFactory, TierFactory, UserFactory, make_credit_code


def member_of(org, **kw):
    return UserFactory(org=org, org_role=OrgRole.MEMBER, **kw)


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


# --- 我的机构 ----------------------------------------------------------------------------


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


# --- members and invitations -------------------------------------------------------------


def test_org_admin_invites_by_email_and_only_the_token_hash_is_stored(client, db, login, caplog):
    caplog.set_level(logging.INFO)
    user = UserFactory()
    db.session.commit()
    login(user)
    resp = client.post("/orgs/mine/invitations", data={"email": "New.Colleague@example.cn"}, follow_redirects=True)
    assert "邀请链接" in resp.text and "new.colleague@example.cn" in resp.text
    invitation = db.session.scalar(sa.select(Invitation))
    send_emails(utcnow())  # the jobs process sends the queued invitation (printed to the log without SMTP)
    db.session.commit()
    token = caplog.text.split("/auth/invite/")[1].split()[0]
    assert len(invitation.token_hash) == 64 and token not in invitation.token_hash
    assert invitation.email == "new.colleague@example.cn" and invitation.role == OrgRole.MEMBER


def test_inviting_an_existing_member_is_refused(client, db, login):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post("/orgs/mine/invitations", data={"email": user.email})
    assert "该邮箱已是本机构成员" in resp.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_member_cannot_invite(client, db, login):
    member = member_of(OrgFactory())
    db.session.commit()
    login(member).post("/orgs/mine/invitations", data={"email": "x@example.cn"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_org_admin_makes_a_member_admin_and_removes_a_member(client, db, login):
    admin = UserFactory()
    colleague = member_of(admin.org)
    leaver = member_of(admin.org)
    db.session.commit()
    login(admin)
    client.post(f"/orgs/mine/members/{colleague.id}/role", data={"role": "admin"})
    client.post(f"/orgs/mine/members/{leaver.id}/remove")
    db.session.refresh(colleague)
    db.session.refresh(leaver)
    assert colleague.org_role == OrgRole.ADMIN
    assert leaver.org_id is None


def test_the_last_admin_can_be_neither_removed_nor_demoted(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    removed = client.post(f"/orgs/mine/members/{admin.id}/remove", follow_redirects=True)
    assert "机构至少需要保留一名管理员" in removed.text
    client.post(f"/orgs/mine/members/{admin.id}/role", data={"role": "member"})
    db.session.refresh(admin)
    assert admin.org_id is not None and admin.org_role == OrgRole.ADMIN


def test_members_of_another_org_cannot_be_touched(client, db, login):
    admin = UserFactory()
    stranger = UserFactory()
    db.session.commit()
    login(admin)
    assert client.post(f"/orgs/mine/members/{stranger.id}/remove").status_code == 404
    db.session.refresh(stranger)
    assert stranger.org_id is not None


# --- 梯度培育 ----------------------------------------------------------------------------


def test_sme_admin_adds_and_removes_tier_records(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    data = {"tier": "specialized", "year": "2024", "expires_on": (date.today() + timedelta(days=400)).isoformat()}
    assert client.post("/orgs/mine/tiers", data={**data, "certificate_no": "NM-2024-001"}).status_code == 302
    page = client.get("/orgs/mine")
    assert "当前层级" in page.text and Tier.SPECIALIZED.label in page.text
    assert "已登记" in client.post("/orgs/mine/tiers", data=data).text  # same tier, same year
    record = db.session.scalar(sa.select(TierRecord))
    client.post(f"/orgs/mine/tiers/{record.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TierRecord)) == 0


def test_only_smes_hold_tiers(client, db, login):
    admin = UserFactory(org=OrgFactory(org_type=OrgType.UNIVERSITY))
    db.session.commit()
    resp = login(admin).post("/orgs/mine/tiers", data={"tier": "innovative", "year": "2024"}, follow_redirects=True)
    assert "只有中小企业可以登记梯度培育层级" in resp.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TierRecord)) == 0


def test_tier_expiry_before_the_recognition_year_is_refused(client, db, login):
    admin = UserFactory()
    db.session.commit()
    resp = login(admin).post(
        "/orgs/mine/tiers", data={"tier": "innovative", "year": "2024", "expires_on": "2023-12-31"}
    )
    assert "有效期不能早于认定年份" in resp.text


def test_expired_tier_is_not_the_current_tier(db):
    org = OrgFactory()
    TierFactory(org=org, tier=Tier.LITTLE_GIANT, year=2019, expires_on=date.today() - timedelta(days=1))
    TierFactory(org=org, tier=Tier.INNOVATIVE, year=2024)
    assert org.current_tier() == Tier.INNOVATIVE


# --- postings block ----------------------------------------------------------------------


def test_dashboard_lists_the_orgs_postings_by_status(client, db, login, monkeypatch):
    admin = UserFactory()
    draft = PostingFactory(org=admin.org, status=PostingStatus.DRAFT, title="羊绒纤维检测需求", kind=PostingKind.NEED)
    live = PostingFactory(org=admin.org, title="稀土抛光粉回收技术")
    db.session.commit()
    grouped = {PostingStatus.DRAFT: [draft], PostingStatus.PUBLISHED: [live]}
    monkeypatch.setattr("app.postings.services.org_postings_by_status", lambda org_id: grouped, raising=False)
    page = login(admin).get("/orgs/mine")
    assert "草稿" in page.text and "羊绒纤维检测需求" in page.text and "稀土抛光粉回收技术" in page.text
    assert f"/postings/need/{draft.id}" in page.text


def test_dashboard_renders_before_the_postings_feature_exists(client, db, login, monkeypatch):
    monkeypatch.delattr("app.postings.services.org_postings_by_status", raising=False)
    admin = UserFactory()
    db.session.commit()
    page = login(admin).get("/orgs/mine")
    assert page.status_code == 200 and "本机构发布的信息" in page.text


# --- public page -------------------------------------------------------------------------


def test_contact_details_are_hidden_from_anonymous_and_other_orgs(client, db, login):
    org = OrgFactory(contact_phone="0471-6543210", contact_email="secret@example.cn", description="乳业龙头")
    outsider = UserFactory()
    db.session.commit()
    anonymous = client.get(f"/orgs/{org.id}")
    assert anonymous.status_code == 200 and "乳业龙头" in anonymous.text
    assert "0471-6543210" not in anonymous.text and "secret@example.cn" not in anonymous.text
    assert "0471-6543210" not in login(outsider).get(f"/orgs/{org.id}").text


@pytest.mark.parametrize("viewer", ["member", "platform_admin"])
def test_contact_details_are_shown_to_members_and_platform_admins(client, db, login, viewer):
    org = OrgFactory(contact_phone="0471-6543210")
    user = member_of(org) if viewer == "member" else AdminFactory()
    db.session.commit()
    assert "0471-6543210" in login(user).get(f"/orgs/{org.id}").text


def test_unverified_org_page_is_404_except_for_its_members_and_admins(client, db, login):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    member = member_of(org)
    outsider = UserFactory()
    admin = AdminFactory()
    db.session.commit()
    assert client.get(f"/orgs/{org.id}").status_code == 404
    assert login(outsider).get(f"/orgs/{org.id}").status_code == 404
    assert login(member).get(f"/orgs/{org.id}").status_code == 200
    assert login(admin).get(f"/orgs/{org.id}").status_code == 200
    assert client.get("/orgs/999999").status_code == 404


# --- platform verification ---------------------------------------------------------------


def test_non_admin_gets_403_on_the_verification_queue(client, db, login):
    login(UserFactory())
    assert client.get("/orgs/admin/verification").status_code == 403
    assert client.get("/orgs/admin/").status_code == 403
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    db.session.commit()
    assert client.post(f"/orgs/admin/{pending.id}/verify").status_code == 403


def test_queue_shows_pending_orgs_and_approval_is_recorded(client, db, login):
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    done = OrgFactory()
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    queue = client.get("/orgs/admin/verification")
    assert pending.name in queue.text and pending.credit_code in queue.text and done.name not in queue.text
    client.post(f"/orgs/admin/{pending.id}/verify")
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.VERIFIED and pending.verified_by_id == admin.id
    change = db.session.scalar(sa.select(StatusChange).where(StatusChange.entity_id == pending.id))
    assert (change.entity_type, change.from_status, change.to_status, change.actor_id) == (
        "organization",
        "pending",
        "verified",
        admin.id,
    )


def test_rejection_needs_a_reason_which_is_recorded(client, db, login):
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    no_reason = client.post(f"/orgs/admin/{pending.id}/reject", data={"reason": "  "}, follow_redirects=True)
    assert "必须填写原因" in no_reason.text
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.PENDING

    client.post(f"/orgs/admin/{pending.id}/reject", data={"reason": "信用代码与名称不符"})
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.REJECTED
    assert pending.verification_note == "信用代码与名称不符"
    change = history_for("organization", pending.id)[-1]
    assert (change.to_status, change.reason, change.actor_id) == ("rejected", "信用代码与名称不符", admin.id)


def test_bulk_approval_approves_only_pending_orgs(client, db, login):
    first, second = OrgFactory.create_batch(2, verification=VerificationStatus.PENDING)
    rejected = OrgFactory(verification=VerificationStatus.REJECTED)
    db.session.commit()
    login(AdminFactory())
    resp = client.post(
        "/orgs/admin/verification/bulk", data={"org_id": [first.id, second.id, rejected.id]}, follow_redirects=True
    )
    assert "已批量通过 2 家机构" in resp.text
    for org in (first, second, rejected):
        db.session.refresh(org)
    assert first.is_verified and second.is_verified and rejected.verification == VerificationStatus.REJECTED


def test_a_decided_org_cannot_be_decided_again(app, db):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    admin = AdminFactory()
    verify_organization(org.id, admin)
    with pytest.raises(InvalidTransition):
        verify_organization(org.id, admin)


def test_require_verified_refuses_unverified_orgs(db):
    with pytest.raises(DomainError, match="机构尚未通过平台认证"):
        require_verified(OrgFactory(verification=VerificationStatus.PENDING))
    require_verified(OrgFactory())


# --- admin list --------------------------------------------------------------------------


def test_admin_list_filters_and_paginates(app, client, db, login):
    app.config["PER_PAGE"] = 2
    for i in range(3):
        OrgFactory(region="150200", name=f"包头测试{i}有限公司")
    OrgFactory(region="150100", org_type=OrgType.UNIVERSITY, name="内蒙古大学")
    OrgFactory(verification=VerificationStatus.PENDING, name="待审机构有限公司")
    db.session.commit()
    login(AdminFactory())
    university = client.get("/orgs/admin/?org_type=university")
    assert "内蒙古大学" in university.text and "包头测试" not in university.text
    baotou = client.get("/orgs/admin/?region=150200")
    assert "共 3 条" in baotou.text and "下一页" in baotou.text
    assert "待审机构" in client.get("/orgs/admin/?verification=pending&q=待审").text
    assert client.get("/orgs/admin/?org_type=bogus&page=abc").status_code == 200  # tampered query: no error


def test_admin_list_exports_xlsx_and_csv(client, db, login):
    OrgFactory(name="鄂尔多斯羊绒（集团）有限公司", region="150600")
    OrgFactory(name="=HYPERLINK()", region="150100")
    db.session.commit()
    login(AdminFactory())
    csv_resp = client.get("/orgs/admin/?format=csv&region=150600")
    assert csv_resp.mimetype == "text/csv"
    text = csv_resp.data.decode("utf-8-sig")
    assert "鄂尔多斯羊绒（集团）有限公司" in text and "HYPERLINK" not in text
    xlsx = client.get("/orgs/admin/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "机构名称"
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "鄂尔多斯羊绒（集团）有限公司",
        "'=HYPERLINK()",
    }
    assert client.get("/orgs/admin/?format=pdf").status_code == 404


def test_org_admin_revokes_a_pending_invitation(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    client.post("/orgs/mine/invitations", data={"email": "a@example.cn"})
    invitation = db.session.scalar(sa.select(Invitation))
    client.post(f"/orgs/mine/invitations/{invitation.id}/revoke")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
