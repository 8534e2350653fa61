"""企业画像: every fact with its source and date, bad input refused with nothing saved, only changed facts
re-dated, and the completeness meter naming what each missing fact blocks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bs4 import BeautifulSoup

from app.core.enums import OrgRole
from app.core.policy_enums import ProfileSource, RevenueBand
from app.organizations.profile import profile_of, update_profile
from tests.conftest import as_user
from tests.factories import UserFactory


def test_the_page_shows_each_fact_with_its_source_and_date(db, client, firm_user):
    update_profile(firm_user.org, {"listed": False}, ProfileSource.PLATFORM, today=date(2026, 11, 2))
    db.session.commit()
    soup = BeautifulSoup(as_user(client, firm_user).get("/orgs/mine/profile").text, "html.parser")
    assert soup.select_one("#employees")["value"] == "120"
    assert soup.select_one("[data-source=employees]").text.strip() == "来源：企业填报 · 2026-12-04"
    assert soup.select_one("[data-source=listed]").text.strip() == "来源：平台认定 · 2026-11-02"
    assert soup.select_one("[data-source=rd_ratio]").text.strip() == "尚未填写"
    assert "完整度 2/7" in soup.select_one("#meter").text


def test_a_missing_fact_names_the_items_it_blocks(client, policy, firm_user):
    soup = BeautifulSoup(as_user(client, firm_user).get("/orgs/mine/profile").text, "html.parser")
    blocks = soup.select_one("[data-blocks=rd_ratio]")
    assert "研发投入后补助" in blocks.text and "只差这一项" in blocks.text
    assert not soup.select("[data-blocks=employees]")
    meter = BeautifulSoup(client.get("/policies/mine").text, "html.parser").select_one("[data-missing=rd_ratio]")
    assert "影响 1 个可能符合的事项" in meter.text and "研发投入后补助" in meter.text


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(db, client, firm_user):
    response = as_user(client, firm_user).post(
        "/orgs/mine/profile", data={"employees": "300", "rd_ratio": "百分之三", "listed": "yes"}
    )
    assert response.status_code == 422 and "研发投入占比应为数字" in response.text
    db.session.expire_all()
    profile = profile_of(firm_user.org)
    assert (profile.employees, profile.rd_ratio, profile.listed) == (120, None, None)


def test_revenue_is_a_figure_or_a_band_not_both(db, client, firm_user):
    as_user(client, firm_user)
    response = client.post("/orgs/mine/profile", data={"employees": "120", "revenue": "800", "revenue_band": "lt500"})
    assert response.status_code == 422 and "营业收入金额与区间只填一项" in response.text
    client.post("/orgs/mine/profile", data={"employees": "120", "revenue_band": "500-2000"})
    db.session.expire_all()
    assert profile_of(firm_user.org).revenue_band == RevenueBand.FROM_500


def test_saving_dates_only_the_facts_that_changed(db, client, firm_user):
    update_profile(firm_user.org, {"rd_ratio": 2}, ProfileSource.IMPORT, today=date(2026, 1, 5))
    db.session.commit()
    form = {
        "employees": "120",
        "rd_ratio": "2",
        "above_scale": "yes",
        "known-0-held": "y",
        "known-0-expires_on": "2027-10-01",
    }
    assert as_user(client, firm_user).post("/orgs/mine/profile", data=form).status_code == 302
    db.session.expire_all()
    profile = profile_of(firm_user.org)
    assert profile.updated_on("rd_ratio") == date(2026, 1, 5) and profile.source_of("rd_ratio") == ProfileSource.IMPORT
    assert profile.above_scale is True and profile.source_of("above_scale") == ProfileSource.SELF
    assert [(c.name, c.expires_on) for c in profile.certificates] == [("高新技术企业", date(2027, 10, 1))]
    assert profile.rd_ratio == Decimal("2")


def test_a_member_who_is_not_the_admin_may_look_but_not_save(db, client, firm_user):
    member = UserFactory(org=firm_user.org, org_role=OrgRole.MEMBER)
    db.session.commit()
    page = as_user(client, member).get("/orgs/mine/profile")
    assert page.status_code == 200 and "由本机构管理员填写" in page.text
    client.post("/orgs/mine/profile", data={"employees": "999"})
    db.session.expire_all()
    assert profile_of(firm_user.org).employees == 120


def test_the_return_address_must_be_on_this_site(client, firm_user):
    response = as_user(client, firm_user).post(
        "/orgs/mine/profile", data={"employees": "121", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/orgs/mine/profile"


def test_my_organisation_links_the_profile(client, firm_user):
    link = BeautifulSoup(as_user(client, firm_user).get("/orgs/mine").text, "html.parser").find("a", string="企业画像")
    assert link["href"] == "/orgs/mine/profile"
