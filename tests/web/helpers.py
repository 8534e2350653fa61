"""Robustness tests' shared pieces: a sweep that sends requests as one user and collects every would-be 500."""

from __future__ import annotations

from app.core.enums import PostingKind, PostingStatus

K = PostingKind
S = PostingStatus


class Sweep:
    """Sends requests as one user and collects every exception or 5xx with its route."""

    def __init__(self, client, db, user):
        self.client, self.db, self.user = client, db, user
        self.failures: list[str] = []

    def send(self, method: str, url: str, endpoint: str, **kwargs):
        with self.client.session_transaction() as sess:  # signed in again after any logout; the rest stays
            sess.pop("_user_id", None)
            if self.user is not None:
                sess.update(_user_id=str(self.user.id), _fresh=True)
        try:
            resp = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 — a would-be 500; reported below with its route
            self.db.session.rollback()
            self.failures.append(f"{method} {url[:150]!r} ({endpoint}) raised {exc!r:.300}")
            return None
        resp.close()
        if resp.status_code >= 500:
            self.failures.append(f"{method} {url[:150]!r} ({endpoint}) answered {resp.status_code}")
        return resp
