"""Annual lists (清单): a named batch of published postings of one kind, published as a whole.

A published list is a historical record: its items no longer change, and a posting closed later
stays in it, marked. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.core.clock import to_utc
from app.core.enums import OrgType, PostingKind, PostingStatus
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.extensions import db
from app.lists.models import CatalogList, CatalogListItem
from app.organizations.models import Organization
from app.postings.models import Posting
from app.postings.schema import FIELD_LABELS


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_platform_admin", False))


def visible_lists(user) -> list[CatalogList]:
    """Published lists for everyone; drafts too for platform admins."""
    query = sa.select(CatalogList).order_by(CatalogList.year.desc(), CatalogList.id.desc())
    if not _is_admin(user):
        query = query.where(CatalogList.published_at.is_not(None))
    return list(db.session.scalars(query))


def item_counts(lists: list[CatalogList]) -> dict[int, int]:
    if not lists:
        return {}
    rows = db.session.execute(
        sa.select(CatalogListItem.list_id, sa.func.count())
        .where(CatalogListItem.list_id.in_([c.id for c in lists]))
        .group_by(CatalogListItem.list_id)
    )
    return dict(rows.all())


def get_list(list_id: int, user) -> CatalogList:
    """A draft list does not exist for anyone but platform admins."""
    catalog = db.session.get(CatalogList, list_id)
    if catalog is None or (catalog.published_at is None and not _is_admin(user)):
        raise NotFound("清单不存在或尚未发布")
    return catalog


def create_list(title: str, kind: PostingKind, year: int, description: str | None, actor) -> CatalogList:
    """List titles are unique: "2026年高校院所创新成果清单" exists once."""
    title = title.strip()
    if db.session.scalar(sa.select(CatalogList.id).where(CatalogList.title == title)):
        raise ValidationFailed(f"已有名为“{title}”的清单，请换一个名称")
    catalog = CatalogList(
        title=title,
        kind=PostingKind(kind),
        year=year,
        description=(description or "").strip() or None,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(catalog)
    db.session.flush()
    return catalog


def _ensure_draft(catalog: CatalogList) -> None:
    if catalog.published_at is not None:
        raise InvalidTransition("清单已发布，内容不能再修改")


@dataclass
class ListFilter:
    year: int | None = None  # the year a posting was published, Beijing time
    industry: str | None = None  # 门类 ("C") or 大类 ("C39")
    region: str | None = None
    org_types: list[OrgType] = field(default_factory=list)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return to_utc(datetime(year, 1, 1)), to_utc(datetime(year + 1, 1, 1))


def add_matching_postings(catalog: CatalogList, wanted: ListFilter) -> int:
    """Append every published posting of the list's kind that fits the filter and is not in it yet."""
    _ensure_draft(catalog)
    query = (
        sa.select(Posting.id)
        .join(Organization, Organization.id == Posting.org_id)
        .where(Posting.kind == catalog.kind, Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.published_at, Posting.id)
    )
    if wanted.year:
        start, end = _year_bounds(wanted.year)
        query = query.where(Posting.published_at >= start, Posting.published_at < end)
    if wanted.industry:
        column = Posting.industry
        query = query.where(
            column.startswith(wanted.industry) if len(wanted.industry) == 1 else column == wanted.industry
        )
    if wanted.region:
        query = query.where(Posting.region == wanted.region)
    if wanted.org_types:
        query = query.where(Organization.org_type.in_(wanted.org_types))
    have = {item.posting_id for item in catalog.items}
    new_ids = [posting_id for posting_id in db.session.scalars(query) if posting_id not in have]
    start = max((item.position for item in catalog.items), default=0) + 1
    catalog.items.extend(CatalogListItem(posting_id=pid, position=start + n) for n, pid in enumerate(new_ids))
    db.session.flush()
    return len(new_ids)


def remove_posting(catalog: CatalogList, posting_id: int) -> None:
    _ensure_draft(catalog)
    item = next((item for item in catalog.items if item.posting_id == posting_id), None)
    if item is None:
        raise NotFound("该信息不在清单中")
    catalog.items.remove(item)
    db.session.flush()


def publish_list(catalog: CatalogList, actor) -> None:
    """Publishing fixes the list: from now on it is public and its items stay as they are."""
    _ensure_draft(catalog)
    if not catalog.items:
        raise ValidationFailed("清单中还没有条目，请先按条件加入信息")
    catalog.published_at = utcnow()
    record_change("catalog_list", catalog.id, "draft", "published", actor)
    db.session.flush()


def delete_list(catalog: CatalogList) -> None:
    _ensure_draft(catalog)
    db.session.delete(catalog)
    db.session.flush()


# ---------------------------------------------------------------- rows for the page and the downloads


def _join(items) -> str:
    return "、".join(str(i) for i in items)


def _amount(value) -> str:
    return "" if value is None else f"{value:f}".rstrip("0").rstrip(".")


def _date(value) -> str:
    return value.isoformat() if value else ""


KEY_COLUMNS: dict[PostingKind, list[tuple[str, Callable[[Posting], object]]]] = {
    PostingKind.ACHIEVEMENT: [
        (FIELD_LABELS["trl"], lambda p: p.trl or ""),
        (FIELD_LABELS["cooperation"], lambda p: _join(m.label for m in p.cooperation)),
        (FIELD_LABELS["year"], lambda p: p.year or ""),
    ],
    PostingKind.NEED: [
        (FIELD_LABELS["budget_wan"], lambda p: _amount(p.budget_wan)),
        (FIELD_LABELS["deadline"], lambda p: _date(p.deadline)),
        (FIELD_LABELS["challenge"], lambda p: "是" if p.challenge else "否"),
    ],
    PostingKind.PROCUREMENT: [
        (FIELD_LABELS["quantity"], lambda p: p.quantity or ""),
        (FIELD_LABELS["deadline"], lambda p: _date(p.deadline)),
    ],
    PostingKind.CAPABILITY: [
        (FIELD_LABELS["certifications"], lambda p: _join(p.certifications)),
        (FIELD_LABELS["tier"], lambda p: p.tier.label if p.tier else ""),
    ],
}
LEADING_HEADERS = ["序号", "标题", "机构", "所属行业", "所在地区"]
STATUS_HEADER = "备注"


@dataclass
class ListRow:
    number: int
    posting: Posting
    industry: str
    cells: list
    note: str  # empty while the posting is still published; its status otherwise

    @property
    def is_public(self) -> bool:
        return not self.note


def key_headers(catalog: CatalogList) -> list[str]:
    return [header for header, _ in KEY_COLUMNS[catalog.kind]]


def list_rows(catalog: CatalogList) -> list[ListRow]:
    rows = []
    for number, item in enumerate(catalog.items, start=1):
        posting = item.posting
        industry = f"{posting.industry} {posting.industry_name}".strip() if posting.industry else ""
        note = "" if posting.status == PostingStatus.PUBLISHED else f"已下线（{posting.status.label}）"
        cells = [getter(posting) for _, getter in KEY_COLUMNS[catalog.kind]]
        rows.append(ListRow(number, posting, industry, cells, note))
    return rows


def list_table(catalog: CatalogList) -> tuple[list[str], list[list]]:
    """Exactly the rows of the public page, for the .xlsx and .csv downloads."""
    headers = [*LEADING_HEADERS, *key_headers(catalog), STATUS_HEADER]
    rows = [
        [
            row.number,
            row.posting.title,
            row.posting.org.name,
            row.industry,
            row.posting.region_name,
            *row.cells,
            row.note,
        ]
        for row in list_rows(catalog)
    ]
    return headers, rows
