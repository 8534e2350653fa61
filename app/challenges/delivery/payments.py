"""Money against the plan: parsing amounts, what has been paid, and recording a payment.

The rule: a contract's payments never exceed its amount, and an item's payments never exceed its funding.
Both sums are read under the item's lock (locking.lock_item), so two payments recorded at the same moment
are checked one after the other and cannot pass together.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.challenges.delivery.locking import lock_item
from app.challenges.delivery.models import ChallengeContract, ChallengePayment
from app.challenges.items.models import PaymentTranche
from app.core.clock import past_day
from app.core.enums import NotificationKind
from app.core.errors import FieldError, ValidationFailed
from app.core.models import record_change
from app.core.web import parse_id
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

CENT = Decimal("0.01")
NOTE_MAX = 300


def wan(value: Decimal | None) -> str:
    """万元 as people read it: 30 → "30", 33.33 → "33.33"."""
    value = value or Decimal(0)
    return f"{value.quantize(CENT):f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def parse_wan(text, field: str, label: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in 万元: a number with at most two decimals, above zero (or zero when allowed)."""
    raw = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    if not raw:
        raise FieldError(field, f"请填写{label}（万元）")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FieldError(field, f"{label}请填写数字，单位万元")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise FieldError(field, f"{label}须大于 0" if not allow_zero else f"{label}不能为负数")
    if amount.as_tuple().exponent < -2:
        raise FieldError(field, f"{label}最多保留两位小数")
    if amount >= Decimal("10000000000"):
        raise FieldError(field, f"{label}过大，请核对单位（万元）")
    return amount.quantize(CENT)


def paid_total(contract_id: int) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ChallengePayment.amount_wan), 0)).where(
            ChallengePayment.contract_id == contract_id
        )
    ) or Decimal(0)


def item_paid_total(item_id: int) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ChallengePayment.amount_wan), 0))
        .join(ChallengeContract, ChallengePayment.contract_id == ChallengeContract.id)
        .where(ChallengeContract.item_id == item_id)
    ) or Decimal(0)


def plan_rows(contract: ChallengeContract) -> list[dict]:
    """Each tranche of the item's plan: its share of this contract's amount, and what was paid against it."""
    paid: dict[int | None, Decimal] = {}
    for p in contract.payments:
        paid[p.tranche_id] = paid.get(p.tranche_id, Decimal(0)) + p.amount_wan
    rows = [
        {
            "tranche": t,
            "planned": (contract.amount_wan * t.percent / 100).quantize(CENT),
            "paid": paid.get(t.id, Decimal(0)),
        }
        for t in contract.item.tranches
    ]
    if None in paid:
        rows.append({"tranche": None, "planned": None, "paid": paid[None]})
    return rows


def _tranche(contract: ChallengeContract, tranche_id) -> PaymentTranche | None:
    if tranche_id in (None, ""):
        return None
    tranche = db.session.get(PaymentTranche, parse_id(tranche_id)) if parse_id(tranche_id) else None
    if tranche is None or tranche.item_id != contract.item_id:
        raise FieldError("tranche_id", "请选择本项目付款计划中的一笔款项")
    return tranche


def check_room(contract: ChallengeContract, amount: Decimal) -> None:
    """Refuse an amount that would take the contract past its amount or the item past its funding. Call it
    under the item's lock."""
    contract_paid = paid_total(contract.id)
    if contract_paid + amount > contract.amount_wan:
        room = contract.amount_wan - contract_paid
        raise FieldError(
            "amount_wan",
            f"本次拨付后该任务书累计拨付 {wan(contract_paid + amount)} 万元，超过任务书金额 {wan(contract.amount_wan)} 万元"
            f"（最多还可拨付 {wan(room)} 万元）",
        )
    item = contract.item
    item_paid = item_paid_total(item.id)
    if item_paid + amount > item.funding_wan:
        raise FieldError(
            "amount_wan",
            f"本次拨付后本项目累计拨付 {wan(item_paid + amount)} 万元，超过项目总经费 {wan(item.funding_wan)} 万元"
            f"（最多还可拨付 {wan(item.funding_wan - item_paid)} 万元）",
        )


def add_payment(
    contract: ChallengeContract, actor, amount: Decimal, paid_on: date, tranche, note: str | None, form_token=None
) -> ChallengePayment:
    """Write a payment already parsed, under the item's lock (taken here), and tell the lead organisation."""
    lock_item(contract.item_id)
    if form_token and (first := db.session.scalar(sa.select(ChallengePayment).filter_by(form_token=form_token))):
        return first
    check_room(contract, amount)
    payment = ChallengePayment(
        contract_id=contract.id,
        tranche_id=tranche.id if tranche else None,
        amount_wan=amount,
        paid_on=paid_on,
        note=note,
        recorded_by_id=actor.id,
        form_token=form_token,
    )
    db.session.add(payment)
    db.session.flush()
    record_change("challenge_payment", payment.id, None, "recorded", actor, f"{wan(amount)} 万元")
    what = tranche.name if tranche else "拨付"
    notify(
        org_user_ids(contract.application.org_id),
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_payment:{payment.id}",
        f"《{contract.item.title}》{what} {wan(amount)} 万元已拨付",
        f"拨付日期：{paid_on:%Y-%m-%d}" + (f"。{note}" if note else ""),
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )
    return payment


def record_payment(
    contract: ChallengeContract, actor, *, tranche_id, amount, paid_on, note=None, form_token=None
) -> ChallengePayment:
    """The issuer records a payment (tranche, amount, date, note). Refused with a Chinese message when the
    contract's paid total would exceed its amount or the item's would exceed its funding; the same form sent
    twice (form_token) records it once."""
    errors, values = {}, {}
    checks = {
        "tranche_id": lambda: _tranche(contract, tranche_id),
        "amount_wan": lambda: parse_wan(amount, "amount_wan", "拨付金额"),
        "paid_on": lambda: past_day(paid_on, "paid_on", "拨付日期"),
    }
    for field, parse in checks.items():
        try:
            values[field] = parse()
        except FieldError as err:
            errors.update(err.errors)
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = f"备注不能超过{NOTE_MAX}个字"
    if errors:
        raise ValidationFailed("拨付信息有误，请按提示修改", errors=errors)
    if values["paid_on"] < contract.signed_on:
        raise FieldError("paid_on", "拨付日期不能早于任务书签订日期")
    return add_payment(contract, actor, values["amount_wan"], values["paid_on"], values["tranche_id"], note, form_token)
