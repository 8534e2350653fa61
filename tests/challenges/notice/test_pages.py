"""The public 公示 page exists only for a public item with a 公示 (or a 流榜); the 公示 box other pages include."""

from __future__ import annotations

from datetime import date

from flask import render_template_string

from app.challenges.notice.models import WorkdayOverride
from app.core.challenge_enums import BatchStatus
from app.extensions import db as _db
from tests.challenges.notice.helpers import publish
from tests.conftest import as_user

BOX = '{% include "challenges/notice/_box.html" ignore missing %}'


def test_there_is_no_notice_page_before_a_decision_nor_for_a_private_item(client, world):
    w = world
    url = f"/challenges/items/{w.item.id}/notice"
    assert as_user(client, None).get(url).status_code == 404
    assert as_user(client, None).get("/challenges/items/999999/notice").status_code == 404

    publish(w, [w.apps[0]])
    assert as_user(client, None).get(url).status_code == 200
    w.item.batch.status = BatchStatus.WITHDRAWN
    _db.session.commit()
    assert as_user(client, w.outsider).get(url).status_code == 404
    assert as_user(client, w.issuer_user).get(url).status_code == 200


def test_the_notice_box_shows_the_period_and_links_to_the_notice(app, world):
    w = world
    with app.test_request_context("/"):
        assert render_template_string(BOX, item=w.item).strip() == ""
    publish(w, [w.apps[0]])
    with app.test_request_context("/"):
        html = render_template_string(BOX, item=w.item)
    assert "2026年12月4日至2026年12月10日（5个工作日）" in html
    assert f"/challenges/items/{w.item.id}/notice" in html


def test_admin_pages_can_warn_about_years_without_holidays(app, db):
    with app.test_request_context("/"):
        assert render_template_string("{{ challenge_workday_years_missing() }}") == "[2027]"
        db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note="元旦"))
        db.session.flush()
        assert render_template_string("{{ challenge_workday_years_missing() }}") == "[]"
