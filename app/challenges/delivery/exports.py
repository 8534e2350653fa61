"""The milestone and payment ledger of an item (.xlsx): every contract's milestones with their status, every
payment with its tranche, amount and date, and the totals against the item's funding."""

from __future__ import annotations

from app.challenges.delivery.access import item_contracts
from app.challenges.delivery.payments import item_paid_total, paid_total
from app.challenges.delivery.services import contracted_total
from app.challenges.items.models import ChallengeItem
from app.core.exports import export_sheets

MILESTONE_HEADERS = ("任务书编号", "承担单位", "序号", "里程碑", "到期日期", "状态", "对应款项")
PAYMENT_HEADERS = ("任务书编号", "承担单位", "款项", "金额（万元）", "拨付日期", "备注")
TOTAL_HEADERS = ("任务书编号", "承担单位", "任务书状态", "任务书金额（万元）", "已拨付（万元）", "未拨付（万元）")


def ledger(item: ChallengeItem, fmt: str = "xlsx"):
    contracts = item_contracts(item.id)
    tranche_names = {t.id: t.name for t in item.tranches}
    milestones = [
        (c.id, c.application.org.name, m.position, m.name, m.due_on, m.status.label, tranche_names.get(m.tranche_id))
        for c in contracts
        for m in c.milestones
    ]
    payments = [
        (c.id, c.application.org.name, tranche_names.get(p.tranche_id, "其他"), p.amount_wan, p.paid_on, p.note)
        for c in contracts
        for p in c.payments
    ]
    totals = []
    for c in contracts:
        paid = paid_total(c.id)
        totals.append((c.id, c.application.org.name, c.status.label, c.amount_wan, paid, c.amount_wan - paid))
    paid_all = item_paid_total(item.id)
    totals.append(("合计", "", "", contracted_total(item.id), paid_all, ""))
    totals.append(("项目总经费", "", "", item.funding_wan, "", item.funding_wan - paid_all))
    return export_sheets(
        fmt,
        f"{item.title}-里程碑与拨付台账",
        [
            ("里程碑", MILESTONE_HEADERS, milestones),
            ("拨付记录", PAYMENT_HEADERS, payments),
            ("汇总", TOTAL_HEADERS, totals),
        ],
    )
