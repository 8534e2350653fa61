"""Places a policy can be scoped to: the 自治区, its 12 盟市 (app.core.regions) and their 旗县（市、区）(GB/T 2260).

A code's `key` is the prefix every place inside it shares: 150000 → "15", 包头市 150200 → "1502", 昆都仑区
150203 → "150203". A place lies within another when its key starts with the other's key.
"""

from __future__ import annotations

from app.core.regions import OUTSIDE, REGION_NAMES, parse_region

AUTONOMOUS_REGION = "150000"
AUTONOMOUS_REGION_NAME = "内蒙古自治区"

_COUNTIES_BY_LEAGUE = {
    "150100": "新城区 回民区 玉泉区 赛罕区 土默特左旗 托克托县 和林格尔县 清水河县 武川县",
    "150200": "东河区 昆都仑区 青山区 石拐区 白云鄂博矿区 九原区 土默特右旗 固阳县 达尔罕茂明安联合旗",
    "150300": "海勃湾区 海南区 乌达区",
    "150400": "红山区 元宝山区 松山区 阿鲁科尔沁旗 巴林左旗 巴林右旗 林西县 克什克腾旗 翁牛特旗 喀喇沁旗 宁城县 敖汉旗",
    "150500": "科尔沁区 科尔沁左翼中旗 科尔沁左翼后旗 开鲁县 库伦旗 奈曼旗 扎鲁特旗 霍林郭勒市",
    "150600": "东胜区 康巴什区 达拉特旗 准格尔旗 鄂托克前旗 鄂托克旗 杭锦旗 乌审旗 伊金霍洛旗",
    "150700": "海拉尔区 扎赉诺尔区 阿荣旗 莫力达瓦达斡尔族自治旗 鄂伦春自治旗 鄂温克族自治旗 陈巴尔虎旗 "
    "新巴尔虎左旗 新巴尔虎右旗 满洲里市 牙克石市 扎兰屯市 额尔古纳市 根河市",
    "150800": "临河区 五原县 磴口县 乌拉特前旗 乌拉特中旗 乌拉特后旗 杭锦后旗",
    "150900": "集宁区 卓资县 化德县 商都县 兴和县 凉城县 察哈尔右翼前旗 察哈尔右翼中旗 察哈尔右翼后旗 四子王旗 丰镇市",
    "152200": "乌兰浩特市 阿尔山市 科尔沁右翼前旗 科尔沁右翼中旗 扎赉特旗 突泉县",
    "152500": "二连浩特市 锡林浩特市 阿巴嘎旗 苏尼特左旗 苏尼特右旗 东乌珠穆沁旗 西乌珠穆沁旗 太仆寺旗 镶黄旗 "
    "正镶白旗 正蓝旗 多伦县",
    "152900": "阿拉善左旗 阿拉善右旗 额济纳旗",
}
# The GB/T 2260 codes, in the order of the names above.
_COUNTY_CODES = {
    "150100": "02 03 04 05 21 22 23 24 25",
    "150200": "02 03 04 05 06 07 21 22 23",
    "150300": "02 03 04",
    "150400": "02 03 04 21 22 23 24 25 26 28 29 30",
    "150500": "02 21 22 23 24 25 26 81",
    "150600": "02 03 21 22 23 24 25 26 27",
    "150700": "02 03 21 22 23 24 25 26 27 81 82 83 84 85",
    "150800": "02 21 22 23 24 25 26",
    "150900": "02 21 22 23 24 25 26 27 28 29 81",
    "152200": "01 02 21 22 23 24",
    "152500": "01 02 22 23 24 25 26 27 28 29 30 31",
    "152900": "21 22 23",
}
COUNTIES: dict[str, str] = {
    league[:4] + suffix: name
    for league, names in _COUNTIES_BY_LEAGUE.items()
    for suffix, name in zip(_COUNTY_CODES[league].split(), names.split(), strict=True)
}
LEAGUES: dict[str, str] = {code: name for code, name in REGION_NAMES.items() if code != OUTSIDE}
_BY_NAME = {name: code for code, name in COUNTIES.items()}


def place_name(code: str | None) -> str:
    """包头市, 昆都仑区（包头市）, 内蒙古自治区; the code itself when unknown."""
    if code == AUTONOMOUS_REGION:
        return AUTONOMOUS_REGION_NAME
    if code in COUNTIES:
        return f"{COUNTIES[code]}（{LEAGUES[code[:4] + '00']}）"
    return REGION_NAMES.get(code or "", code or "")


def place_level(code: str) -> str | None:
    """ "region", "league_city" or "county" (PolicyScope codes) for a known place inside the 自治区, else None."""
    if code == AUTONOMOUS_REGION:
        return "region"
    if code in LEAGUES:
        return "league_city"
    if code in COUNTIES:
        return "county"
    return None


def parse_place(text) -> str | None:
    """A place code from a code or a name (包头市, 包头, 昆都仑区, 内蒙古自治区); None when unknown."""
    if not isinstance(text, str | int) or isinstance(text, bool):
        return None
    text = str(text).strip()
    if text in (AUTONOMOUS_REGION, AUTONOMOUS_REGION_NAME, "内蒙古", "自治区", "全区"):
        return AUTONOMOUS_REGION
    if text in COUNTIES:
        return text
    if text in _BY_NAME:
        return _BY_NAME[text]
    code = parse_region(text)
    return code if code in LEAGUES else None


def place_key(code: str) -> str:
    """The prefix shared by every place inside `code` (see the module docstring)."""
    if code == AUTONOMOUS_REGION:
        return "15"
    if code in LEAGUES:
        return code[:4]
    return code


def ancestors(code: str) -> list[str]:
    """The places that contain `code`, largest first: a firm known only at one of these may or may not be in it."""
    level = place_level(code)
    if level == "county":
        return [AUTONOMOUS_REGION, code[:4] + "00"]
    if level == "league_city":
        return [AUTONOMOUS_REGION]
    return []
