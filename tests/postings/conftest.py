"""Postings fixtures: a member of a verified organisation who owns postings, and a platform admin."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def owner(db):
    user = UserFactory()
    db.session.commit()
    return user


@pytest.fixture
def admin(db):
    user = AdminFactory()
    db.session.commit()
    return user
