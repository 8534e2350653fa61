"""The audit trail on the pages that show it: every row is rendered by its kind (a status change by the
entity's own status label, an action by its HistoryAction label), so no row can break a page."""

from __future__ import annotations

import pytest

from app.core.enums import EventStatus, HistoryAction, PostingStatus, VerificationStatus
from app.core.models import record_action, record_change
from tests.factories import AdminFactory, EventFactory, OrgFactory, PostingFactory, UserFactory


def _event_manage(db):
    event = EventFactory()
    return "event", event.id, EventStatus.PUBLISHED, event.organiser, f"/events/{event.id}/manage"


def _posting_detail(db):
    posting = PostingFactory()
    owner = UserFactory(org=posting.org)
    posting.created_by = owner
    return "posting", posting.id, PostingStatus.PUBLISHED, owner, f"/postings/{posting.kind.value}/{posting.id}"


def _org_dashboard(db):
    user = UserFactory()
    return "organization", user.org_id, VerificationStatus.VERIFIED, user, "/orgs/mine"


def _verification_queue(db):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    return "organization", org.id, VerificationStatus.PENDING, AdminFactory(), "/orgs/admin/verification"


@pytest.mark.parametrize("page", [_event_manage, _posting_detail, _org_dashboard, _verification_queue])
def test_every_page_that_shows_history_renders_every_kind_of_row(db, login, page):
    entity, entity_id, status, viewer, url = page(db)
    record_change(entity, entity_id, None, status, viewer)
    for action in HistoryAction:
        record_action(entity, entity_id, action, viewer, "详情")
    db.session.commit()
    resp = login(viewer).get(url)
    assert resp.status_code == 200
    assert all(label in resp.text for label in [status.label, *(a.label for a in HistoryAction)])
