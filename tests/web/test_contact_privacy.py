"""Contact details never reach an outsider: no page or download shows them; the owner and admins see them."""

from __future__ import annotations

from app.extensions import db as _db
from app.matching.jobs import drain_and_rematch
from app.postings.services import touch_posting
from tests.conftest import as_user
from tests.web.world import (
    ORG_PHONE,
    POSTING_EMAIL,
    POSTING_PHONE,
    SECRETS,
    K,
    S,
    build_url,
    contexts,
    get_rules,
    posting_url,
    readable_text,
)


def test_no_page_or_download_an_outsider_gets_contains_a_contact_phone_or_email(client, world):
    """Home, lists, detail pages of every kind, organisation pages, annual lists and every export."""
    kinds = [f"/postings/{kind.value}" for kind in K]
    extra = [f"{url}?{query}" for url in kinds for query in ("q=稀土", "status=all", "format=xlsx", "format=csv")]
    extra += [posting_url(world.postings[kind, S.PUBLISHED]) for kind in K]
    extra += [f"/lists/{world.published_list.id}/download?format={fmt}" for fmt in ("xlsx", "csv")]
    extra += [f"/orgs/{org.id}" for org in (world.org_a, world.org_b)] + ["/search?q=稀土永磁"]
    for posting in world.postings.values():  # index every posting, so the search page has hits to show
        touch_posting(posting)
    _db.session.commit()
    drain_and_rematch()
    assert posting_url(world.postings[K.NEED, S.PUBLISHED]) in as_user(client, None).get("/search?q=稀土永磁").text
    seen, leaks = 0, []
    for viewer in (None, world.b_member):
        urls = {build_url(rule, ctx) for rule in get_rules() for ctx in contexts(world)} | set(extra)
        for url in sorted(urls):
            resp = as_user(client, viewer).get(url)
            text = readable_text(resp)
            seen += resp.status_code == 200 and bool(text)
            leaks += [f"{viewer} {url}: {secret}" for secret in SECRETS if secret in text]
    assert leaks == []
    assert seen > 40  # the sweep really read pages


def test_contact_details_are_shown_to_the_owner_organisation_and_platform_admins(client, world):
    url = posting_url(world.postings[K.NEED, S.PUBLISHED])
    for viewer in (world.a_member, world.platform_admin):
        page = as_user(client, viewer).get(url).text
        assert POSTING_PHONE in page and POSTING_EMAIL in page
    assert ORG_PHONE in as_user(client, world.platform_admin).get(f"/orgs/{world.org_a.id}").text
