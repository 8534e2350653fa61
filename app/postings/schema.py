"""The field contract of the four kinds of posting, shared by the web forms, the services and the importer.

Input names are the import contract's names (`summary`, `description`, `budget_wan`, …); `clean_posting`
returns model attribute names (`body`, …) and a dict of Chinese error messages keyed by input name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.core.clock import local_today
from app.core.enums import ACHIEVEMENT_MODES, NEED_MODES, CooperationMode, PostingKind, Tier
from app.core.industries import normalize_industry
from app.core.regions import parse_region
from app.core.validators import SINGLE_LINE_MESSAGE, normalize_patent, patent_error, single_line_error, split_list

MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 30
TITLE_MAX = 200
BODY_MAX = 20_000

COMMON_FIELDS = ("kind", "ref", "org", "org_type", "title", "keywords", "industry", "region", "credit_code", "contact")
KIND_FIELDS: dict[PostingKind, tuple[str, ...]] = {
    PostingKind.ACHIEVEMENT: ("summary", "trl", "cooperation", "year", "patents"),
    PostingKind.NEED: ("description", "budget_wan", "deadline", "challenge", "reward_wan", "ip_terms", "cooperation"),
    PostingKind.PROCUREMENT: ("description", "quantity", "deadline", "qualifications"),
    PostingKind.CAPABILITY: ("description", "certifications", "tier"),
}
REQUIRED: dict[PostingKind, tuple[str, ...]] = {
    PostingKind.ACHIEVEMENT: ("title", "keywords", "industry", "region", "summary", "trl"),
    PostingKind.NEED: ("title", "keywords", "industry", "region", "description"),
    PostingKind.PROCUREMENT: ("title", "keywords", "industry", "region", "description"),
    PostingKind.CAPABILITY: ("title", "keywords", "industry", "region", "description"),
}
AMOUNT_UNIT = "万元"  # of budget_wan and reward_wan, named in their labels
FIELD_LABELS = {
    "kind": "类别",
    "ref": "外部编号",
    "org": "机构名称",
    "org_type": "机构类型",
    "title": "标题",
    "keywords": "关键词",
    "industry": "所属行业",
    "region": "所在地区",
    "credit_code": "统一社会信用代码",
    "contact": "联系人",
    "summary": "成果简介",
    "description": "详细描述",
    "trl": "技术成熟度(TRL)",
    "cooperation": "合作方式",
    "year": "成果年份",
    "patents": "专利号",
    "budget_wan": f"预算({AMOUNT_UNIT})",
    "deadline": "截止日期",
    "challenge": "揭榜挂帅",
    "reward_wan": f"揭榜奖金({AMOUNT_UNIT})",
    "ip_terms": "知识产权约定",
    "quantity": "采购数量",
    "qualifications": "资质要求",
    "certifications": "资质认证",
    "tier": "梯度培育层级",
}
# What people write for an amount not decided yet; the first is how such an amount is shown.
NEGOTIABLE = ("面议", "待定", "另议")
# Text kept as typed: one line each (lists are one line per item: a line break separates items).
SINGLE_LINE_FIELDS = ("org", "title", "contact", "ref", "quantity")
LIST_FIELDS = ("keywords", "patents", "certifications")


def known_fields(kind: PostingKind) -> set[str]:
    return set(COMMON_FIELDS) | set(KIND_FIELDS[kind])


@dataclass
class Cleaned:
    data: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # accepted, but worth a word (the import preview's 警告)

    @property
    def ok(self) -> bool:
        return not self.errors


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (list, tuple)) and not value)
    )


def parse_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "对", "√", "t"}:
        return True
    if text in {"0", "false", "no", "n", "否", "", "f", "×"}:
        return False
    return None


def parse_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def parse_decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _text(value, limit: int) -> str:
    return str(value).strip()[:limit] if value is not None else ""


def _modes(kind: PostingKind, value, errors: dict) -> list[CooperationMode]:
    allowed = ACHIEVEMENT_MODES if kind == PostingKind.ACHIEVEMENT else NEED_MODES
    modes = []
    for item in split_list(value):
        mode = CooperationMode.from_any(item)
        if mode is None or mode not in allowed:
            names = "、".join(m.label for m in allowed)
            errors["cooperation"] = f"合作方式“{item}”无效，可选：{names}"
            continue
        if mode not in modes:
            modes.append(mode)
    return modes


def clean_posting(kind: PostingKind, raw: dict, *, today: date | None = None, check_deadline: bool = True) -> Cleaned:
    """Validate and convert one record. Every problem is reported, not only the first.

    `check_deadline` is off when re-saving an existing posting whose deadline has already passed.
    """
    today = today or local_today()
    out = Cleaned()
    # The order of these steps is the order of the error messages a user reads.
    for name in REQUIRED[kind]:
        if _blank(raw.get(name)):
            out.errors[name] = f"请填写{FIELD_LABELS[name]}"
    _check_single_lines(raw, out)
    _clean_texts(kind, raw, out)
    _clean_keywords(raw, out)
    _clean_classification(raw, out)
    _clean_contact_and_ref(raw, out)
    if kind == PostingKind.ACHIEVEMENT:
        _clean_achievement(raw, out, today)
    if kind in (PostingKind.NEED, PostingKind.PROCUREMENT):
        _clean_deadline(raw, out, today, check_deadline)
    if kind == PostingKind.NEED:
        _clean_need(raw, out)
    if kind == PostingKind.PROCUREMENT:
        out.data["quantity"] = _text(raw.get("quantity"), 200) or None
        out.data["qualifications"] = _text(raw.get("qualifications"), 5000) or None
    if kind == PostingKind.CAPABILITY:
        _clean_capability(raw, out)
    return out


def _check_single_lines(raw: dict, out: Cleaned) -> None:
    """No line breaks, tabs or other control characters in a single-line field or a list item."""
    for name in SINGLE_LINE_FIELDS + LIST_FIELDS:
        values = split_list(raw.get(name)) if name in LIST_FIELDS else [raw.get(name)]
        if any(single_line_error(value) for value in values):
            out.errors.setdefault(name, f"{FIELD_LABELS[name]}{SINGLE_LINE_MESSAGE}")


def _clean_texts(kind: PostingKind, raw: dict, out: Cleaned) -> None:
    """The title and the body (an achievement's `summary`, every other kind's `description`)."""
    body_key = "summary" if kind == PostingKind.ACHIEVEMENT else "description"
    title = _text(raw.get("title"), 10_000)
    if len(title) > TITLE_MAX:
        out.errors["title"] = f"标题不能超过{TITLE_MAX}个字"
    out.data["title"] = title
    body = _text(raw.get(body_key), 100_000)
    if len(body) > BODY_MAX:
        out.errors[body_key] = f"{FIELD_LABELS[body_key]}不能超过{BODY_MAX}个字"
    out.data["body"] = body


def _clean_keywords(raw: dict, out: Cleaned) -> None:
    keywords = split_list(raw.get("keywords"))
    if len(keywords) > MAX_KEYWORDS:
        out.errors["keywords"] = f"关键词最多{MAX_KEYWORDS}个"
    elif any(len(k) > MAX_KEYWORD_LENGTH for k in keywords):
        out.errors["keywords"] = f"每个关键词不超过{MAX_KEYWORD_LENGTH}个字"
    out.data["keywords"] = keywords


def _clean_classification(raw: dict, out: Cleaned) -> None:
    """Industry code and region; a blank one is left out (REQUIRED reports it where it is needed)."""
    if not _blank(raw.get("industry")):
        industry = normalize_industry(raw.get("industry"))
        if industry is None:
            out.errors["industry"] = f"行业代码“{raw.get('industry')}”不在 GB/T 4754-2017 中（示例：C39、A03）"
        out.data["industry"] = industry
    if not _blank(raw.get("region")):
        region = parse_region(raw.get("region"))
        if region is None:
            out.errors["region"] = f"地区“{raw.get('region')}”无效，请填写内蒙古12个盟市之一或“区外”"
        out.data["region"] = region


def _clean_contact_and_ref(raw: dict, out: Cleaned) -> None:
    contact = _text(raw.get("contact"), 50)
    if contact:
        out.data["contact_name"] = contact
    if "ref" in raw and not _blank(raw.get("ref")):
        out.data["ref"] = _text(raw.get("ref"), 100)


def _clean_achievement(raw: dict, out: Cleaned, today: date) -> None:
    errors, data = out.errors, out.data
    if not _blank(raw.get("trl")):
        trl = parse_int(raw.get("trl"))
        if trl is None or not 1 <= trl <= 9:
            errors["trl"] = "技术成熟度(TRL)应为1到9的整数"
        data["trl"] = trl
    if not _blank(raw.get("year")):
        year = parse_int(raw.get("year"))
        if year is None or not 1950 <= year <= today.year + 1:
            errors["year"] = f"成果年份应为1950到{today.year + 1}之间的整数"
        data["year"] = year
    data["cooperation"] = _modes(PostingKind.ACHIEVEMENT, raw.get("cooperation"), errors)
    patents = []
    for number in split_list(raw.get("patents")):
        message = patent_error(number)
        if message:
            errors["patents"] = message
        patents.append(normalize_patent(number))
    data["patents"] = patents


def _clean_deadline(raw: dict, out: Cleaned, today: date, check_deadline: bool) -> None:
    if _blank(raw.get("deadline")):
        return
    deadline = parse_date(raw.get("deadline"))
    if deadline is None:
        out.errors["deadline"] = "截止日期格式应为 YYYY-MM-DD"
    elif check_deadline and deadline < today:
        out.errors["deadline"] = "截止日期不能早于今天"
    out.data["deadline"] = deadline


def is_negotiable(value) -> bool:
    """ "面议", "待定": an amount not decided yet, kept as no amount."""
    return isinstance(value, str) and value.strip() in NEGOTIABLE


def _clean_need(raw: dict, out: Cleaned) -> None:
    """Budget and reward amounts, and 揭榜挂帅: a challenge without a reward amount (blank, 面议 or 待定) is
    accepted and shown as 面议, with a note."""
    errors, data = out.errors, out.data
    for name in ("budget_wan", "reward_wan"):
        value = raw.get(name)
        if not _blank(value) and not (name == "reward_wan" and is_negotiable(value)):
            amount = parse_decimal(value)
            if amount is None or amount < 0 or amount > Decimal("100000000"):
                errors[name] = f"{FIELD_LABELS[name]}应为不小于0的数字"
            data[name] = amount
    challenge = parse_bool(raw.get("challenge", False))
    if challenge is None:
        errors["challenge"] = "揭榜挂帅应填写 是/否"
    data["challenge"] = bool(challenge)
    if challenge and data.get("reward_wan") is None and "reward_wan" not in errors:
        out.notes["reward_wan"] = f"揭榜挂帅未填写奖金金额，导入后显示为“{NEGOTIABLE[0]}”"
    data["ip_terms"] = _text(raw.get("ip_terms"), 5000) or None
    data["cooperation"] = _modes(PostingKind.NEED, raw.get("cooperation"), errors)


def _clean_capability(raw: dict, out: Cleaned) -> None:
    out.data["certifications"] = [c[:100] for c in split_list(raw.get("certifications"))][:30]
    if not _blank(raw.get("tier")):
        tier = Tier.from_any(raw.get("tier"))
        if tier is None:
            out.errors["tier"] = (
                f"梯度培育层级“{_text(raw.get('tier'), 50)}”无法识别，应为："
                + "、".join(t.label for t in Tier)
                + "（也可写作 创新型、专精特新、小巨人）"
            )
        out.data["tier"] = tier
