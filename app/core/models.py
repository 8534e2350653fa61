"""Model mixins and the audit trail shared by every feature."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.enums import HistoryAction, HistoryKind, LabelledEnum
from app.core.industries import industry_name
from app.core.regions import region_name
from app.extensions import db


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class StoredFileMixin:
    """An uploaded file kept on disk under a random `stored_name`, served under its `original_name`: posting
    attachments, docking documents and business licences alike (filled from app.core.uploads.StoredUpload.columns)."""

    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


class PlaceNamesMixin:
    """Chinese names for a model's `region` (盟市) and `industry` (GB/T 4754) code columns."""

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def industry_name(self) -> str:
        return industry_name(self.industry)


class EnumText(sa.types.TypeDecorator):
    """Stores a LabelledEnum as its short code (plain VARCHAR, same on every database)."""

    impl = sa.String(30)
    cache_ok = True

    def __init__(self, enum_cls, length: int = 30):
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.enum_cls(value)


def add_once(row, form_token: str | None):
    """Add and flush a new row carrying its form's token (a unique `form_token` column on its model): two
    copies of one form sent at the same moment make one row. Returns None when this row went in; when the
    other copy's row won the unique token, rolls the transaction back and returns that first row. Any other
    integrity error is raised."""
    model = type(row)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        first = db.session.scalar(sa.select(model).where(model.form_token == form_token)) if form_token else None
        if first is None:
            raise
        return first
    return None


class StatusChange(db.Model):
    """Who moved what from which status to which, or did what to it (`kind`), when and why. Written in the
    same transaction as the change itself."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    entity_id: Mapped[int] = mapped_column(nullable=False)
    kind: Mapped[HistoryKind] = mapped_column(EnumText(HistoryKind), default=HistoryKind.STATUS, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(sa.String(30))
    to_status: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # the action's code for an action
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    actor = db.relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_status_changes_entity", "entity_type", "entity_id"),)

    def label(self, statuses: type[LabelledEnum]) -> str:
        """The row in Chinese, by its kind: an action by its HistoryAction label, a status change by the label
        in the entity's own status enum (`statuses`); a code neither knows is shown as it is."""
        names = HistoryAction if self.kind == HistoryKind.ACTION else statuses
        member = names.from_any(self.to_status)
        return member.label if member else self.to_status


def record_change(entity_type: str, entity_id: int, from_status, to_status, actor=None, reason=None) -> StatusChange:
    """A move of the entity from one of its statuses to another."""
    return _record(entity_type, entity_id, HistoryKind.STATUS, from_status, to_status, actor, reason)


def record_action(entity_type: str, entity_id: int, action: HistoryAction, actor=None, detail=None) -> StatusChange:
    """Something done to the entity that leaves its status as it was (booths created, a judge assigned…)."""
    return _record(entity_type, entity_id, HistoryKind.ACTION, None, HistoryAction(action), actor, detail)


def _record(entity_type, entity_id, kind, from_status, to_status, actor, reason) -> StatusChange:
    change = StatusChange(
        entity_type=entity_type,
        entity_id=entity_id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        from_status=str(from_status) if from_status is not None else None,
        to_status=str(to_status),
        reason=reason or None,
    )
    db.session.add(change)
    return change


def history_for(entity_type: str, entity_id: int) -> list[StatusChange]:
    return db.session.scalars(
        sa.select(StatusChange)
        .where(StatusChange.entity_type == entity_type, StatusChange.entity_id == entity_id)
        .order_by(StatusChange.at, StatusChange.id)
    ).all()


def render_migration_item(type_, obj, autogen_context):
    """Alembic hook: write EnumText columns as plain strings so migrations don't import app code."""
    if type_ == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl.length})"
    return False
