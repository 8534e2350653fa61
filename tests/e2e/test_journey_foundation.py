"""The foundation journey as a new user lives it, in headless Debian Chromium:
an SME registers, an admin verifies it, the SME posts a need, the admin approves it,
and an anonymous visitor finds it in the list and opens it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.mail import MailOutbox
from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, AdminFactory, make_credit_code

pytestmark = pytest.mark.browser

NEED_TITLE = "羊绒分梳车间粉尘大，求高效除尘与回收方案"


def log_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def confirm_the_email_and_log_in(page, app, base, email, password):
    """Registration mails a confirmation link (the jobs process sends it): open it, then log in."""
    with app.app_context():
        body = db.session.scalar(sa.select(MailOutbox.body).where(MailOutbox.to == email).order_by(MailOutbox.id))
    page.goto(base + re.search(r"(/auth/confirm/[\w.\-]+)", body).group(1))
    page.wait_for_load_state("networkidle")
    assert "邮箱已确认" in page.inner_text("body")
    log_in(page, base, email, password)
    page.goto(f"{base}/orgs/mine")
    page.wait_for_load_state("networkidle")


def register_the_sme_on_a_phone(new_page, base, app):
    """1. The SME owner registers on a phone."""
    sme = new_page(PHONE)
    sme.goto(f"{base}/auth/register")
    sme.fill("input[name=name]", "鄂尔多斯市绒艺纺织有限公司")
    sme.select_option("select[name=org_type]", "sme")
    sme.fill("input[name=credit_code]", "91150600" + "ABCDEFGHJ")  # wrong length first: a clear message
    sme.select_option("select[name=region]", "150600")
    sme.select_option("select[name=industry]", "C17")
    sme.fill("input[name=contact_name]", "王晓燕")
    sme.fill("input[name=contact_phone]", "13904770001")
    sme.fill("input[name=user_name]", "王晓燕")
    sme.fill("input[name=email]", "wang@rongyi.cn")
    sme.fill("input[name=password]", "Rongyi-2026")
    sme.fill("input[name=confirm]", "Rongyi-2026")
    sme.click("form button[type=submit]")
    sme.wait_for_load_state("networkidle")
    assert "统一社会信用代码" in sme.inner_text("body")
    assert "18位" in sme.inner_text("body")

    sme.fill("input[name=credit_code]", make_credit_code(4242))
    sme.fill("input[name=password]", "Rongyi-2026")
    sme.fill("input[name=confirm]", "Rongyi-2026")
    sme.click("form button[type=submit]")
    sme.wait_for_load_state("networkidle")
    assert "请查收邮件完成注册" in sme.inner_text("body")
    confirm_the_email_and_log_in(sme, app, base, "wang@rongyi.cn", "Rongyi-2026")
    assert "认证" in sme.inner_text("body")
    screenshot(sme, "foundation-01-registered-phone")
    return sme


def verify_the_organisation_from_the_queue(new_page, base, admin_email):
    """2. The platform admin verifies the organisation from the queue."""
    admin_page = new_page(DESKTOP)
    log_in(admin_page, base, admin_email)
    admin_page.goto(f"{base}/orgs/admin/verification")
    card = admin_page.locator("article", has_text="鄂尔多斯市绒艺纺织有限公司")
    card.get_by_role("button", name="通过认证").click()
    admin_page.wait_for_load_state("networkidle")
    assert "已通过“鄂尔多斯市绒艺纺织有限公司”的认证" in admin_page.inner_text("body")
    assert admin_page.locator("article", has_text="鄂尔多斯市绒艺纺织有限公司").count() == 0
    return admin_page


def post_a_need_for_review(sme, base):
    """3. The SME posts a need and submits it for review."""
    sme.goto(f"{base}/postings/need/new")
    sme.fill("input[name=title]", NEED_TITLE)
    sme.fill("input[name=keywords]", "羊绒；除尘；粉尘治理")
    sme.select_option("select[name=industry]", "C17")
    sme.select_option("select[name=region]", "150600")
    sme.fill("textarea[name=description]", "分梳车间粉尘浓度高，现有布袋除尘效果差，希望找到能回收短绒的高效除尘方案。")
    sme.fill("input[name=budget_wan]", "60")
    screenshot(sme, "foundation-02-need-form-phone")
    sme.get_by_role("button", name="提交审核").click()
    sme.wait_for_load_state("networkidle")
    assert "待审核" in sme.inner_text("body")


def approve_the_need(admin_page, base):
    """4. The admin approves it."""
    admin_page.goto(f"{base}/postings/admin/moderation")
    item = admin_page.locator(".list-group-item", has_text=NEED_TITLE)
    item.get_by_role("button", name="通过").first.click()
    admin_page.wait_for_load_state("networkidle")
    screenshot(admin_page, "foundation-03-moderation-desktop")


def find_and_open_the_need_anonymously(new_page, base):
    """5. An anonymous visitor finds it by keyword and opens it; contact details stay hidden."""
    visitor = new_page(PHONE)
    visitor.goto(f"{base}/postings/need")
    visitor.fill("input[name=q]", "除尘")
    visitor.press("input[name=q]", "Enter")
    visitor.wait_for_load_state("networkidle")
    screenshot(visitor, "foundation-04-need-list-phone")
    visitor.get_by_role("link", name=NEED_TITLE).first.click()
    visitor.wait_for_load_state("networkidle")
    body = visitor.inner_text("body")
    assert NEED_TITLE in body
    assert "鄂尔多斯市绒艺纺织有限公司" in body
    assert "13904770001" not in body
    assert re.search(r"/postings/need/\d+", visitor.url)
    screenshot(visitor, "foundation-05-need-detail-phone")
    # Nothing overflows sideways on a phone.
    overflow = visitor.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


def test_sme_registers_posts_a_need_and_the_public_finds_it(live_server, new_page):
    base = live_server.live_url
    with live_server.app_context():
        admin = AdminFactory(email="admin@lianqiao.cn")
        db.session.commit()
        admin_email = admin.email

    sme = register_the_sme_on_a_phone(new_page, base, live_server)
    admin_page = verify_the_organisation_from_the_queue(new_page, base, admin_email)
    post_a_need_for_review(sme, base)
    approve_the_need(admin_page, base)
    find_and_open_the_need_anonymously(new_page, base)
