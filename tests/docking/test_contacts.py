"""Contact details open on acceptance: hidden before, visible to both sides after, never to outsiders."""

from __future__ import annotations

from tests.conftest import as_user
from tests.docking.helpers import (
    POSTING_EMAIL,
    POSTING_PHONE,
    SME_EMAIL,
    SME_PHONE,
    UNI_PHONE,
    UNI_SECRETS,
    R,
    page_of,
    pending_request,
)


def test_contact_details_are_hidden_before_acceptance_and_visible_to_both_sides_after(client, world):
    req = pending_request(world)
    request_url, posting_url = f"/docking/requests/{req.id}", f"/postings/achievement/{world.achievement.id}"
    for url in (request_url, posting_url):
        page = page_of(client, world.sme_user, url)
        assert not [s for s in UNI_SECRETS if s in page]
    assert "接受对接后可见" in page_of(client, world.sme_user, posting_url)
    assert SME_PHONE not in page_of(client, world.uni_user, request_url)

    as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept")

    for url in (request_url, posting_url):
        page = page_of(client, world.sme_user, url)
        assert POSTING_PHONE in page and POSTING_EMAIL in page
    assert UNI_PHONE in page_of(client, world.sme_user, request_url)
    uni_view = page_of(client, world.uni_colleague, request_url)
    assert SME_PHONE in uni_view and SME_EMAIL in uni_view
    assert not [s for s in UNI_SECRETS if s in page_of(client, world.outsider, posting_url)]


def test_a_declined_request_opens_no_contact_details(client, world):
    req = pending_request(world, status=R.DECLINED)
    page = page_of(client, world.sme_user, f"/postings/achievement/{world.achievement.id}")
    assert POSTING_PHONE not in page and POSTING_PHONE not in page_of(
        client, world.sme_user, f"/docking/requests/{req.id}"
    )


def test_organisation_page_shows_contact_only_after_an_accepted_docking(client, world):
    org_url = f"/orgs/{world.uni.id}"
    assert UNI_PHONE not in page_of(client, world.sme_user, org_url)
    req = pending_request(world)
    assert UNI_PHONE not in page_of(client, world.sme_user, org_url)

    as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept")

    assert UNI_PHONE in page_of(client, world.sme_user, org_url)
    assert SME_PHONE in page_of(client, world.uni_user, f"/orgs/{world.sme.id}")
    assert UNI_PHONE not in page_of(client, world.outsider, org_url)
