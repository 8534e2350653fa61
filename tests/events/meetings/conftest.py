"""Meeting fixtures: every meeting test runs at the same moment, well before the event."""

from __future__ import annotations

from datetime import UTC

import pytest
import time_machine

from tests.events.meetings.helpers import NOW


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=True):
        yield
