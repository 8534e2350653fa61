"""Helpers of the sync tests: announce postings, compare the database with an index."""

from __future__ import annotations

import os
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.enums import PostingKind, PostingStatus
from app.core.outbox import SearchOutbox
from app.postings.models import Posting
from app.postings.services import touch_posting
from search import SearchRequest
from search.documents import KINDS
from tests.conftest import login_as
from tests.factories import OrgFactory, PostingFactory

SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")


def announce(db, *postings) -> None:
    """What the posting services do on every change: a new version and an outbox row, committed."""
    for posting in postings:
        touch_posting(posting)
    db.session.commit()


def make_postings(db):
    org = OrgFactory()
    postings = [
        PostingFactory(org=org, title="稀土永磁电机技术"),
        PostingFactory(org=org, kind=PostingKind.NEED, title="风挡防雾涂层需求"),
        PostingFactory(org=org, kind=PostingKind.CAPABILITY, title="羊绒分梳加工能力"),
        PostingFactory(org=org, status=PostingStatus.DRAFT, title="稀土抛光粉草稿"),
        PostingFactory(
            org=org,
            kind=PostingKind.PROCUREMENT,
            title="过期的采购需求",
            deadline=date.today() - timedelta(days=3),
        ),
    ]
    announce(db, *postings)
    return postings


def pending(db) -> list[SearchOutbox]:
    return db.session.scalars(sa.select(SearchOutbox).where(SearchOutbox.processed_at.is_(None))).all()


def assert_agree(db, backend) -> None:
    """Every posting is in the index at its current version; exactly the open published ones are searchable."""
    backend.refresh()
    postings = db.session.scalars(sa.select(Posting)).all()
    for kind in KINDS:
        expected = {p.id: p.version for p in postings if p.kind.value == kind}
        assert backend.versions(kind) == expected, kind
    today = date.today()
    searchable = {
        p.id for p in postings if p.status == PostingStatus.PUBLISHED and (p.deadline is None or p.deadline >= today)
    }
    result = backend.search(SearchRequest(per_page=50, facets=False, today=today))
    assert set(result.ids) == searchable


def logged_in(app, user):
    """A test client of `app` (not the default one) with `user` logged in."""
    client = app.test_client()
    login_as(client, user)
    return client


def ids_for(backend, text: str) -> list[int]:
    backend.refresh()
    return backend.search(SearchRequest(text=text, facets=False)).ids
