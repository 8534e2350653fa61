"""Who may see and touch what: another organisation's private object is a 404, role-protected pages answer
403 (or send the anonymous visitor to the login page), and the owner gets a 200. POSTs on another
organisation's objects change nothing. Also: contact details never reach an outsider, every POST needs a CSRF
token, login/registration/reset are rate limited, and production cookies are secure.

The `World` built here (organisation A with every kind of private object, an outsider organisation B, a
platform admin) is shared with tests/test_robustness.py."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import current_app, g
from openpyxl import load_workbook
from werkzeug.security import generate_password_hash

from app.auth.services import make_reset_token
from app.core.enums import OrgRole, OrgType, PostingKind, PostingStatus, VerificationStatus
from app.core.models import utcnow
from app.extensions import db as _db
from app.lists.models import CatalogList, CatalogListItem
from app.matching.sync import drain_outbox
from app.organizations.models import Invitation
from app.organizations.services import hash_token
from app.postings.models import Attachment
from app.postings.services import touch_posting
from tests.conftest import login_as
from tests.factories import PASSWORD, AdminFactory, OrgFactory, PostingFactory, TierFactory, UserFactory

K = PostingKind
S = PostingStatus
PARAM = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?(\w+)>")  # a URL rule's <converter(args):name>
PRIVATE_STATUSES = (S.DRAFT, S.SUBMITTED, S.REJECTED, S.CLOSED)
PDF = b"%PDF-1.7\n%%EOF\n"

# Distinctive contact details: no page an outsider sees may contain any of them.
ORG_PHONE, ORG_EMAIL = "13911112222", "org-secret@leak.example.cn"
POSTING_PHONE, POSTING_EMAIL = "0471-6543210", "posting-secret@leak.example.cn"
USER_PHONE, USER_EMAIL_DOMAIN = "13733334444", "member.leak.example.cn"
SECRETS = (ORG_PHONE, ORG_EMAIL, POSTING_PHONE, "04716543210", POSTING_EMAIL, USER_PHONE, USER_EMAIL_DOMAIN)


@dataclass
class World:
    """Organisation A (the victim) with one posting of every kind in every status, an attachment, an
    invitation, a tier record; organisation B (the outsider); an unverified and a rejected organisation;
    a platform admin; a draft and a published annual list."""

    org_a: object
    a_admin: object
    a_member: object
    org_b: object
    b_admin: object
    b_member: object
    org_pending: object
    pending_admin: object
    org_rejected: object
    platform_admin: object
    postings: dict  # (kind, status) → Posting of organisation A
    attachment: object  # on A's draft achievement
    public_attachment: object  # on A's published achievement
    invitation: object
    invitation_token: str
    tier: object
    draft_list: object
    published_list: object

    def users(self) -> dict:
        return {
            "anonymous": None,
            "other_member": self.b_member,
            "other_admin": self.b_admin,
            "same_member": self.a_member,
            "org_admin": self.a_admin,
            "platform_admin": self.platform_admin,
        }


def _store_attachment(posting, name: str):
    root = Path(current_app.config["UPLOAD_DIR"]) / "attachments"
    root.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.pdf"
    (root / stored).write_bytes(PDF)
    item = Attachment(
        posting=posting, original_name=name, stored_name=stored, content_type="application/pdf", size_bytes=len(PDF)
    )
    _db.session.add(item)
    return item


def build_world(monkeypatch) -> World:
    # scrypt costs ~70 ms a user; these tests are about access, not password storage.
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )
    org_a = OrgFactory(contact_phone=ORG_PHONE, contact_email=ORG_EMAIL, org_type=OrgType.SME)
    a_admin = UserFactory(org=org_a, email=f"a-admin@{USER_EMAIL_DOMAIN}", phone=USER_PHONE)
    a_member = UserFactory(org=org_a, org_role=OrgRole.MEMBER, email=f"a-member@{USER_EMAIL_DOMAIN}")
    org_b = OrgFactory()
    b_admin = UserFactory(org=org_b)
    b_member = UserFactory(org=org_b, org_role=OrgRole.MEMBER)
    org_pending = OrgFactory(verification=VerificationStatus.PENDING, contact_phone=ORG_PHONE)
    pending_admin = UserFactory(org=org_pending)
    org_rejected = OrgFactory(verification=VerificationStatus.REJECTED, contact_phone=ORG_PHONE)
    platform_admin = AdminFactory()

    postings = {}
    for kind in K:
        for status in (S.PUBLISHED, *PRIVATE_STATUSES):
            postings[kind, status] = PostingFactory(
                kind=kind,
                org=org_a,
                status=status,
                title=f"{kind.label}·{status.label}·稀土永磁",
                contact_phone=POSTING_PHONE,
                contact_email=POSTING_EMAIL,
                published_at=utcnow() if status == S.PUBLISHED else None,
                submitted_at=utcnow() if status == S.SUBMITTED else None,
                reject_reason="请补充材料" if status == S.REJECTED else None,
            )
    attachment = _store_attachment(postings[K.ACHIEVEMENT, S.DRAFT], "内部材料.pdf")
    public_attachment = _store_attachment(postings[K.ACHIEVEMENT, S.PUBLISHED], "公开材料.pdf")

    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        org=org_a,
        email="invitee@example.cn",
        role=OrgRole.MEMBER,
        token_hash=hash_token(token),
        invited_by_id=None,
        expires_at=utcnow() + timedelta(days=7),
    )
    _db.session.add(invitation)
    tier = TierFactory(org=org_a)
    draft_list = CatalogList(title="草稿清单", kind=K.ACHIEVEMENT, year=2025)
    published_list = CatalogList(title="2025年创新成果清单", kind=K.ACHIEVEMENT, year=2025, published_at=utcnow())
    _db.session.add_all([draft_list, published_list])
    _db.session.flush()
    for n, catalog in enumerate((draft_list, published_list)):
        _db.session.add(
            CatalogListItem(list_id=catalog.id, posting_id=postings[K.ACHIEVEMENT, S.PUBLISHED].id, position=n)
        )
    _db.session.commit()
    return World(
        org_a=org_a,
        a_admin=a_admin,
        a_member=a_member,
        org_b=org_b,
        b_admin=b_admin,
        b_member=b_member,
        org_pending=org_pending,
        pending_admin=pending_admin,
        org_rejected=org_rejected,
        platform_admin=platform_admin,
        postings=postings,
        attachment=attachment,
        public_attachment=public_attachment,
        invitation=invitation,
        invitation_token=token,
        tier=tier,
        draft_list=draft_list,
        published_list=published_list,
    )


@pytest.fixture
def world(db, monkeypatch) -> World:
    return build_world(monkeypatch)


def snapshot(db) -> dict:
    """Every committed row of every table: compared before and after a request that must change nothing."""
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(row) for row in rows]
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def as_user(client, user):
    """The client signed in as `user`, or signed out for None."""
    with client.session_transaction() as sess:
        sess.clear()
    if user is not None:
        login_as(client, user)
    return client


def contexts(world: World) -> list[dict]:
    """Consistent values for every URL argument: one public set, one private set of organisation A."""
    public = world.postings[K.ACHIEVEMENT, S.PUBLISHED]
    draft = world.postings[K.ACHIEVEMENT, S.DRAFT]
    submitted = world.postings[K.NEED, S.SUBMITTED]
    common = {"user_id": world.a_member.id, "invitation_id": world.invitation.id, "record_id": world.tier.id}
    return [
        {
            **common,
            "kind": public.kind.value,
            "posting_id": public.id,
            "attachment_id": world.public_attachment.id,
            "org_id": world.org_a.id,
            "list_id": world.published_list.id,
            "token": world.invitation_token,
            "filename": "css/bootstrap.min.css",
        },
        {
            **common,
            "kind": draft.kind.value,
            "posting_id": draft.id,
            "attachment_id": world.attachment.id,
            "org_id": world.org_pending.id,
            "list_id": world.draft_list.id,
            "token": make_reset_token(world.a_member),
            "filename": "app.css",
        },
        {**common, "kind": submitted.kind.value, "posting_id": submitted.id, "attachment_id": 1, "org_id": 1},
    ]


def _placeholder(m: re.Match, values: dict) -> str:
    converter, args, name = m.groups()
    # an <any(a, b):name> part only matches one of its words; every other part gets "1" unless given
    default = args.split(",")[0].strip() if converter == "any" else "1"
    return quote(str(values.get(name, default)), safe="/")


def build_url(rule, values: dict) -> str:
    return PARAM.sub(lambda m: _placeholder(m, values), rule.rule)


LOGIN = "login"  # a 302 to the login page


def outcome(resp):
    """The status code, or LOGIN for a redirect to the login page."""
    if resp.status_code == 302 and "/auth/login" in resp.headers.get("Location", ""):
        return LOGIN
    return resp.status_code


def check(client, users: dict, cases) -> list[str]:
    """cases: (url, {viewer: expected}); a line for every GET whose answer was not the expected one."""
    wrong = []
    for url, expected in cases:
        for viewer, want in expected.items():
            got = outcome(as_user(client, users[viewer]).get(url))
            if got != want:
                wrong.append(f"{viewer} GET {url}: expected {want}, got {got}")
    return wrong


def everyone(answer) -> dict:
    return dict.fromkeys(
        ("anonymous", "other_member", "other_admin", "same_member", "org_admin", "platform_admin"), answer
    )


PRIVATE = {**everyone(404), "same_member": 200, "org_admin": 200, "platform_admin": 200}
MEMBERS_403 = {"other_member": 403, "other_admin": 403, "same_member": 403, "org_admin": 403}
ADMIN_ONLY = {"anonymous": LOGIN, **MEMBERS_403, "platform_admin": 200}


def posting_url(posting, suffix: str = "") -> str:
    return f"/postings/{posting.kind.value}/{posting.id}{suffix}"


def attachment_url(item) -> str:
    return posting_url(item.posting, f"/attachments/{item.id}")


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


# --- POSTs on another organisation's objects -----------------------------------------------------


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


# --- contact privacy --------------------------------------------------------------------------------------


def readable_text(resp) -> str:
    """What a response shows: a page's HTML, a CSV's text, or every cell of a workbook."""
    if resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        workbook = load_workbook(io.BytesIO(resp.data), read_only=True)
        return "\n".join(str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    if resp.mimetype.startswith("text/") or resp.mimetype == "application/json":
        return resp.get_data(as_text=True)
    return ""


def get_rules() -> list:
    return sorted((r for r in current_app.url_map.iter_rules() if "GET" in r.methods), key=lambda r: r.rule)


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
    drain_outbox()
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


# --- CSRF -------------------------------------------------------------------------------------------------

# A body that would succeed on most POST routes, so a missing token is the only reason to refuse it.
PLAUSIBLE = {
    "email": "new-colleague@example.cn",
    "password": "grassland-2025",
    "role": "admin",
    "reason": "材料不全",
    "ids": ["1", "2"],
    "org_id": ["1", "2", "3"],
    "title": "新清单",
    "kind": "achievement",
    "year": "2025",
    "tier": "innovative",
}


def post_rules() -> list:
    return sorted((r for r in current_app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule)


def test_every_post_route_without_a_csrf_token_is_400_in_chinese_and_changes_nothing(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = build_world(monkeypatch)
        client = app.test_client()
        before = snapshot(_db)
        wrong = []
        for rule in post_rules():
            for user, ctx in [(world.a_admin, contexts(world)[1]), (world.platform_admin, contexts(world)[0])]:
                url = build_url(rule, ctx)
                resp = as_user(client, user).post(url, data=PLAUSIBLE)
                if resp.status_code != 400 or "页面已过期或缺少安全校验（CSRF）" not in resp.text:
                    wrong.append(f"POST {url}: {resp.status_code}")
        assert wrong == []
        assert changed_tables(before, snapshot(_db)) == []


class FormParser(HTMLParser):
    """Collects each <form>: its method, action and the names and values of its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "inputs": {}}
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"][attrs["name"]] = attrs.get("value") or ""


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


