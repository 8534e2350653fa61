"""营业执照: uploaded at registration (optional there) or from the edit page while unverified, checked by size and
content, shown in the verification queue next to the credit code, and opened only by platform admins and the
organisation's own admins."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import OrgRole, VerificationStatus
from app.extensions import db as _db
from app.organizations.models import BusinessLicence, Organization
from tests.auth.test_registration import registration
from tests.conftest import login_as
from tests.factories import AdminFactory, OrgFactory, UserFactory

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64  # a Windows program


def stored_files(upload_dir) -> list:
    return [p for p in upload_dir.rglob("*") if p.is_file()]


def register(client, content: bytes | None = None, name: str = "营业执照.pdf", **overrides):
    data = registration(**overrides)
    if content is not None:
        data["licence"] = (io.BytesIO(content), name)
    return client.post("/auth/register", data=data, content_type="multipart/form-data")


def count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def licence_url(org) -> str:
    return f"/orgs/{org.id}/licence"


def test_a_licence_uploaded_at_registration_is_listed_in_the_queue_and_opened_by_the_admin(client, db, upload_dir):
    assert register(client, PDF).status_code == 302

    org = db.session.scalar(sa.select(Organization))
    assert org.licence.original_name == "营业执照.pdf" and org.licence.content_type == "application/pdf"
    assert org.licence.uploaded_by_id == db.session.scalar(sa.select(User.id))
    (path,) = stored_files(upload_dir)
    assert path.parent.name == "licences" and path.name == org.licence.stored_name

    admin = AdminFactory()
    db.session.commit()
    login_as(client, admin)
    queue = client.get("/orgs/admin/verification").text
    assert org.credit_code in queue and "营业执照.pdf" in queue and licence_url(org) in queue
    opened = client.get(licence_url(org))
    assert opened.status_code == 200 and opened.data == PDF and opened.mimetype == "application/pdf"
    assert "no-store" in opened.headers["Cache-Control"] and "attachment" in opened.headers["Content-Disposition"]


def test_registration_without_a_licence_still_works_and_the_queue_says_it_is_missing(client, db, upload_dir):
    resp = register(client)

    assert resp.status_code == 302
    org = db.session.scalar(sa.select(Organization))
    assert org.licence is None and stored_files(upload_dir) == []
    admin = AdminFactory()
    db.session.commit()
    login_as(client, admin)
    assert "未上传营业执照" in client.get("/orgs/admin/verification").text
    client.post(f"/orgs/admin/{org.id}/verify")  # the admin decides; a missing licence does not block
    db.session.refresh(org)
    assert org.verification == VerificationStatus.VERIFIED


def test_the_registration_form_says_a_licence_is_needed_before_verification(client, db):
    page = client.get("/auth/register").text
    assert 'enctype="multipart/form-data"' in page and "认证前需上传营业执照" in page and "5 MB" in page
    assert "国民经济行业分类（GB/T 4754-2017）的门类或大类" in page  # what the industry code is


def test_the_org_page_explains_its_industry_code(client, db, pending_org):
    login_as(client, pending_org.admins()[0])

    page = client.get("/orgs/mine").text

    assert re.search(r'<abbr class="lq-term"[^>]* title="行业代码：[^"]*GB/T 4754-2017[^"]*">C39</abbr>', page)
    assert "认证前需上传营业执照" in page


def test_an_oversize_licence_is_refused_at_registration_and_nothing_is_saved(make_app, upload_dir):
    app = make_app(LICENCE_MAX_BYTES=1024)
    with app.app_context():
        resp = register(app.test_client(), PDF + b"0" * 2048)

        assert resp.status_code == 200
        assert "营业执照“营业执照.pdf”超过了 1 KB 的上限" in resp.text
        assert count(Organization) == count(User) == count(BusinessLicence) == 0
    assert stored_files(upload_dir) == []


@pytest.mark.parametrize(
    "content, name, message",
    [
        (EXE, "营业执照.pdf", "不是有效的 PDF 文件"),  # a program renamed .pdf
        (EXE, "营业执照.exe", "营业执照只支持 PDF、JPG、PNG 格式"),
        (PDF, "营业执照.png", "不是有效的 PNG 文件"),
        (b"", "营业执照.pdf", "是空文件"),
    ],
)
def test_a_licence_that_is_not_a_pdf_jpg_or_png_is_refused_at_registration_and_nothing_is_saved(
    client, db, upload_dir, content, name, message
):
    resp = register(client, content, name)

    assert resp.status_code == 200 and message in resp.text
    assert count(Organization) == count(User) == count(BusinessLicence) == 0
    assert stored_files(upload_dir) == []


def test_registering_with_an_address_that_has_an_account_stores_no_licence(client, db, upload_dir):
    UserFactory(email="wang.wu@example.cn")
    db.session.commit()

    assert register(client, PDF).status_code == 302

    assert count(BusinessLicence) == 0 and stored_files(upload_dir) == []


@pytest.fixture
def pending_org(db):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    UserFactory(org=org, org_role=OrgRole.ADMIN)
    db.session.commit()
    return org


def upload(client, content: bytes, name: str = "执照.png"):
    data = {"licence": (io.BytesIO(content), name)}
    return client.post("/orgs/mine/licence", data=data, content_type="multipart/form-data")


def test_an_unverified_org_admin_uploads_then_replaces_the_licence_from_the_edit_page(
    client, db, pending_org, upload_dir
):
    login_as(client, pending_org.admins()[0])
    assert "上传营业执照" in client.get("/orgs/mine/edit").text

    assert upload(client, PNG).status_code == 302
    first = stored_files(upload_dir)
    assert len(first) == 1 and pending_org.licence.content_type == "image/png"

    assert upload(client, PDF, "新执照.pdf").status_code == 302
    db.session.refresh(pending_org)
    assert pending_org.licence.original_name == "新执照.pdf" and count(BusinessLicence) == 1
    (now,) = stored_files(upload_dir)
    assert now.name == pending_org.licence.stored_name and not first[0].exists()  # the old file is gone
    assert client.get(licence_url(pending_org)).data == PDF  # its own admin may open it


def test_a_bad_file_on_the_edit_page_keeps_the_licence_there_was(client, db, pending_org, upload_dir):
    login_as(client, pending_org.admins()[0])
    upload(client, PNG)

    resp = upload(client, EXE, "执照.pdf")

    assert resp.status_code == 422 and "不是有效的 PDF 文件" in resp.text
    db.session.refresh(pending_org)
    assert pending_org.licence.original_name == "执照.png" and len(stored_files(upload_dir)) == 1


def test_a_rejected_org_that_uploads_its_licence_is_resubmitted_for_verification(client, db, pending_org):
    pending_org.verification = VerificationStatus.REJECTED
    db.session.commit()
    login_as(client, pending_org.admins()[0])

    resp = upload(client, PDF, "执照.pdf")

    assert "营业执照已上传，已重新提交平台认证" in client.get(resp.headers["Location"]).text
    db.session.refresh(pending_org)
    assert pending_org.verification == VerificationStatus.PENDING and pending_org.licence is not None


def test_a_verified_org_cannot_replace_its_licence(client, db, upload_dir):
    admin = UserFactory()  # of a verified organisation
    db.session.commit()
    login_as(client, admin)

    resp = upload(client, PDF, "执照.pdf")

    assert resp.status_code == 302 and admin.org.licence is None and stored_files(upload_dir) == []
    assert "联系平台管理员" in client.get(resp.headers["Location"]).text
    assert 'id="licence"' not in client.get("/orgs/mine/edit").text


def test_nobody_but_platform_admins_and_the_orgs_own_admins_can_open_a_licence(client, db, pending_org):
    login_as(client, pending_org.admins()[0])
    upload(client, PDF, "执照.pdf")
    outsiders = {
        "another organisation's admin": UserFactory(),
        "a plain member of the organisation": UserFactory(org=pending_org, org_role=OrgRole.MEMBER),
    }
    db.session.commit()

    for who, user in outsiders.items():
        login_as(client, user)
        assert client.get(licence_url(pending_org)).status_code == 404, who
    anonymous = client.application.test_client()
    assert anonymous.get(licence_url(pending_org)).status_code == 404  # not a login page: it does not exist
    platform_admin = AdminFactory()
    db.session.commit()
    login_as(client, platform_admin)
    assert client.get(licence_url(pending_org)).status_code == 200
    assert client.get("/orgs/999999/licence").status_code == 404
