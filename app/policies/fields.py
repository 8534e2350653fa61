"""The facts a policy rule may ask about, with their operators and the Chinese words that describe them.

One table serves the three readers of a rule: validation (rules.py), evaluation in Python (evaluation.py) and
the SQL translation (pushdown.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

COMPARISONS = (">=", "<=", "between")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # choice | tier | code | place | number | certificate | flag
    ops: tuple[str, ...]
    unit: str = ""
    integer: bool = False
    low: int = 0
    high: int | None = None
    # number fields: the words for "at least", "at most", "below", "above" and the phrase for a range
    words: tuple[str, str, str, str] = ("不低于", "不超过", "低于", "高于")
    # False when the fact is always known on the platform (an absent tier means "not recognised")
    may_be_missing: bool = True


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("org_type", "机构类型", "choice", ("in",), may_be_missing=False),
        Field("tier", "梯度培育层级", "tier", ("in", "at_least"), may_be_missing=False),
        Field(
            "tier_year",
            "梯度培育认定年份",
            "number",
            COMPARISONS,
            unit="年",
            integer=True,
            low=2000,
            high=2100,
            words=("不早于", "不晚于", "早于", "晚于"),
            may_be_missing=False,
        ),
        Field("industry", "所属行业", "code", ("in", "prefix")),
        Field("region", "注册地", "place", ("within",)),
        Field(
            "years_since_established",
            "成立年限",
            "number",
            COMPARISONS,
            unit="年",
            integer=True,
            high=200,
            words=("不少于", "不超过", "不满", "超过"),
        ),
        Field(
            "employees",
            "从业人数",
            "number",
            COMPARISONS,
            unit="人",
            integer=True,
            high=10_000_000,
            words=("不少于", "不超过", "少于", "多于"),
        ),
        Field("revenue", "上年度营业收入", "number", COMPARISONS, unit="万元", high=1_000_000_000),
        Field("rd_ratio", "研发投入占比", "number", COMPARISONS, unit="%", high=100),
        Field("certificates", "资质证书", "certificate", ("has",)),
        Field("above_scale", "规上企业", "flag", ("is",)),
        Field("listed", "上市企业", "flag", ("is",)),
    )
}


def number_text(value, unit: str = "") -> str:
    """3 → "3", Decimal("2.50") → "2.5", with the unit: "3%", "50 人", "1000 万元"."""
    number = Decimal(str(value))
    text = format(number.normalize(), "f")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def certificate_value(value) -> tuple[str, date | None]:
    """A (validated) certificate condition's value: the name, and the day it must still be valid on (None: today)."""
    if isinstance(value, str):
        return value, None
    valid_on = value.get("valid_on")
    return value["name"], date.fromisoformat(valid_on) if valid_on else None


def full_years(since: date, today: date) -> int:
    """Whole years from `since` to `today` (a firm founded 2020-02-29 is 1 year old on 2021-03-01)."""
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def years_ago(today: date, years: int) -> date:
    """The latest founding date that makes a firm at least `years` whole years old today (SQL's threshold)."""
    year = today.year - years
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return date(year, 2, 28)
