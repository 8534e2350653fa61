"""Rules of the admin home and the web import/export."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from app.admin import services as admin_services
from app.challenges.notice.models import WorkdayOverride
from app.core.enums import PostingKind, PostingStatus, VerificationStatus
from app.organizations.models import Organization
from app.postings.importing.exporting import contract_fields
from app.postings.models import Posting
from tests.factories import AdminFactory, OrgFactory, PostingFactory, UserFactory

DATA = Path(__file__).parent.parent / "data"
ADMIN_PAGES = ["/admin/", "/admin/import", "/admin/import/preview", "/admin/export"]


@pytest.fixture
def import_dir(app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def admin_client(client, db, login, import_dir):
    login(AdminFactory())
    db.session.commit()
    return client


def upload(client, name: str, content: bytes | None = None):
    data = content if content is not None else (DATA / name).read_bytes()
    return client.post("/admin/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def posting_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Posting))


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_non_admin_gets_403_on_admin_pages(client, db, login, url):
    login(UserFactory())
    db.session.commit()

    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login_from_admin_pages(client):
    response = client.get("/admin/")

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_home_counts_what_waits_and_what_is_published(admin_client, db):
    OrgFactory(verification=VerificationStatus.PENDING)
    OrgFactory(verification=VerificationStatus.PENDING)
    PostingFactory(status=PostingStatus.SUBMITTED, published_at=None)
    PostingFactory(kind=PostingKind.NEED)
    PostingFactory(kind=PostingKind.NEED)
    db.session.commit()

    page = admin_client.get("/admin/").get_data(as_text=True)

    assert "待认证机构" in page and "待审核信息" in page
    assert [int(n) for n in _kpis(page)] == [2, 1, 0, 2, 0, 0]


def _kpis(page: str) -> list[str]:
    import re

    return re.findall(r'<div class="kpi">(\d+)</div>', page)


def test_admin_home_links_the_queues_whose_pages_exist(app, admin_client):
    for rule, endpoint in [
        ("/orgs/_queue", "organizations.verification_queue"),
        ("/postings/_mod", "postings.moderation"),
    ]:
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint=endpoint, view_func=lambda: "")
    with app.test_request_context():
        from flask import url_for

        expected = [url_for("organizations.verification_queue"), url_for("postings.moderation")]

    page = admin_client.get("/admin/").get_data(as_text=True)

    assert all(f'href="{url}"' in page for url in expected)
    assert 'href="/admin/import"' in page and 'href="/admin/export"' in page and 'href="/lists/"' in page


def test_web_import_preview_shows_errors_and_writes_nothing(admin_client, db, import_dir):
    response = upload(admin_client, "bad_import.csv")
    assert response.status_code == 302

    page = admin_client.get("/admin/import/preview").get_data(as_text=True)

    assert "6 行有错误" in page
    for line, field in [(3, "trl"), (4, "title"), (5, "credit_code"), (6, "ref"), (7, "org_type"), (8, "deadline")]:
        assert f"<tr><td>{line}</td><td><code>{field}</code>" in page
    assert posting_count(db) == 0
    assert len(list(import_dir.iterdir())) == 1


def test_web_import_preview_counts_rows_per_kind(admin_client):
    upload(admin_client, "sample_import.xlsx")

    page = admin_client.get("/admin/import/preview").get_data(as_text=True)

    assert "全部 5 行校验通过" in page
    assert page.count('<div class="kpi">1</div>') == 3 and '<div class="kpi">2</div>' in page


def test_web_import_writes_on_confirm_and_removes_the_file(admin_client, db, import_dir):
    upload(admin_client, "sample_import.csv")
    admin_client.get("/admin/import/preview")

    response = admin_client.post("/admin/import/confirm", data={"publish": "y", "verified": "y"})

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    postings = db.session.scalars(sa.select(Posting)).all()
    assert len(postings) == 5 and all(p.status == PostingStatus.PUBLISHED for p in postings)
    assert all(p.created_by_id is not None for p in postings)
    assert list(import_dir.iterdir()) == []
    with admin_client.session_transaction() as sess:
        assert "import_upload" not in sess


def test_confirm_revalidates_and_imports_nothing_from_a_bad_file(admin_client, db):
    upload(admin_client, "bad_import.csv")

    response = admin_client.post(
        "/admin/import/confirm", data={}, headers={"Referer": "/admin/import/preview"}, follow_redirects=True
    )

    assert "未导入任何数据" in response.get_data(as_text=True)
    assert posting_count(db) == 0


def test_two_admins_confirming_the_same_import_at_once_get_a_message_not_a_500(
    admin_client, db, import_dir, monkeypatch
):
    upload(admin_client, "sample_import.csv")
    org_count = lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Organization))  # noqa: E731
    orgs_before = org_count()
    write = admin_services.import_records

    def write_then_collide(*args, **kwargs):
        # This confirm writes its rows, then meets the other admin's committed rows at the unique (kind, ref).
        write(*args, **kwargs)
        raise IntegrityError("INSERT INTO postings …", {}, Exception("duplicate key value violates unique constraint"))

    monkeypatch.setattr(admin_services, "import_records", write_then_collide)

    response = admin_client.post(
        "/admin/import/confirm", data={"publish": "y"}, headers={"Referer": "/admin/import/preview"}
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/import/preview")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "该文件正在被他人导入或已导入，请刷新后重试" in page
    assert posting_count(db) == 0
    assert org_count() == orgs_before
    assert len(list(import_dir.iterdir())) == 1  # kept, so a reload can try again


def test_confirm_with_skip_invalid_imports_the_good_rows(admin_client, db):
    upload(admin_client, "bad_import.csv")

    admin_client.post("/admin/import/confirm", data={"skip_invalid": "y"})

    assert set(db.session.scalars(sa.select(Posting.ref))) == {"BAD-1", "BAD-8"}


def test_confirm_without_an_upload_goes_back_to_the_upload_page(admin_client, db):
    response = admin_client.post("/admin/import/confirm", data={})

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/import")


def test_oversize_upload_is_rejected_with_a_chinese_message(app, admin_client, import_dir):
    app.config["IMPORT_MAX_BYTES"] = 200

    response = upload(admin_client, "sample_import.csv")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "超过了 200 字节 的上限" in page
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"kind,ref\n", "只支持 .xlsx、.csv、.jsonl 文件"),
        ("renamed.xlsx", b"kind,ref\nachievement,A-1\n", "不是 Excel"),
        ("gbk.csv", "类别,编号\n成果,甲\n".encode("gbk"), "不是 UTF-8 编码"),
        ("data.jsonl", b"kind,ref\n", "不是 JSON Lines"),
        ("empty.csv", b"", "文件是空的"),
    ],
)
def test_upload_type_is_checked_by_extension_and_content(admin_client, import_dir, name, content, message):
    response = upload(admin_client, name, content)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


def test_export_page_downloads_the_import_contract(admin_client, db):
    PostingFactory(ref="R-1")
    PostingFactory(status=PostingStatus.DRAFT, published_at=None)
    PostingFactory(kind=PostingKind.NEED)
    db.session.commit()

    response = admin_client.get("/admin/export?kind=achievement&status=published&format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == contract_fields(PostingKind.ACHIEVEMENT)
    assert [row[1] for row in rows[1:]] == ["R-1"]


def test_export_page_csv_reimports_unchanged(admin_client, db, tmp_path, runner):
    PostingFactory()
    PostingFactory(kind=PostingKind.CAPABILITY, certifications=["ISO9001"])
    db.session.commit()
    path = tmp_path / "export.csv"
    path.write_bytes(admin_client.get("/admin/export?kind=&status=&format=csv").data)

    result = runner.invoke(args=["catalog", "import", str(path)])

    assert "未变 2 条" in result.output


def test_import_and_export_pages_render(admin_client):
    assert "字段说明" in admin_client.get("/admin/import").get_data(as_text=True)
    assert "导出 Excel" in admin_client.get("/admin/export").get_data(as_text=True)


def test_admin_home_warns_while_next_years_holidays_are_not_entered(admin_client, db):
    """chinese-calendar knows the years whose 放假安排 was published; for the others the 公示期 counts Monday to
    Friday until the admins enter the holidays, and the admin home says so until they do."""
    assert "2027 年的法定节假日" in admin_client.get("/admin/").get_data(as_text=True)
    db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note="元旦"))
    db.session.commit()
    assert "data-workday-warning" not in admin_client.get("/admin/").get_data(as_text=True)
