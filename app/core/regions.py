"""The 12 盟市 of Inner Mongolia (GB/T 2260 codes) plus 区外."""

from __future__ import annotations

REGIONS: list[tuple[str, str]] = [
    ("150100", "呼和浩特市"),
    ("150200", "包头市"),
    ("150300", "乌海市"),
    ("150400", "赤峰市"),
    ("150500", "通辽市"),
    ("150600", "鄂尔多斯市"),
    ("150700", "呼伦贝尔市"),
    ("150800", "巴彦淖尔市"),
    ("150900", "乌兰察布市"),
    ("152200", "兴安盟"),
    ("152500", "锡林郭勒盟"),
    ("152900", "阿拉善盟"),
    ("999999", "区外"),
]
OUTSIDE = "999999"
REGION_NAMES = dict(REGIONS)
_BY_NAME = {name: code for code, name in REGIONS}
# People write 呼市, 包头, 锡盟 …: accept the short forms too.
for _code, _name in REGIONS:
    _BY_NAME.setdefault(_name.removesuffix("市"), _code)
_BY_NAME.update({"呼市": "150100", "锡盟": "152500", "阿盟": "152900", "巴盟": "150800", "内蒙古自治区外": OUTSIDE})


def region_name(code: str | None) -> str:
    return REGION_NAMES.get(code or "", "")


def parse_region(text: str | None) -> str | None:
    """A region code from a code or a (short) name; None when unknown."""
    if not text:
        return None
    text = str(text).strip()
    if text in REGION_NAMES:
        return text
    return _BY_NAME.get(text)
