"""Account mail goes out by SMTP when a mail server is configured."""

from __future__ import annotations

from app.auth.mail import send_mail


def test_send_mail_uses_smtp_when_a_mail_server_is_configured(app, monkeypatch):
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
    assert send_mail("a@example.cn", "主题", "正文")
    assert sent == [("smtp.example.cn", 25), ("a@example.cn", "主题", "正文")]
