"""Every .csv download says it is UTF-8 exactly once (`text/csv; charset=utf-8`): a doubled charset parameter
makes strict clients and proxies refuse or misread the file. The endpoints are found from the app's own views
(every view that builds a download with export_rows / export_sheets), so a new csv download is covered too."""

from __future__ import annotations

import inspect
import re

import pytest
from flask import url_for

from app.core.enums import EventType, PostingKind
from app.lists.models import CatalogList
from tests.challenges.helpers import make_item
from tests.conftest import login_as
from tests.factories import AdminFactory, EventFactory, OrgFactory
from tests.web.test_export_formulas import _published_policy_item

EXPORTERS = re.compile(r"\bexport_(rows|sheets)\(")


def csv_endpoints(app) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and EXPORTERS.search(inspect.getsource(app.view_functions[rule.endpoint]))
    )


@pytest.fixture
def objects(db):
    events = {t: EventFactory(event_type=t).id for t in (EventType.DOCKING, EventType.EXPO, EventType.ROADSHOW)}
    catalog = CatalogList(title="2026年测试清单", kind=PostingKind.ACHIEVEMENT, year=2026)
    db.session.add(catalog)
    admin = AdminFactory()
    policy_item = _published_policy_item(db)
    challenge = make_item(db, OrgFactory())
    db.session.commit()
    return {
        "admin": admin,
        "events": events,
        "list_id": catalog.id,
        "policy_item": policy_item,
        "challenge": (challenge.batch_id, challenge.id),
    }


def csv_url(endpoint: str, objects: dict) -> str:
    """The csv download of an endpoint, with the ids its route needs."""
    events = objects["events"]
    args = {
        "meetings.export": {"event_id": events[EventType.DOCKING]},
        "booths.export": {"event_id": events[EventType.EXPO], "fmt": "csv"},
        "judging.export": {"event_id": events[EventType.ROADSHOW]},
        "checkin.export": {"event_id": events[EventType.DOCKING], "what": "attendees", "fmt": "csv"},
        "lists.download": {"list_id": objects["list_id"]},
        "admin.export": {"kind": "", "status": "published"},
        "postings.index": {"kind": PostingKind.ACHIEVEMENT.value},
        "event_statistics.statistics": {"event_id": events[EventType.DOCKING]},
        "policy_figures.item": {"item_id": objects["policy_item"]},
        "challenge_notice.export": {"batch_id": objects["challenge"][0]},
        "challenge_review.export_applications": {"item_id": objects["challenge"][1]},
        "challenge_review.export_scores": {"item_id": objects["challenge"][1]},
    }.get(endpoint, {})
    if "fmt" not in args:
        args["format"] = "csv"
    return url_for(endpoint, **args)


def test_every_csv_download_names_its_charset_exactly_once(app, client, objects):
    endpoints = csv_endpoints(app)
    assert {"docking.funnel", "checkin.export", "meetings.export", "organizations.admin_list"} <= set(endpoints)
    login_as(client, objects["admin"])
    for endpoint in endpoints:
        with app.test_request_context():
            url = csv_url(endpoint, objects)
        resp = client.get(url)
        assert resp.status_code == 200, endpoint
        assert resp.headers["Content-Type"] == "text/csv; charset=utf-8", endpoint
        assert resp.data.startswith("\ufeff".encode()), endpoint  # the BOM Excel needs to read UTF-8


def test_an_xlsx_download_has_no_charset(app, client, objects):
    login_as(client, objects["admin"])
    resp = client.get("/docking/funnel?format=xlsx")
    assert resp.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
