"""Working days of the 公示期: chinese-calendar's holidays and 调休, the admins' overrides, the Monday-to-Friday
fallback for years the package does not know, and the admins' table page.

The 2026 dates below are the State Council's 2026 holiday schedule as chinese-calendar 1.11.0 carries it:
国庆/中秋 Oct 1–7 off, Sunday Sep 20 and Saturday Oct 10 worked; 春节 Feb 15–23 off, Saturdays Feb 14 and
Feb 28 worked."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from app.challenges.notice.models import WorkdayOverride
from app.challenges.notice.workdays import (
    add_working_days,
    is_workday,
    notice_period,
    package_covers,
    years_needing_entries,
)
from app.extensions import db as _db
from tests.conftest import as_user
from tests.factories import AdminFactory, UserFactory


def override(day: date, working: bool, note: str = "") -> None:
    _db.session.add(WorkdayOverride(day=day, is_workday=working, note=note))
    _db.session.flush()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 20), True),  # Sunday, 国庆调休上班
        (date(2026, 10, 1), False),
        (date(2026, 10, 5), False),  # Monday inside the holiday
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, 国庆调休上班
        (date(2026, 10, 11), False),
        (date(2026, 2, 14), True),  # Saturday, 春节调休上班
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),  # Monday, last day of 春节
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, 春节调休上班
    ],
)
def test_holidays_and_make_up_working_days_follow_the_package(db, day, working):
    assert is_workday(day) is working
    assert chinese_calendar.is_workday(day) is working  # the package agrees: these are its dates, not ours


def test_a_notice_published_on_30_september_2026_for_5_working_days_ends_on_12_october(db):
    # 9/30, then 国庆 off until 10/7, then 10/8, 10/9, 10/10 (调休 Saturday), 10/12
    assert notice_period(date(2026, 9, 30), 5) == (date(2026, 9, 30), date(2026, 10, 12))


def test_a_notice_published_during_the_holiday_starts_on_the_first_working_day_after_it(db):
    assert notice_period(date(2026, 10, 3), 5) == (date(2026, 10, 8), date(2026, 10, 13))


def test_a_notice_published_before_spring_festival_counts_the_make_up_saturday_and_skips_the_holiday(db):
    # 2/13 (Fri), 2/14 (调休 Saturday), then 春节 until 2/23, then 2/24, 2/25, 2/26
    assert notice_period(date(2026, 2, 13), 5) == (date(2026, 2, 13), date(2026, 2, 26))


def test_one_working_day_from_a_weekend_is_the_next_monday(db):
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)


def test_an_override_wins_over_the_package(db):
    override(date(2026, 10, 10), False, "更正")
    assert not is_workday(date(2026, 10, 10))
    assert notice_period(date(2026, 9, 30), 5) == (date(2026, 9, 30), date(2026, 10, 13))


def test_a_year_the_package_lacks_counts_monday_to_friday_until_the_admins_enter_its_holidays(db):
    assert not package_covers(2027)
    assert years_needing_entries(date(2026, 12, 1), date(2027, 2, 1)) == [2027]
    assert notice_period(date(2026, 12, 31), 5)[1] == date(2027, 1, 6)  # 12/31, 1/1, 1/4, 1/5, 1/6

    override(date(2027, 1, 1), False, "元旦")

    assert not is_workday(date(2027, 1, 1))
    assert notice_period(date(2026, 12, 31), 5)[1] == date(2027, 1, 7)
    assert years_needing_entries(date(2026, 12, 1), date(2027, 2, 1)) == []


def test_an_admin_adds_changes_and_removes_a_day_on_the_working_day_page(client, db):
    admin = AdminFactory()
    db.session.commit()
    as_user(client, admin)

    page = client.get("/challenges/workdays")
    assert page.status_code == 200 and "需要录入" in page.text  # 2027 is not in the package

    resp = client.post("/challenges/workdays", data={"day": "2027-02-06", "kind": "work", "note": "春节调休上班"})
    assert resp.status_code == 302
    assert db.session.get(WorkdayOverride, date(2027, 2, 6)).is_workday is True
    assert is_workday(date(2027, 2, 6))  # a Saturday

    client.post("/challenges/workdays", data={"day": "2027-02-06", "kind": "off", "note": "改为放假"})
    db.session.expire_all()
    assert db.session.get(WorkdayOverride, date(2027, 2, 6)).is_workday is False
    assert "改为放假" in client.get("/challenges/workdays?year=2027").text

    client.post("/challenges/workdays/2027-02-06/remove")
    db.session.expire_all()
    assert db.session.get(WorkdayOverride, date(2027, 2, 6)) is None


def test_a_bad_date_on_the_working_day_page_is_refused_with_a_message(client, db):
    admin = AdminFactory()
    db.session.commit()
    as_user(client, admin)
    resp = client.post("/challenges/workdays", data={"day": "2027-13-45", "kind": "off"})
    assert resp.status_code == 422 and "请选择有效的日期" in resp.text
    assert client.post("/challenges/workdays", data={"day": "", "kind": "off"}).status_code == 422
    assert db.session.query(WorkdayOverride).count() == 0
    assert client.post("/challenges/workdays/not-a-date/remove").status_code == 404


def test_only_platform_admins_reach_the_working_day_page(client, db):
    member = UserFactory()
    db.session.commit()
    assert as_user(client, member).get("/challenges/workdays").status_code == 403
    assert as_user(client, None).get("/challenges/workdays").status_code == 302
