"""Notification fixtures: a mailbox in place of the SMTP server."""

from __future__ import annotations

import time

import pytest

from app.notifications import delivery


@pytest.fixture
def mailbox(monkeypatch):
    """Every mail the jobs send: (to, subject, body). Set `mailbox.fail` to make the SMTP server refuse."""

    class Box(list):
        fail: Exception | bool | None = None
        delay = 0.0  # seconds each mail takes: lets overlapping runs overlap

    box = Box()

    def fake_send(to, subject, body):
        time.sleep(box.delay)
        if isinstance(box.fail, Exception):
            raise box.fail
        if box.fail:
            return False
        box.append((to, subject, body))
        return True

    monkeypatch.setattr(delivery, "send_mail", fake_send)
    return box
