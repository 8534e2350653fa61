"""The audit trail: status changes and actions are rows of their own kind, each labelled in Chinese."""

from __future__ import annotations

import pytest

from app.core.enums import EventStatus, HistoryAction, HistoryKind
from app.core.models import record_action, record_change


@pytest.mark.parametrize("action", list(HistoryAction))
def test_an_action_is_labelled_as_an_action_whatever_the_entitys_statuses(db, action):
    row = record_action("event", 1, action)
    assert (row.kind, row.from_status, row.label(EventStatus)) == (HistoryKind.ACTION, None, action.label)


def test_a_status_change_is_labelled_by_the_entitys_statuses_and_an_unknown_code_shown_as_it_is(db):
    assert record_change("event", 1, None, EventStatus.CLOSED).label(EventStatus) == "报名已截止"
    assert record_change("event", 1, None, "archived").label(EventStatus) == "archived"
