"""Account mail goes out by SMTP when a mail server is configured, and never carries a line break into a
header: a subject is sent on one line, an address with a control character is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.mail import send_mail
from app.core.enums import EmailState, NotificationKind
from app.core.mail import MailOutbox, queue_mail
from app.core.models import utcnow
from app.notifications.jobs import send_emails
from app.notifications.models import Notification
from app.notifications.services import notify
from tests.factories import UserFactory


@pytest.fixture
def smtp(app, monkeypatch):
    """What a fake SMTP server received: (To, Subject, body) per mail."""
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            sent.append((msg["To"], msg["Subject"], msg.get_content().strip()))

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.cn"
    return sent


def test_send_mail_uses_smtp_when_a_mail_server_is_configured(smtp):
    assert send_mail("a@example.cn", "主题", "正文")
    assert smtp == [("smtp.example.cn", 25), ("a@example.cn", "主题", "正文")]


def test_a_subject_with_a_line_break_goes_out_on_one_line(smtp):
    assert send_mail("a@example.cn", "联桥平台：新需求\r\nBcc: all@example.cn", "正文")
    assert smtp[-1] == ("a@example.cn", "联桥平台：新需求 Bcc: all@example.cn", "正文")


def test_an_address_with_a_line_break_is_refused_and_nothing_is_sent(smtp):
    with pytest.raises(ValueError, match="控制字符"):
        send_mail("a@example.cn\r\nBcc: all@example.cn", "主题", "正文")
    assert smtp == []


def test_a_mail_is_queued_with_a_one_line_subject_and_never_for_an_address_with_a_line_break(db):
    UserFactory()
    assert queue_mail("bad@example.cn\nBcc: all@example.cn", "主题", "正文") is None
    queue_mail("a@example.cn", "活动提醒：路演\n大会", "正文")
    assert db.session.scalars(sa.select(MailOutbox.subject)).all() == ["活动提醒：路演 大会"]


def test_a_notification_titled_with_a_line_break_before_the_rule_is_still_mailed(db, smtp):
    user = UserFactory()
    notify(user, NotificationKind.SYSTEM, "old:1", "旧标题\r\n第二行", "正文")
    db.session.commit()
    send_emails(utcnow())
    assert db.session.scalar(sa.select(Notification.email_state)) == EmailState.SENT
    assert smtp[-1][1] == "联桥平台：旧标题 第二行"
