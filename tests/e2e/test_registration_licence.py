"""A new organisation's first hour, in headless Chromium: it registers on a phone with its 营业执照 (a renamed
program first, refused in Chinese), the platform admin sees and opens the licence in the verification queue, and
the posting form explains TRL and industry codes without any inline script."""

from __future__ import annotations

import pytest

from app.core.enums import VerificationStatus
from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import AdminFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 200
ORG = "乌海市晨光精细化工有限公司"


def fill_registration(page, licence: tuple[str, bytes]) -> None:
    page.fill("input[name=name]", ORG)
    page.select_option("select[name=org_type]", "sme")
    page.fill("input[name=credit_code]", make_credit_code(5151))
    page.select_option("select[name=region]", "150300")
    page.select_option("select[name=industry]", "C26")
    page.fill("input[name=contact_name]", "李工")
    page.fill("input[name=contact_phone]", "13904730001")
    page.fill("input[name=user_name]", "李晨")
    page.fill("input[name=email]", "li@chenguang.cn")
    page.fill("input[name=password]", "Chenguang-2026")
    page.fill("input[name=confirm]", "Chenguang-2026")
    name, content = licence
    page.set_input_files(
        "input[name=licence]", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_licence_uploaded_on_a_phone_is_opened_by_the_admin_from_the_queue(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        admin = AdminFactory()
        db.session.commit()
        admin_email = admin.email

    phone = new_page(PHONE)
    phone.goto(f"{base}/auth/register")
    assert "认证前需上传营业执照" in phone.inner_text("body")
    fill_registration(phone, ("营业执照.pdf", EXE))
    assert "不是有效的 PDF 文件" in phone.inner_text("body")
    screenshot(phone, "licence-01-renamed-program-refused-phone")

    fill_registration(phone, ("营业执照.pdf", PDF))
    assert "请查收邮件完成注册" in phone.inner_text("body")

    desk = new_page(DESKTOP)
    log_in(desk, base, admin_email)
    desk.goto(f"{base}/orgs/admin/verification")
    card = desk.locator("article", has_text=ORG)
    assert "营业执照.pdf" in card.inner_text()
    screenshot(desk, "licence-02-verification-queue-desktop")
    response = desk.request.get(base + card.get_by_role("link", name="营业执照.pdf").get_attribute("href"))
    assert response.status == 200 and response.body() == PDF


def test_the_posting_form_explains_trl_levels_on_a_phone(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        owner = UserFactory()
        db.session.commit()
        email = owner.email

    phone = new_page(PHONE)
    log_in(phone, base, email)
    phone.goto(f"{base}/postings/achievement/new")
    phone.get_by_text("技术成熟度 TRL 1–9 级分别是什么意思？").click()
    last_level = phone.locator("details li").last
    assert last_level.is_visible() and "TRL 9：实际系统经运行验证" in last_level.inner_text()
    screenshot(phone, "licence-03-posting-form-trl-help-phone")
    desk = new_page(DESKTOP)
    log_in(desk, base, email)
    desk.goto(f"{base}/postings/achievement/new")
    screenshot(desk, "licence-04-posting-form-desktop")


def test_an_unverified_org_uploads_its_licence_from_the_edit_page_on_a_phone(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        org_admin = UserFactory(org__verification=VerificationStatus.PENDING)
        db.session.commit()
        email = org_admin.email

    phone = new_page(PHONE)
    log_in(phone, base, email)
    phone.goto(f"{base}/orgs/mine")
    phone.get_by_role("link", name="上传营业执照").click()
    phone.wait_for_load_state("networkidle")
    phone.set_input_files(
        "input[name=licence]", files=[{"name": "执照.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    phone.get_by_role("button", name="上传营业执照").click()
    phone.wait_for_load_state("networkidle")
    assert "营业执照已上传" in phone.inner_text("body") and "执照.pdf" in phone.inner_text("body")
    screenshot(phone, "licence-05-dashboard-after-upload-phone")
    phone.goto(f"{base}/orgs/mine/edit#licence")
    screenshot(phone, "licence-06-edit-page-licence-phone")
