"""One thin form per kind of posting. Fields carry the import names of app/postings/schema.py; the form does
no checking of its own beyond the house rule every form keeps (single-line fields are one line, BaseForm): the
service runs clean_posting, which holds the import to the same rule; show_form_error puts the service's errors
next to its fields."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.enums import ACHIEVEMENT_MODES, NEED_MODES, PostingKind, Tier
from app.core.forms import BaseForm, form_token_field, select_choices, with_blank
from app.core.glossary import INDUSTRY_HELP, TRL_HELP, trl_choices
from app.core.industries import industry_choices
from app.core.regions import REGIONS
from app.postings.listing import decimal_text
from app.postings.models import Posting
from app.postings.schema import FIELD_LABELS, KIND_FIELDS, NEGOTIABLE, REQUIRED, TITLE_MAX

L = FIELD_LABELS
LIST_HINT = "多个用“；”“、”或逗号分隔"
HEAD_FIELDS = ("title", "keywords", "industry", "region")
CONTACT_FIELDS = ("contact", "contact_phone", "contact_email")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _select(label, pairs, blank):
    return SelectField(label, choices=with_blank(pairs, blank), validate_choice=False)


def _modes(label, modes):
    return MultiCheckboxField(label, choices=select_choices((m.value, m.label) for m in modes), validate_choice=False)


class PostingForm(BaseForm):
    kind: PostingKind

    # Only ever our own random token; a tampered, longer one is cut to the column size (40) rather than failing.
    form_token = form_token_field()
    title = StringField(L["title"], render_kw={"maxlength": TITLE_MAX})
    keywords = StringField(L["keywords"], description=f"{LIST_HINT}，最多20个，如：稀土；永磁；电机")
    industry = SelectField(
        L["industry"],
        choices=with_blank(industry_choices(), "请选择国民经济行业（GB/T 4754）"),
        validate_choice=False,
        description=INDUSTRY_HELP,
    )
    region = _select(L["region"], REGIONS, "请选择盟市")
    contact = StringField(L["contact"], description="留空则使用机构资料中的联系人")
    contact_phone = StringField("联系电话", render_kw={"inputmode": "tel"}, description="仅本机构成员和平台管理员可见")
    contact_email = StringField("联系邮箱", render_kw={"inputmode": "email"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REQUIRED[self.kind]:
            self[name].flags.required = True

    @property
    def sections(self) -> list[tuple[str, list]]:
        """Fields in the order people fill them in, grouped under headings."""
        detail = [*KIND_FIELDS[self.kind], *(["attachment"] if "attachment" in self else [])]
        groups = (("基本信息", HEAD_FIELDS), (f"{self.kind.label}详情", detail), ("联系方式", CONTACT_FIELDS))
        return [(title, [self[name] for name in names]) for title, names in groups]

    def raw(self) -> dict:
        """The input for create_posting / update_posting."""
        return {f.name: f.data for _, fields in self.sections for f in fields if f.name != "attachment"}


class AchievementForm(PostingForm):
    kind = PostingKind.ACHIEVEMENT
    summary = TextAreaField(L["summary"], render_kw={"rows": 8}, description="技术原理、创新点、应用领域、转化条件")
    trl = SelectField(L["trl"], choices=with_blank(trl_choices()), validate_choice=False, description=TRL_HELP)
    cooperation = _modes(L["cooperation"], ACHIEVEMENT_MODES)
    year = StringField(L["year"], render_kw={"inputmode": "numeric", "maxlength": 4})
    patents = StringField(L["patents"], description=f"{LIST_HINT}，如：ZL201910123456.7")
    attachment = FileField("附件", render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})


class NeedForm(PostingForm):
    kind = PostingKind.NEED
    description = TextAreaField(
        L["description"], render_kw={"rows": 8}, description="要解决的技术问题、现有基础、预期目标"
    )
    budget_wan = StringField(L["budget_wan"], render_kw={"inputmode": "decimal"})
    deadline = StringField(L["deadline"], render_kw={"type": "date"})
    challenge = BooleanField("揭榜挂帅（张榜悬赏，能者揭榜）")
    reward_wan = StringField(
        L["reward_wan"],
        render_kw={"inputmode": "decimal"},
        description=f"揭榜挂帅需求填写奖金金额；暂未确定可留空或填“{NEGOTIABLE[0]}”，页面将显示为{NEGOTIABLE[0]}",
    )
    ip_terms = TextAreaField(L["ip_terms"], render_kw={"rows": 3})
    cooperation = _modes(L["cooperation"], NEED_MODES)


class ProcurementForm(PostingForm):
    kind = PostingKind.PROCUREMENT
    description = TextAreaField(L["description"], render_kw={"rows": 8}, description="采购内容、技术参数、交付要求")
    quantity = StringField(L["quantity"], description="如：500 吨/年、2 套")
    deadline = StringField(L["deadline"], render_kw={"type": "date"})
    qualifications = TextAreaField(L["qualifications"], render_kw={"rows": 3})


class CapabilityForm(PostingForm):
    kind = PostingKind.CAPABILITY
    description = TextAreaField(
        L["description"], render_kw={"rows": 8}, description="主营产品、核心技术、产能与服务能力"
    )
    certifications = StringField(L["certifications"], description=f"{LIST_HINT}，如：ISO 9001；高新技术企业")
    tier = _select(L["tier"], Tier.choices(), "按机构在培育库中的认定自动填写")


FORMS: dict[PostingKind, type[PostingForm]] = {
    form.kind: form for form in (AchievementForm, NeedForm, ProcurementForm, CapabilityForm)
}


def form_data(posting: Posting) -> dict:
    """A posting as the form's initial values (the reverse of what clean_posting does)."""
    joined = "；".join
    return {
        "title": posting.title,
        "keywords": joined(posting.keywords or []),
        "industry": posting.industry or "",
        "region": posting.region or "",
        "summary": posting.body,
        "description": posting.body,
        "contact": posting.contact_name or "",
        "contact_phone": posting.contact_phone or "",
        "contact_email": posting.contact_email or "",
        "trl": str(posting.trl or ""),
        "cooperation": [m.value for m in posting.cooperation],
        "year": str(posting.year or ""),
        "patents": joined(posting.patents or []),
        "budget_wan": decimal_text(posting.budget_wan),
        "deadline": posting.deadline.isoformat() if posting.deadline else "",
        "challenge": posting.challenge,
        "reward_wan": decimal_text(posting.reward_wan),
        "ip_terms": posting.ip_terms or "",
        "quantity": posting.quantity or "",
        "qualifications": posting.qualifications or "",
        "certifications": joined(posting.certifications or []),
        "tier": posting.tier.value if posting.tier else "",
    }
