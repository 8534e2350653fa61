"""E-mail preferences: the defaults, saving them, refusing bad values."""

from __future__ import annotations

import re

import pytest

from app.core.enums import DigestFrequency
from app.notifications.models import NotificationSettings
from tests.factories import UserFactory
from tests.notifications.helpers import K


def checked(text: str, name: str) -> list[str]:
    """The values of the ticked inputs named `name` on a page."""
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', text)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if re.search(r"\schecked[\s>]", tag)]


def test_settings_default_to_every_kind_by_email_at_once(client, db, login):
    user = UserFactory()
    db.session.commit()
    text = login(user).get("/notifications/settings").text
    assert checked(text, "frequency") == ["instant"]
    assert checked(text, "emailed") == [k.value for k in K]


def test_settings_are_saved_and_shown_again(client, db, login):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post(
        "/notifications/settings", data={"frequency": "weekly", "emailed": ["docking_request"]}, follow_redirects=True
    )
    assert "通知设置已保存" in resp.text
    settings = db.session.get(NotificationSettings, user.id)
    assert settings.frequency == DigestFrequency.WEEKLY
    assert settings.emails(K.DOCKING_REQUEST) and not settings.emails(K.MATCH_NEW)
    assert checked(resp.text, "frequency") == ["weekly"] and checked(resp.text, "emailed") == ["docking_request"]


@pytest.mark.parametrize(
    "data, message",
    [({"frequency": "hourly"}, "请选择邮件发送频率"), ({"frequency": "daily", "emailed": ["nope"]}, "通知类型无效")],
)
def test_bad_settings_are_refused_and_change_nothing(client, db, login, data, message):
    user = UserFactory()
    db.session.commit()
    resp = login(user).post("/notifications/settings", data=data, follow_redirects=True)
    assert message in resp.text
    assert db.session.get(NotificationSettings, user.id) is None
