"""The docking funnel: counts per step for requests created in the period, filtered by one side's region and
organisation type and the target's industry; the export has the same numbers."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from app.core.enums import OrgType, PostingKind
from app.extensions import db as _db
from app.matching.models import Match
from tests.conftest import login_as
from tests.docking.helpers import NOW, ST, R
from tests.factories import (
    DockingRecordFactory,
    DockingRequestFactory,
    OrganiserFactory,
    OrgFactory,
    PostingFactory,
    UserFactory,
)

IN_PERIOD = datetime(2026, 6, 1, 4, 0)
LAST_YEAR = datetime(2025, 11, 1, 4, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def record(sender, target, *, at=IN_PERIOD, **kw):
    req = dict(sender=sender, target=target, created_at=at, status=R.ACCEPTED, answered_at=at)
    return DockingRecordFactory(**{f"request__{k}": v for k, v in req.items()}, **kw)


@pytest.fixture
def fixture(db):
    """Five requests this year (three accepted: completed, signed then terminated, intent), one last year."""
    bt_sme = UserFactory(org=OrgFactory(name="包头稀宝", region="150200", org_type=OrgType.SME))
    hh_sme = UserFactory(org=OrgFactory(name="呼市绒业", region="150100", org_type=OrgType.SME))
    uni = UserFactory(org=OrgFactory(name="内蒙古大学", region="150100", org_type=OrgType.UNIVERSITY))
    large = UserFactory(org=OrgFactory(name="鄂尔多斯能源", region="150600", org_type=OrgType.LARGE))
    achievement = PostingFactory(org=uni.org, industry="C32")
    energy_need = PostingFactory(org=large.org, kind=PostingKind.NEED, industry="D44")
    bt_need = PostingFactory(org=bt_sme.org, kind=PostingKind.NEED, industry="C38")

    record(bt_sme, achievement, stage=ST.COMPLETED, amount_wan=Decimal("100"))
    record(hh_sme, achievement, stage=ST.TERMINATED, peak_stage=ST.SIGNED, amount_wan=Decimal("50.5"))
    record(bt_sme, energy_need, stage=ST.INTENT)
    DockingRequestFactory(sender=hh_sme, target=achievement, created_at=IN_PERIOD)
    DockingRequestFactory(sender=uni, target=energy_need, created_at=IN_PERIOD, status=R.DECLINED)
    record(hh_sme, energy_need, at=LAST_YEAR, stage=ST.SIGNED, amount_wan=Decimal("999"))
    for source, target, at in (
        (bt_need, achievement, IN_PERIOD),
        (energy_need, achievement, IN_PERIOD),
        (bt_need, energy_need, IN_PERIOD),
        (energy_need, bt_need, LAST_YEAR),
    ):
        _db.session.add(
            Match(
                source_id=source.id,
                target_id=target.id,
                target_kind=target.kind,
                rank=1,
                score=0.5,
                computed_at=at,
                first_matched_at=at,
            )
        )
    organiser = OrganiserFactory()
    _db.session.commit()
    return SimpleNamespace(organiser=organiser, member=bt_sme)


def figures(client, query: str = "") -> dict:
    """The funnel as the export reports it: {step: count} plus the amount."""
    data = client.get(f"/docking/funnel?format=csv&{query}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    return {row[0]: row[1] for row in rows if row[1]}


def rates(client, query: str = "") -> dict:
    """{step: rate from the step before} and {总体转化率（…）: rate}, as the csv export reports them."""
    data = client.get(f"/docking/funnel?format=csv&{query}").data.decode("utf-8-sig")
    return {row[0]: row[2] for row in list(csv.reader(io.StringIO(data)))[1:] if row[2]}


def expected(matches, requests, accepted, intent, signed, completed, amount) -> dict:
    steps = ("匹配推荐", "对接请求", "已接受", "达成意向", "已签约", "已完成")
    numbers = (matches, requests, accepted, intent, signed, completed)
    return {**{s: str(n) for s, n in zip(steps, numbers, strict=True)}, "合同总金额（万元）": amount}


def test_the_funnel_counts_each_step_of_this_years_requests_with_the_contract_total(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client) == expected(3, 5, 3, 3, 2, 1, "150.5")


def test_matches_count_in_the_period_they_were_first_suggested_not_when_last_recomputed(client, fixture):
    # The nightly recompute rewrites every pair's computed_at; last year's suggestion stays last year's.
    _db.session.execute(sa.update(Match).values(computed_at=IN_PERIOD))
    _db.session.commit()
    login_as(client, fixture.organiser)
    assert figures(client)["匹配推荐"] == "3"
    assert figures(client, "start=2025-01-01&end=2025-12-31")["匹配推荐"] == "1"


def test_a_deal_terminated_after_signing_still_counts_as_signed(client, fixture):
    login_as(client, fixture.organiser)
    only_hh = figures(client, "side=from&region=150100&org_type=sme")
    assert only_hh == expected(0, 2, 1, 1, 1, 0, "50.5")


def test_the_region_filter_applies_to_the_side_chosen(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client, "side=from&region=150200") == expected(2, 2, 2, 2, 1, 1, "100.0")
    assert figures(client, "side=to&region=150100") == expected(2, 3, 2, 2, 2, 1, "150.5")
    assert "信息发布方盟市：呼和浩特市" in client.get("/docking/funnel?side=to&region=150100").text


def test_the_industry_filter_is_the_target_postings_section(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client, "industry=D") == expected(1, 2, 1, 1, 0, 0, "0.0")


def test_the_organisation_type_filter(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client, "org_type=university") == expected(0, 1, 0, 0, 0, 0, "0.0")


def test_the_period_is_by_beijing_date_of_the_request(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client, "start=2025-01-01&end=2025-12-31") == expected(1, 1, 1, 1, 1, 0, "999.0")
    # 2026-01-01 00:30 in Beijing is still 2025 in UTC: it belongs to 2026.
    DockingRequestFactory(created_at=datetime(2025, 12, 31, 16, 30))
    _db.session.commit()
    assert figures(client, "start=2026-01-01&end=2026-01-01")["对接请求"] == "1"


def test_bad_filter_values_fall_back_to_the_defaults(client, fixture):
    login_as(client, fixture.organiser)
    hostile = "start=2026-13-45&end=yesterday&side=both&region=火星&industry=Z&org_type=robot"
    assert figures(client, hostile) == expected(3, 5, 3, 3, 2, 1, "150.5")


def test_the_xlsx_export_opens_and_has_the_same_numbers_as_the_page(client, fixture):
    login_as(client, fixture.organiser)
    page = client.get("/docking/funnel").text
    resp = client.get("/docking/funnel?format=xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["环节", "数量", "转化率（相对上一环节）", "占匹配推荐比例"]
    assert [r[:2] for r in rows[1:] if r[1] is not None] == [
        ["匹配推荐", 3],
        ["对接请求", 5],
        ["已接受", 3],
        ["达成意向", 3],
        ["已签约", 2],
        ["已完成", 1],
        ["合同总金额（万元）", 150.5],
    ]
    assert rows[3][2] == "60.0%"
    assert "150.50 万元" in page and ">60.0%<" in page


def test_the_funnel_is_for_organisers_and_platform_admins_only(client, fixture):
    login_as(client, fixture.member)
    assert client.get("/docking/funnel").status_code == 403
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get("/docking/funnel").status_code == 302
    login_as(client, fixture.organiser)
    assert client.get("/docking/funnel").status_code == 200


def test_each_step_shows_its_conversion_from_the_step_before_and_overall(client, fixture):
    login_as(client, fixture.organiser)
    # 3 matches, 5 requests, 3 accepted, 3 intent, 2 signed, 1 completed.
    assert rates(client) == {
        "对接请求": "166.7%",
        "已接受": "60.0%",
        "达成意向": "100.0%",
        "已签约": "66.7%",
        "已完成": "50.0%",
        "总体转化率（匹配推荐→已完成）": "33.3%",
        "总体转化率（对接请求→已完成）": "20.0%",
    }
    page = client.get("/docking/funnel").text
    assert ">166.7%<" in page and ">33.3%<" in page and ">20.0%<" in page


def test_an_empty_step_has_no_rate_after_it_instead_of_a_division_by_zero(client, fixture):
    login_as(client, fixture.organiser)
    # Universities requested once and nothing was accepted: every rate after 已接受 is "—".
    got = rates(client, "org_type=university")
    assert got["已接受"] == "0.0%"
    assert got["达成意向"] == got["已签约"] == got["已完成"] == "—"
    assert got["总体转化率（匹配推荐→已完成）"] == "—"  # no match at all
    assert got["总体转化率（对接请求→已完成）"] == "0.0%"
    assert client.get("/docking/funnel?org_type=university").status_code == 200


def test_a_period_with_nothing_in_it_shows_zeros_and_no_rates(client, fixture):
    login_as(client, fixture.organiser)
    assert figures(client, "start=2001-01-01&end=2001-12-31") == expected(0, 0, 0, 0, 0, 0, "0.0")
    assert set(rates(client, "start=2001-01-01&end=2001-12-31").values()) == {"—"}


def test_the_chart_gets_the_same_counts_and_rates_as_the_table(client, fixture):
    login_as(client, fixture.organiser)
    page = client.get("/docking/funnel").text
    spec = json.loads(html.unescape(re.search(r'data-chart="([^"]+)"', page).group(1)))
    assert spec["kind"] == "funnel"
    assert spec["values"] == [3, 5, 3, 3, 2, 1]
    assert spec["rates"] == [None, "166.7%", "60.0%", "100.0%", "66.7%", "50.0%"]
    assert "vendor/echarts/echarts.min.js" in page and "charts.js" in page
