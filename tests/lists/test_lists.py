"""Rules of the annual lists (清单)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.enums import OrgType, PostingKind, PostingStatus
from app.core.errors import InvalidTransition, ValidationFailed
from app.lists.models import CatalogList
from app.lists.services import ListFilter, add_matching_postings, create_list, publish_list
from tests.factories import AdminFactory, OrgFactory, PostingFactory, UserFactory

TITLE = "2026年高校院所创新成果清单"


def in_2026(**fields):
    return PostingFactory(published_at=datetime(2026, 3, 1), **fields)


@pytest.fixture
def admin(db):
    user = AdminFactory()
    db.session.commit()
    return user


@pytest.fixture
def catalog(db, admin):
    """A draft achievements list for 2026."""
    catalog = create_list(TITLE, PostingKind.ACHIEVEMENT, 2026, "自治区科技厅发布", admin)
    db.session.commit()
    return catalog


def published_list(db, admin, postings) -> CatalogList:
    catalog = create_list(TITLE, PostingKind.ACHIEVEMENT, 2026, None, admin)
    add_matching_postings(catalog, ListFilter())
    publish_list(catalog, admin)
    db.session.commit()
    return catalog


def test_admin_creates_a_list(client, db, login, admin):
    login(admin)

    response = client.post("/lists/new", data={"title": TITLE, "kind": "achievement", "year": "2026"})

    catalog = db.session.scalar(sa.select(CatalogList))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lists/{catalog.id}/manage")
    assert (catalog.title, catalog.kind, catalog.year, catalog.published_at) == (
        TITLE,
        PostingKind.ACHIEVEMENT,
        2026,
        None,
    )


def test_list_titles_are_unique(db, admin, catalog):
    with pytest.raises(ValidationFailed, match="已有名为"):
        create_list(TITLE, PostingKind.NEED, 2026, None, admin)


def test_non_admin_cannot_create_or_manage_lists(client, db, login, catalog):
    login(UserFactory())
    db.session.commit()

    assert client.get("/lists/new").status_code == 403
    assert client.get(f"/lists/{catalog.id}/manage").status_code == 403
    assert client.post(f"/lists/{catalog.id}/publish").status_code == 403


def test_all_published_of_the_kind_in_the_year_are_added(db, catalog):
    wanted = in_2026()
    in_2026(kind=PostingKind.NEED)
    in_2026(status=PostingStatus.DRAFT)
    PostingFactory(published_at=datetime(2025, 6, 1))
    PostingFactory(published_at=datetime(2025, 12, 31, 17))  # 2026-01-01 01:00 in Beijing

    added = add_matching_postings(catalog, ListFilter(year=2026))

    assert added == 2
    assert wanted.id in {item.posting_id for item in catalog.items}


@pytest.mark.parametrize(
    "wanted, fields",
    [
        (ListFilter(industry="C32"), {"industry": "C32"}),
        (ListFilter(industry="C"), {"industry": "C39"}),
        (ListFilter(region="150600"), {"region": "150600"}),
        (ListFilter(org_types=[OrgType.UNIVERSITY, OrgType.INSTITUTE]), {"org": OrgType.INSTITUTE}),
    ],
)
def test_filters_narrow_what_is_added(db, catalog, wanted, fields):
    if "org" in fields:
        fields = {"org": OrgFactory(org_type=fields["org"])}
    match = in_2026(**fields)
    in_2026(industry="A03", region="150100", org=OrgFactory(org_type=OrgType.SME))

    add_matching_postings(catalog, wanted)

    assert [item.posting_id for item in catalog.items] == [match.id]


def test_adding_twice_does_not_duplicate(db, catalog):
    in_2026()
    add_matching_postings(catalog, ListFilter())

    assert add_matching_postings(catalog, ListFilter()) == 0
    assert len(catalog.items) == 1


def test_admin_adds_by_filter_and_removes_by_hand(client, db, login, admin, catalog):
    keep, drop = in_2026(), in_2026()
    db.session.commit()
    login(admin)

    client.post(f"/lists/{catalog.id}/add", data={"year": "2026", "industry": "", "region": ""})
    client.post(f"/lists/{catalog.id}/items/{drop.id}/remove")

    db.session.expire_all()
    assert [item.posting_id for item in catalog.items] == [keep.id]


def test_publishing_makes_the_list_public(client, db, login, admin, catalog):
    in_2026()
    add_matching_postings(catalog, ListFilter())
    db.session.commit()
    login(admin)

    client.post(f"/lists/{catalog.id}/publish")

    db.session.expire_all()
    assert catalog.published_at is not None


def test_an_empty_list_cannot_be_published(db, admin, catalog):
    with pytest.raises(ValidationFailed, match="还没有条目"):
        publish_list(catalog, admin)


def test_a_published_list_no_longer_changes(db, admin):
    catalog = published_list(db, admin, [in_2026()])
    in_2026()

    with pytest.raises(InvalidTransition):
        add_matching_postings(catalog, ListFilter())


def test_public_page_lists_the_rows_with_links_and_key_fields(client, db, admin):
    posting = in_2026(title="稀土永磁电机技术", trl=7, year=2025, region="150200", industry="C32")
    catalog = published_list(db, admin, [posting])

    page = client.get(f"/lists/{catalog.id}").get_data(as_text=True)

    assert TITLE in page
    assert f'href="/postings/achievement/{posting.id}"' in page
    assert "稀土永磁电机技术" in page and posting.org.name in page and "包头市" in page
    assert "技术成熟度(TRL)" in page and "<td>7</td>" in page and "<td>2025</td>" in page


def test_xlsx_download_has_exactly_the_rows_of_the_page(client, db, admin):
    first, second = in_2026(title="甲技术", trl=5), in_2026(title="乙技术", trl=8)
    catalog = published_list(db, admin, [first, second])

    response = client.get(f"/lists/{catalog.id}/download?format=xlsx")

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "标题",
        "机构",
        "所属行业",
        "所在地区",
        "技术成熟度(TRL)",
        "合作方式",
        "成果年份",
        "备注",
    )
    assert [(r[0], r[1], r[2], r[5]) for r in rows[1:]] == [
        (1, "甲技术", first.org.name, 5),
        (2, "乙技术", second.org.name, 8),
    ]


def test_csv_download_has_the_same_rows(client, db, admin):
    catalog = published_list(db, admin, [in_2026(title="甲技术")])

    response = client.get(f"/lists/{catalog.id}/download?format=csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[:2] for row in rows] == [["序号", "标题"], ["1", "甲技术"]]


def test_a_posting_closed_later_stays_in_the_list_marked(client, db, admin):
    posting = in_2026(title="已关闭的成果")
    catalog = published_list(db, admin, [posting])
    posting.status = PostingStatus.CLOSED
    db.session.commit()

    page = client.get(f"/lists/{catalog.id}").get_data(as_text=True)
    rows = list(
        load_workbook(io.BytesIO(client.get(f"/lists/{catalog.id}/download").data)).active.iter_rows(values_only=True)
    )

    assert "已关闭的成果" in page and "已下线（已关闭）" in page
    assert f'href="/postings/achievement/{posting.id}"' not in page
    assert rows[1][1] == "已关闭的成果" and rows[1][-1] == "已下线（已关闭）"


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_a_draft_list_is_404_for_everyone_but_admins(client, db, login, catalog, who):
    if who == "member":
        login(UserFactory())
        db.session.commit()

    assert client.get(f"/lists/{catalog.id}").status_code == 404
    assert client.get(f"/lists/{catalog.id}/download?format=xlsx").status_code == 404


def test_admins_see_draft_lists(client, login, admin, catalog):
    login(admin)

    assert client.get(f"/lists/{catalog.id}").status_code == 200
    assert TITLE in client.get("/lists/").get_data(as_text=True)


def test_index_shows_published_lists_to_everyone_and_drafts_only_to_admins(client, db, admin, catalog):
    published = create_list("2026年中小企业研发攻关需求清单", PostingKind.NEED, 2026, None, admin)
    in_2026(kind=PostingKind.NEED)
    add_matching_postings(published, ListFilter())
    publish_list(published, admin)
    db.session.commit()

    page = client.get("/lists/").get_data(as_text=True)

    assert "2026年中小企业研发攻关需求清单" in page
    assert TITLE not in page


def test_manage_page_offers_filters_and_remove_buttons(client, db, login, admin, catalog):
    posting = in_2026()
    add_matching_postings(catalog, ListFilter())
    db.session.commit()
    login(admin)

    page = client.get(f"/lists/{catalog.id}/manage").get_data(as_text=True)

    assert 'name="org_types"' in page and '<option selected value="2026">' in page
    assert f'action="/lists/{catalog.id}/items/{posting.id}/remove"' in page
    assert client.get("/lists/new").status_code == 200


def test_the_public_list_explains_industry_codes_and_trl_levels(client, db, admin):
    in_2026(kind=PostingKind.ACHIEVEMENT, title="稀土抛光粉制备", industry="C32", trl=6)
    catalog = published_list(db, admin, [])

    page = client.get(f"/lists/{catalog.id}").text

    term = '<abbr class="lq-term" tabindex="0" title="行业代码：'
    assert page.count(term) == 2  # the phone's card and the wider screen's table
    assert "技术成熟度 TRL 1–9 级分别是什么意思" in page and "TRL 6：相关环境中系统或原型演示" in page
