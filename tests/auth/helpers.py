"""Account tests' shared pieces: a fixed moment, a row count, and a login form post."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

T0 = datetime(2025, 3, 1, 2, 0)  # 10:00 Beijing time


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def login_post(client, email, password, next_=None):
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})
