from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import PostingKind
from app.core.models import EnumText, TimestampMixin
from app.extensions import db


class CatalogList(TimestampMixin, db.Model):
    """An annual 清单, e.g. "2026年高校院所创新成果清单": a named, published batch of postings."""

    __tablename__ = "catalog_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    kind: Mapped[PostingKind] = mapped_column(EnumText(PostingKind), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    items = relationship(
        "CatalogListItem", cascade="all, delete-orphan", order_by="CatalogListItem.position", back_populates="catalog"
    )


class CatalogListItem(db.Model):
    __tablename__ = "catalog_list_items"

    list_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_lists.id", ondelete="CASCADE"), primary_key=True)
    posting_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(nullable=False, default=0)

    catalog = relationship("CatalogList", back_populates="items")
    posting = relationship("Posting")
