"""Organisation tests' shared pieces."""

from __future__ import annotations

from app.core.enums import OrgRole
from tests.factories import UserFactory


def member_of(org, **kw):
    return UserFactory(org=org, org_role=OrgRole.MEMBER, **kw)