def test_every_rendered_post_form_carries_a_csrf_token_that_is_accepted(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = build_world(monkeypatch)
        client = app.test_client()
        forms, missing = 0, []
        for user in (None, world.a_admin, world.platform_admin):
            for url in sorted({build_url(rule, ctx) for rule in get_rules() for ctx in contexts(world)[:2]}):
                resp = as_user(client, user).get(url)
                if resp.status_code != 200 or resp.mimetype != "text/html":
                    continue
                for form in post_forms(resp.text):
                    forms += 1
                    if not form["inputs"].get("csrf_token"):
                        missing.append(f"{user} {url}: form → {form['action']}")
        assert missing == []
        assert forms > 30
        g.pop("csrf_token", None)  # this test's one app context keeps `g` across requests; a new visitor has none
        token = post_forms(as_user(client, None).get("/auth/login").text)[0]["inputs"]["csrf_token"]
        resp = client.post(
            "/auth/login", data={"csrf_token": token, "email": world.a_admin.email, "password": PASSWORD}
        )
        assert resp.status_code == 302


def test_every_post_form_in_the_templates_includes_a_csrf_token():
    templates = Path(__file__).resolve().parent.parent / "templates"
    missing = []
    for path in sorted(templates.rglob("*.html")):
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", path.read_text(), re.S | re.I):
            if "csrf_token()" not in form and "hidden_tag()" not in form:
                missing.append(f"{path.relative_to(templates)}: {form[:80]}")
    assert missing == []


# --- rate limits and cookies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, setting",
    [
        ("/auth/login", "LOGIN_RATE_LIMIT"),
        ("/auth/register", "REGISTER_RATE_LIMIT"),
        ("/auth/reset", "LOGIN_RATE_LIMIT"),
    ],
)
def test_login_registration_and_reset_posts_get_a_chinese_429_after_the_configured_limit(make_app, url, setting):
    app = make_app(RATELIMIT_ENABLED=True, **{setting: "3 per minute"})
    client = app.test_client()
    body = {"email": "someone@example.cn", "password": "wrong-password-1"}
    for _ in range(3):
        assert client.post(url, data=body).status_code < 429
    limited = client.post(url, data=body)
    assert limited.status_code == 429
    assert "操作过于频繁" in limited.text and "请稍等片刻再试" in limited.text
    assert client.get(url).status_code == 200  # reading the page is not limited
    other_client = client.post(url, data=body, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_client.status_code < 429  # the limit is per client address


def test_in_production_the_session_cookie_is_sent_secure_http_only_and_same_site(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = make_app()

    cookie = app.test_client().get("/auth/login").headers["Set-Cookie"]  # the CSRF token lives in the session

    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
