"""Pagination that never fails on a page number a user typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request

from app.extensions import db


def page_arg(name: str = "page") -> int:
    try:
        page = int(request.args.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), 100_000)


def paginate(select, per_page: int | None = None):
    """Paginate a select; a page past the end shows the last page instead of a 404."""
    per_page = per_page or current_app.config["PER_PAGE"]
    page = page_arg()
    pagination = _page(select, page, per_page)
    if page > 1 and not pagination.items and pagination.pages:
        pagination = _page(select, pagination.pages, per_page)
    return pagination


def _page(select, page: int, per_page: int):
    """One page. The rows are counted only when the page cannot tell: a first page that is not full holds them
    all, so a short list costs one query."""
    pagination = db.paginate(select, page=page, per_page=per_page, error_out=False, count=False)
    if page == 1 and len(pagination.items) < pagination.per_page:
        pagination.total = len(pagination.items)
    else:
        count = sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
        pagination.total = db.session.execute(count).scalar()
    return pagination
