"""An organisation's public page: who sees it and who sees its contact details."""

from __future__ import annotations

import pytest

from app.core.enums import VerificationStatus
from tests.factories import AdminFactory, OrgFactory, UserFactory
from tests.organizations.helpers import member_of


def test_contact_details_are_hidden_from_anonymous_and_other_orgs(client, db, login):
    org = OrgFactory(contact_phone="0471-6543210", contact_email="secret@example.cn", description="乳业龙头")
    outsider = UserFactory()
    db.session.commit()
    anonymous = client.get(f"/orgs/{org.id}")
    assert anonymous.status_code == 200 and "乳业龙头" in anonymous.text
    assert "0471-6543210" not in anonymous.text and "secret@example.cn" not in anonymous.text
    assert "0471-6543210" not in login(outsider).get(f"/orgs/{org.id}").text


@pytest.mark.parametrize("viewer", ["member", "platform_admin"])
def test_contact_details_are_shown_to_members_and_platform_admins(client, db, login, viewer):
    org = OrgFactory(contact_phone="0471-6543210")
    user = member_of(org) if viewer == "member" else AdminFactory()
    db.session.commit()
    assert "0471-6543210" in login(user).get(f"/orgs/{org.id}").text


def test_unverified_org_page_is_404_except_for_its_members_and_admins(client, db, login):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    member = member_of(org)
    outsider = UserFactory()
    admin = AdminFactory()
    db.session.commit()
    assert client.get(f"/orgs/{org.id}").status_code == 404
    assert login(outsider).get(f"/orgs/{org.id}").status_code == 404
    assert login(member).get(f"/orgs/{org.id}").status_code == 200
    assert login(admin).get(f"/orgs/{org.id}").status_code == 200
    assert client.get("/orgs/999999").status_code == 404
