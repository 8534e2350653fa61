"""Who may see what: another organisation's private object is a 404, role-protected pages answer 403 (or send
the anonymous visitor to the login page), and the owner gets a 200."""

from __future__ import annotations

from tests.conftest import as_user
from tests.web.world import (
    ADMIN_ONLY,
    LOGIN,
    PRIVATE,
    PRIVATE_STATUSES,
    K,
    S,
    attachment_url,
    check,
    everyone,
    get_rules,
    posting_url,
)


def test_private_postings_are_404_to_outsiders_and_200_to_their_organisation_and_admins(client, world):
    cases = [(posting_url(world.postings[kind, S.PUBLISHED]), everyone(200)) for kind in K]
    cases += [(posting_url(world.postings[kind, status]), PRIVATE) for kind in K for status in PRIVATE_STATUSES]
    # the right id under the wrong kind does not exist either
    cases.append((f"/postings/need/{world.postings[K.ACHIEVEMENT, S.PUBLISHED].id}", everyone(404)))

    assert check(client, world.users(), cases) == []


def test_only_the_owner_organisation_can_open_the_edit_form(client, world):
    owner_only = {**everyone(404), "anonymous": LOGIN, "same_member": 200, "org_admin": 200}
    cases = [
        (posting_url(world.postings[kind, status], "/edit"), owner_only)
        for kind in K
        for status in (S.DRAFT, S.REJECTED, S.PUBLISHED)
    ]
    assert check(client, world.users(), cases) == []


def test_attachments_are_exactly_as_visible_as_their_posting(client, world):
    cases = [(attachment_url(world.attachment), PRIVATE), (attachment_url(world.public_attachment), everyone(200))]
    wrong_posting = posting_url(world.postings[K.ACHIEVEMENT, S.PUBLISHED], f"/attachments/{world.attachment.id}")
    cases.append((wrong_posting, everyone(404)))  # a private file reached through a public posting's URL

    assert check(client, world.users(), cases) == []


def test_unverified_organisation_pages_are_404_to_everyone_but_their_members_and_admins(client, world):
    users = {**world.users(), "pending_admin": world.pending_admin}
    hidden = {"anonymous": 404, "other_member": 404, "org_admin": 404, "platform_admin": 200}
    cases = [
        (f"/orgs/{world.org_pending.id}", {**hidden, "pending_admin": 200}),
        (f"/orgs/{world.org_rejected.id}", {**hidden, "pending_admin": 404}),
        (f"/orgs/{world.org_a.id}", {"anonymous": 200, "other_member": 200, "pending_admin": 200}),
    ]
    assert check(client, users, cases) == []


def test_draft_lists_exist_only_for_platform_admins(client, world):
    draft, published = world.draft_list.id, world.published_list.id
    cases = [
        (f"/lists/{draft}", {**everyone(404), "platform_admin": 200}),
        (f"/lists/{draft}/download?format=csv", {**everyone(404), "platform_admin": 200}),
        (f"/lists/{draft}/manage", ADMIN_ONLY),
        (f"/lists/{published}", everyone(200)),
        (f"/lists/{published}/download?format=xlsx", everyone(200)),
    ]
    assert check(client, world.users(), cases) == []
    as_user(client, world.b_admin)
    assert "草稿清单" not in client.get("/lists/").text
    as_user(client, world.platform_admin)
    assert "草稿清单" in client.get("/lists/").text


def admin_pages() -> list[str]:
    """Every page under an /admin path (found in the URL map, so new ones are covered), and list creation."""
    return [r.rule for r in get_rules() if "/admin" in r.rule and not r.arguments] + ["/lists/new"]


def test_admin_pages_send_visitors_to_login_and_refuse_members_with_403(client, world):
    pages = admin_pages()
    assert len(pages) >= 7
    # the import preview sends an admin without an upload back to the upload page
    expected = {url: {**ADMIN_ONLY, "platform_admin": 302 if url.endswith("/preview") else 200} for url in pages}
    assert check(client, world.users(), expected.items()) == []


def test_my_organisation_pages_need_membership_and_editing_needs_the_org_admin_role(client, world):
    members = {"anonymous": LOGIN, "other_member": 200, "same_member": 200, "org_admin": 200, "platform_admin": 403}
    cases = [
        ("/orgs/mine", members),
        ("/orgs/mine/edit", {**members, "other_member": 302, "same_member": 302}),
        ("/postings/need/new", members),
    ]
    assert check(client, world.users(), cases) == []
    as_user(client, world.a_member)
    refused = client.get("/orgs/mine/edit", follow_redirects=True)
    assert "只有本机构管理员可以执行此操作" in refused.text


def test_another_organisations_dashboard_shows_nothing_of_ours(client, world):
    page = as_user(client, world.b_admin).get("/orgs/mine").text
    for leak in (world.invitation.email, world.a_member.email, world.tier.certificate_no or "", "稀土永磁"):
        if leak:
            assert leak not in page


def test_the_mine_view_of_a_list_shows_only_the_viewers_own_organisation(client, world):
    title = world.postings[K.NEED, S.DRAFT].title
    for viewer, shown in [(None, False), (world.b_member, False), (world.a_member, True), (world.platform_admin, True)]:
        page = as_user(client, viewer).get("/postings/need?status=draft").text
        assert (title in page) is shown, viewer
        csv_export = as_user(client, viewer).get("/postings/need?status=all&format=csv").data.decode("utf-8-sig")
        assert (title in csv_export) is shown, viewer
