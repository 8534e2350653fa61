"""Outgoing e-mail. One function, so every feature sends the same way."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from app.core.validators import one_line, single_line_error


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text mail over SMTP; without MAIL_SERVER (development, intranet) write it to the log.

    Returns False when the SMTP server could not be reached, so callers never fail the user's request on it.
    The subject goes out on one line whatever it holds (a notification's title typed before the single-line
    rule); an address with a control character in it is refused (ValueError), never written into the header.
    """
    if single_line_error(to):
        raise ValueError("收件地址含有换行等控制字符，不能发送")
    subject = one_line(subject)
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        current_app.logger.info("未配置邮件服务器，邮件内容如下 → %s\n主题：%s\n%s", to, subject, body)
        return True
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    smtp_class = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
    try:
        with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg.get("MAIL_USE_TLS") and not cfg.get("MAIL_USE_SSL"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("邮件发送失败 → %s（%s）", to, subject)
        return False
    return True
