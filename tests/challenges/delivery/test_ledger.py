"""The milestone and payment ledger (.xlsx) of an item, for its issuer only."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.challenges.delivery.payments import record_payment
from app.core.clock import local_today
from tests.challenges.delivery.support import awarded, issuer_user, item_in_delivery, sign
from tests.conftest import as_user
from tests.factories import UserFactory


def test_the_ledger_lists_milestones_payments_and_totals_against_the_funding(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=100)
    contract = sign(item, awarded(item), issuer, amount=100)
    record_payment(contract, issuer, tranche_id=item.tranches[0].id, amount="30", paid_on=local_today(), note="=1+1")
    db.session.commit()
    response = as_user(client, issuer).get(f"/challenges/manage/items/{item.id}/delivery/ledger.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["里程碑", "拨付记录", "汇总"]
    milestones = list(book["里程碑"].iter_rows(min_row=2, values_only=True))
    assert [m[3] for m in milestones] == [m.name for m in contract.milestones]
    payment = list(book["拨付记录"].iter_rows(min_row=2, values_only=True))
    assert payment == [(contract.id, contract.application.org.name, "首付款", 30, local_today().isoformat(), "'=1+1")]
    totals = {row[0]: row for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert totals["合计"][4] == 30 and totals["项目总经费"][5] == 70


def test_another_organisation_cannot_download_the_ledger(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    db.session.commit()
    response = as_user(client, UserFactory()).get(f"/challenges/manage/items/{item.id}/delivery/ledger.xlsx")
    assert response.status_code == 404
