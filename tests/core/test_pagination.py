"""Paging a list: the count shown is right whether the first page is short, exactly full or one of several
(a short first page is counted from its own rows, without a second query)."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.factories import PostingFactory


def shown(make_app, rows: int, per_page: int, page: int = 1) -> tuple[str, int, str | None]:
    """(the list's 共 N 条, cards on the page, the pager's 第 p/n 页 or None without a pager)."""
    app = make_app(PER_PAGE=per_page)
    with app.app_context():
        for i in range(rows):
            PostingFactory(title=f"分页成果{i}")
        db.session.commit()
        text = app.test_client().get("/postings/achievement", query_string={"page": page}).get_data(as_text=True)
    total = re.search(r"共 (\d+) 条", text).group(1)
    pager = re.search(r"第 (\d+/\d+) 页", text)
    return total, len(re.findall(r'class="text-break">分页成果', text)), pager.group(1) if pager else None


@pytest.mark.parametrize(
    ("rows", "per_page", "page", "expected"),
    [
        (0, 5, 1, ("0", 0, None)),
        (3, 5, 1, ("3", 3, None)),  # a short first page holds every row
        (4, 4, 1, ("4", 4, None)),  # exactly full: counted, one page
        (5, 4, 1, ("5", 4, "1/2")),
        (5, 4, 2, ("5", 1, "2/2")),
        (5, 4, 9, ("5", 1, "2/2")),  # past the end: the last page
    ],
)
def test_the_list_counts_its_rows_on_every_kind_of_page(make_app, rows, per_page, page, expected):
    assert shown(make_app, rows, per_page, page) == expected
