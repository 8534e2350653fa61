"""The world the access and robustness tests share: organisation A with every kind of private object, an
outsider organisation B, a platform admin; and the helpers that build URLs for every route and compare the
database before and after a request that must change nothing."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app
from openpyxl import load_workbook
from werkzeug.security import generate_password_hash

from app.auth.services import make_reset_token
from app.core.enums import OrgRole, OrgType, PostingKind, PostingStatus, VerificationStatus
from app.core.models import utcnow
from app.extensions import db as _db
from app.lists.models import CatalogList, CatalogListItem
from app.organizations.models import Invitation
from app.organizations.services import hash_token
from app.postings.models import Attachment
from tests.conftest import as_user
from tests.factories import AdminFactory, OrgFactory, PostingFactory, TierFactory, UserFactory

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

    postings = _postings_of_every_kind_and_status(org_a)
    attachment = _store_attachment(postings[K.ACHIEVEMENT, S.DRAFT], "内部材料.pdf")
    public_attachment = _store_attachment(postings[K.ACHIEVEMENT, S.PUBLISHED], "公开材料.pdf")

    invitation, token = _open_invitation(org_a)
    tier = TierFactory(org=org_a)
    draft_list, published_list = _annual_lists(postings[K.ACHIEVEMENT, S.PUBLISHED])
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


def _postings_of_every_kind_and_status(org) -> dict:
    """(kind, status) → a posting of `org` carrying the secret contact details."""
    postings = {}
    for kind in K:
        for status in (S.PUBLISHED, *PRIVATE_STATUSES):
            postings[kind, status] = PostingFactory(
                kind=kind,
                org=org,
                status=status,
                title=f"{kind.label}·{status.label}·稀土永磁",
                contact_phone=POSTING_PHONE,
                contact_email=POSTING_EMAIL,
                published_at=utcnow() if status == S.PUBLISHED else None,
                submitted_at=utcnow() if status == S.SUBMITTED else None,
                reject_reason="请补充材料" if status == S.REJECTED else None,
            )
    return postings


def _open_invitation(org) -> tuple[Invitation, str]:
    """A pending invitation to `org`, and the token its e-mail link carries."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        org=org,
        email="invitee@example.cn",
        role=OrgRole.MEMBER,
        token_hash=hash_token(token),
        invited_by_id=None,
        expires_at=utcnow() + timedelta(days=7),
    )
    _db.session.add(invitation)
    return invitation, token


def _annual_lists(posting) -> tuple[CatalogList, CatalogList]:
    """A draft and a published annual list, both listing `posting`."""
    draft_list = CatalogList(title="草稿清单", kind=K.ACHIEVEMENT, year=2025)
    published_list = CatalogList(title="2025年创新成果清单", kind=K.ACHIEVEMENT, year=2025, published_at=utcnow())
    _db.session.add_all([draft_list, published_list])
    _db.session.flush()
    for n, catalog in enumerate((draft_list, published_list)):
        _db.session.add(CatalogListItem(list_id=catalog.id, posting_id=posting.id, position=n))
    return draft_list, published_list


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
