"""Account tests' shared pieces: a fixed moment, a row count, a login form post, a throttled app, the mails."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from app.core.mail import MailOutbox

T0 = datetime(2025, 3, 1, 2, 0)  # 10:00 Beijing time


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def login_post(client, email, password, next_=None):
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


def throttled_app(make_app, **config):
    """An app with rate limiting on (the test config turns it off), for the login throttle's tests."""
    return make_app(RATELIMIT_ENABLED=True, **config)


def mails_to(db, address: str) -> list:
    """The mails queued for an address, oldest first (the jobs process would send them)."""
    return db.session.scalars(sa.select(MailOutbox).where(MailOutbox.to == address).order_by(MailOutbox.id)).all()


def link_in(mail, path: str) -> str:
    """The site path of the /auth/<path>/… link in a mail (SITE_URL, if set, in front of it)."""
    return re.search(rf"(/auth/{path}/[\w.\-]+)", mail.body).group(1)
