"""POSTs on another organisation's objects are a 404 and change nothing; role-protected actions need the role."""

from __future__ import annotations

from tests.conftest import as_user
from tests.web.world import (
    LOGIN,
    K,
    S,
    World,
    attachment_url,
    changed_tables,
    outcome,
    posting_url,
    snapshot,
)


def owner_actions(world: World) -> list[tuple[str, dict]]:
    """Every owner action on every one of A's postings it applies to, with a plausible body."""
    p = world.postings
    actions = []
    for kind in K:
        body = {
            "title": "被篡改的标题",
            "keywords": "篡改",
            "industry": "C39",
            "region": "150100",
            "summary": "x",
            "description": "x",
            "trl": "5",
            "action": "submit",
        }
        actions += [(posting_url(p[kind, s], "/edit"), body) for s in (S.DRAFT, S.REJECTED, S.PUBLISHED)]
        actions += [(posting_url(p[kind, S.DRAFT], "/submit"), {}), (posting_url(p[kind, S.REJECTED], "/submit"), {})]
        actions += [(posting_url(p[kind, S.SUBMITTED], "/withdraw"), {})]
        actions += [(posting_url(p[kind, S.PUBLISHED], "/close"), {})]
        actions += [(posting_url(p[kind, S.CLOSED], "/reopen"), {})]
    actions.append((attachment_url(world.attachment) + "/delete", {}))
    return actions


def test_owner_actions_on_another_organisations_posting_are_404_and_change_nothing(client, db, world):
    before = snapshot(db)
    wrong = []
    for viewer in (world.b_admin, world.b_member, world.platform_admin):
        for url, body in owner_actions(world):
            resp = as_user(client, viewer).post(url, data=body)
            if resp.status_code != 404:
                wrong.append(f"{viewer.email} POST {url}: {resp.status_code}")
    for url, _ in owner_actions(world):
        if outcome(as_user(client, None).post(url)) != LOGIN:
            wrong.append(f"anonymous POST {url} was not sent to login")
    assert wrong == []
    assert changed_tables(before, snapshot(db)) == []


def org_admin_actions(world: World) -> list[tuple[str, dict]]:
    return [
        (f"/orgs/mine/members/{world.a_member.id}/remove", {}),
        (f"/orgs/mine/members/{world.a_member.id}/role", {"role": "admin"}),
        (f"/orgs/mine/members/{world.a_admin.id}/role", {"role": "member"}),
        (f"/orgs/mine/invitations/{world.invitation.id}/revoke", {}),
        (f"/orgs/mine/tiers/{world.tier.id}/delete", {}),
    ]


def test_org_admin_actions_on_another_organisations_members_tiers_and_invitations_are_404(client, db, world):
    before = snapshot(db)
    wrong = []
    for url, body in org_admin_actions(world):
        resp = as_user(client, world.b_admin).post(url, data=body)
        if resp.status_code != 404:
            wrong.append(f"other org admin POST {url}: {resp.status_code}")
    assert wrong == []
    assert changed_tables(before, snapshot(db)) == []


def test_members_who_are_not_org_admins_cannot_manage_their_organisation(client, db, world):
    before = snapshot(db)
    actions = [
        *org_admin_actions(world),
        ("/orgs/mine/invitations", {"email": "new-colleague@example.cn"}),
        ("/orgs/mine/tiers", {"tier": "innovative", "year": "2024"}),
        ("/orgs/mine/edit", {"name": "改名后的机构"}),
    ]
    for url, body in actions:
        resp = as_user(client, world.a_member).post(url, data=body, follow_redirects=True)
        assert resp.status_code in (403, 422) or "只有本机构管理员可以执行此操作" in resp.text, url
    assert changed_tables(before, snapshot(db)) == []


def platform_actions(world: World) -> list[tuple[str, dict]]:
    submitted = world.postings[K.NEED, S.SUBMITTED]
    return [
        (posting_url(submitted, "/approve"), {}),
        (posting_url(submitted, "/reject"), {"reason": "不合格"}),
        ("/postings/admin/moderation/approve", {"ids": [str(submitted.id)]}),
        (f"/orgs/admin/{world.org_pending.id}/verify", {}),
        (f"/orgs/admin/{world.org_pending.id}/reject", {"reason": "材料不全"}),
        ("/orgs/admin/verification/bulk", {"org_id": [str(world.org_pending.id)]}),
        ("/lists/new", {"title": "新清单", "kind": "achievement", "year": "2025"}),
        (f"/lists/{world.draft_list.id}/add", {}),
        (f"/lists/{world.draft_list.id}/publish", {}),
        (f"/lists/{world.draft_list.id}/delete", {}),
        (f"/lists/{world.draft_list.id}/items/{world.postings[K.ACHIEVEMENT, S.PUBLISHED].id}/remove", {}),
        ("/admin/import/cancel", {}),
        ("/admin/import/confirm", {"publish": "y"}),
    ]


def test_moderation_verification_lists_and_import_need_a_platform_admin(client, db, world):
    before = snapshot(db)
    users = world.users()
    wrong = []
    for viewer in ("anonymous", "other_member", "same_member", "org_admin"):
        want = LOGIN if viewer == "anonymous" else 403
        for url, body in platform_actions(world):
            got = outcome(as_user(client, users[viewer]).post(url, data=body))
            if got != want:
                wrong.append(f"{viewer} POST {url}: expected {want}, got {got}")
    assert wrong == []
    assert changed_tables(before, snapshot(db)) == []
