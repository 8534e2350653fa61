"""Posting lists: filters, keyword search, paging, and the xlsx/csv export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.core.enums import Tier
from tests.factories import PostingFactory
from tests.postings.helpers import K, page_text


def titles(resp) -> set[str]:
    return set(re.findall(r'class="text-break">([^<]+)</a>', page_text(resp)))


def test_list_filters_by_industry_section_or_division(client, db):
    PostingFactory(title="有色", industry="C32")
    PostingFactory(title="电气", industry="C38")
    PostingFactory(title="畜牧", industry="A03")
    db.session.commit()

    assert titles(client.get("/postings/achievement?industry=C")) == {"有色", "电气"}
    assert titles(client.get("/postings/achievement?industry=C32")) == {"有色"}
    assert titles(client.get("/postings/achievement?industry=Z99")) == {"有色", "电气", "畜牧"}


def test_list_filters_by_region_trl_and_cooperation_mode(client, db):
    PostingFactory(title="包头成熟", region="150200", trl=8, cooperation=["transfer"])
    PostingFactory(title="包头早期", region="150200", trl=3, cooperation=["license"])
    PostingFactory(title="呼市成熟", region="150100", trl=7, cooperation=["transfer"])
    db.session.commit()

    assert titles(client.get("/postings/achievement?region=包头")) == {"包头成熟", "包头早期"}
    assert titles(client.get("/postings/achievement?trl=7")) == {"包头成熟", "呼市成熟"}
    assert titles(client.get("/postings/achievement?trl=12")) == {"包头成熟", "包头早期", "呼市成熟"}
    assert titles(client.get("/postings/achievement?mode=license")) == {"包头早期"}


def test_list_filters_needs_by_challenge_and_open_deadline(client, db):
    PostingFactory(kind=K.NEED, title="揭榜", challenge=True, reward_wan=50)
    PostingFactory(kind=K.NEED, title="普通")
    PostingFactory(kind=K.NEED, title="已过截止", deadline=date.today() - timedelta(days=3))
    db.session.commit()

    assert titles(client.get("/postings/need?challenge=1")) == {"揭榜"}
    assert "已过截止" not in titles(client.get("/postings/need?open=1"))


def test_list_filters_capabilities_by_tier(client, db):
    PostingFactory(kind=K.CAPABILITY, title="小巨人", tier=Tier.LITTLE_GIANT)
    PostingFactory(kind=K.CAPABILITY, title="创新型", tier=Tier.INNOVATIVE)
    db.session.commit()

    assert titles(client.get("/postings/capability?tier=little_giant")) == {"小巨人"}


def test_keyword_search_treats_percent_and_underscore_literally(client, db):
    PostingFactory(title="100%纯羊绒_围巾")
    PostingFactory(title="1000纯羊绒围巾")
    PostingFactory(title="光伏组件", keywords=["氢能", "储能"], body="")
    db.session.commit()

    assert titles(client.get("/postings/achievement", query_string={"q": "100%"})) == {"100%纯羊绒_围巾"}
    assert titles(client.get("/postings/achievement", query_string={"q": "_"})) == {"100%纯羊绒_围巾"}
    assert titles(client.get("/postings/achievement", query_string={"q": "氢能"})) == {"光伏组件"}
    assert titles(client.get("/postings/achievement", query_string={"q": "羊绒 围巾"})) == {
        "100%纯羊绒_围巾",
        "1000纯羊绒围巾",
    }


@pytest.mark.parametrize("query", ["稀土" * 150, "%%%___\\'\";--", "！？。，、", "   "])
def test_long_or_punctuation_only_queries_do_not_error(client, db, query):
    PostingFactory()
    db.session.commit()

    assert client.get("/postings/achievement", query_string={"q": query}).status_code == 200


def test_a_page_beyond_the_last_shows_the_last_page(make_app):
    app = make_app(PER_PAGE=2)
    with app.app_context():
        for i in range(3):
            PostingFactory(title=f"成果{i}")
        from app.extensions import db

        db.session.commit()
        resp = app.test_client().get("/postings/achievement?page=99")

    assert resp.status_code == 200
    assert len(titles(resp)) == 1 and "第 2/2 页" in page_text(resp)


def test_export_xlsx_has_the_filtered_rows_of_every_page_without_contacts(make_app):
    app = make_app(PER_PAGE=1)
    with app.app_context():
        from app.extensions import db

        PostingFactory(title="包头成果甲", region="150200", contact_phone="13912345678")
        PostingFactory(title="包头成果乙", region="150200")
        PostingFactory(title="呼市成果", region="150100")
        db.session.commit()
        resp = app.test_client().get("/postings/achievement?region=150200&format=xlsx")

    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert "标题" in header and "技术成熟度(TRL)" in header
    assert {row[header.index("标题")] for row in data} == {"包头成果甲", "包头成果乙"}
    assert data[0][header.index("所在地区")] == "包头市"
    assert not any("13912345678" in str(cell) for row in rows for cell in row)


def test_export_csv_opens_in_excel_and_keeps_chinese(client, db):
    PostingFactory(kind=K.NEED, title="羊绒分梳降耗", challenge=True, reward_wan=50)
    db.session.commit()

    resp = client.get("/postings/need?format=csv")

    assert resp.status_code == 200 and resp.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("标题")] == "羊绒分梳降耗"
    assert rows[1][rows[0].index("揭榜奖金")] == "50 万元"  # the unit once: not under a "揭榜奖金(万元)" header
    assert client.get("/postings/need?format=pdf").status_code == 404
