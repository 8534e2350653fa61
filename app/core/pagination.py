"""Pagination that never fails on a page number a user typed."""

from __future__ import annotations

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
    pagination = db.paginate(select, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items and pagination.pages:
        pagination = db.paginate(select, page=pagination.pages, per_page=per_page, error_out=False)
    return pagination
