"""Validators for what people type: single-line text, 统一社会信用代码, phone numbers, patent numbers."""

from __future__ import annotations

import re

# C0 controls (\t \n \r …), DEL, C1 controls, and the Unicode line and paragraph separators: none belongs in a
# name or a title, and any of them in a mail header would start a new header line.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SINGLE_LINE_MESSAGE = "不能包含换行、制表符等控制字符，请改为一行文字"


def single_line_error(text) -> str | None:
    """The rule of every single-line field (names, titles, contacts, e-mail addresses…): no control characters."""
    if isinstance(text, str) and _CONTROL_RE.search(text):
        return SINGLE_LINE_MESSAGE
    return None


def one_line(text: str) -> str:
    """Text made safe for one line (a mail subject): control characters and runs of spaces become one space."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str | None) -> str | None:
    """Return a Chinese message describing what is wrong with a credit code, or None if it is valid."""
    if not code:
        return "请填写统一社会信用代码"
    code = code.strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    if not _CREDIT_RE.match(code):
        return "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z，第3–8位为行政区划数字）"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对后重新输入"
    return None


def normalize_credit_code(code: str | None) -> str | None:
    return code.strip().upper() if code and code.strip() else None


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalize_phone(phone: str | None) -> str:
    if not phone:
        return ""
    phone = phone.strip().replace(" ", "").replace("（", "(").replace("）", ")")
    phone = re.sub(r"^\((0\d{2,3})\)", r"\1-", phone)
    if phone.startswith("+86"):
        phone = phone[3:].lstrip("-")
    return phone


# One address: no whitespace, and none of the characters that separate or wrap addresses in a header.
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")


def email_error(email: str | None) -> str | None:
    """None when the address looks deliverable (one @, a dot in the domain, at most 254 characters)."""
    email = (email or "").strip()
    if len(email) > 254 or not _EMAIL_RE.match(email) or single_line_error(email):
        return "电子邮箱格式不正确"
    return None


def phone_error(phone: str | None) -> str | None:
    """None when the phone is a mainland mobile (11 digits) or a landline with area code."""
    phone = normalize_phone(phone)
    if not phone:
        return "请填写联系电话"
    if _MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone):
        return None
    return "联系电话格式不正确：请填写11位手机号或带区号的座机号（如 0471-1234567）"


# CNIPA numbers: application numbers (ZL/CN + 12 digits + check, or the older 8 digits + check),
# and publication numbers (CN + 9 digits + kind code).
_PATENT_APPLICATION_RE = re.compile(r"^(?:ZL|CN)?(\d{12}|\d{8})\.?[\dX]$")
_PATENT_PUBLICATION_RE = re.compile(r"^CN\d{9}[ABUS]\d?$")


def normalize_patent(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def patent_error(number: str) -> str | None:
    n = normalize_patent(number)
    if _PATENT_APPLICATION_RE.match(n) or _PATENT_PUBLICATION_RE.match(n):
        return None
    return f"专利号“{number}”格式不正确（示例：ZL201910123456.7 或 CN112345678A）"


def website_error(url: str | None) -> str | None:
    """A website is shown as a link, so only http(s) addresses: "javascript:…" would run in our pages."""
    if url and not re.match(r"^https?://[^\s/]+", url.strip(), re.IGNORECASE):
        return "网站地址应以 http:// 或 https:// 开头，如 https://www.example.cn"
    return None


_LIST_SPLIT_RE = re.compile(r"[;；,，、\n]+")


def split_list(value) -> list[str]:
    """Lists come as JSON arrays or as text separated by ; , 、 (full- or half-width)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value]
    else:
        items = [v.strip() for v in _LIST_SPLIT_RE.split(str(value))]
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
