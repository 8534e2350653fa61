"""A local SMTP server that keeps what it receives: the MAIL_SERVER of the deployment smoke test."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class MailSink:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.messages: list[tuple[list[str], str, str]] = []  # (recipients, subject, body)
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=host, port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), str(message["Subject"]), body.get_content() if body else ""))
        return "250 OK"

    def find(self, to: str, text: str) -> tuple[list[str], str, str] | None:
        """The first mail to `to` whose body contains `text`."""
        with self._lock:
            return next((m for m in self.messages if to in m[0] and text in m[2]), None)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
