"""The platform admins' organisation list: filters, paging, xlsx and csv export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.core.enums import OrgType, VerificationStatus
from tests.factories import AdminFactory, OrgFactory


def test_admin_list_filters_and_paginates(app, client, db, login):
    app.config["PER_PAGE"] = 2
    for i in range(3):
        OrgFactory(region="150200", name=f"包头测试{i}有限公司")
    OrgFactory(region="150100", org_type=OrgType.UNIVERSITY, name="内蒙古大学")
    OrgFactory(verification=VerificationStatus.PENDING, name="待审机构有限公司")
    db.session.commit()
    login(AdminFactory())
    university = client.get("/orgs/admin/?org_type=university")
    assert "内蒙古大学" in university.text and "包头测试" not in university.text
    baotou = client.get("/orgs/admin/?region=150200")
    assert "共 3 条" in baotou.text and "下一页" in baotou.text
    assert "待审机构" in client.get("/orgs/admin/?verification=pending&q=待审").text
    assert client.get("/orgs/admin/?org_type=bogus&page=abc").status_code == 200  # tampered query: no error


def test_admin_list_exports_xlsx_and_csv(client, db, login):
    OrgFactory(name="鄂尔多斯羊绒（集团）有限公司", region="150600")
    OrgFactory(name="=HYPERLINK()", region="150100")
    db.session.commit()
    login(AdminFactory())
    csv_resp = client.get("/orgs/admin/?format=csv&region=150600")
    assert csv_resp.mimetype == "text/csv"
    text = csv_resp.data.decode("utf-8-sig")
    assert "鄂尔多斯羊绒（集团）有限公司" in text and "HYPERLINK" not in text
    xlsx = client.get("/orgs/admin/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "机构名称"
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "鄂尔多斯羊绒（集团）有限公司",
        "'=HYPERLINK()",
    }
    assert client.get("/orgs/admin/?format=pdf").status_code == 404
