"""Forms of the staff pages: a policy, an item (its rule comes from the rule builder, staff_rules.py), withdrawing,
the list filters and the import upload."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import (
    BaseForm,
    form_token_field,
    long_text_field,
    none_if_blank,
    select_choices,
    strip,
    text_field,
    with_blank,
)
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.core.validators import website_error

POLICY_FIELDS = (
    "title",
    "issuer",
    "doc_number",
    "scope",
    "region",
    "published_on",
    "effective_on",
    "expires_on",
    "body",
    "interpretation",
    "source_url",
)
ITEM_FIELDS = (
    "title",
    "benefit_type",
    "amount_min_wan",
    "amount_max_wan",
    "opens_on",
    "closes_on",
    "materials",
    "how_to_apply",
    "contact",
)


def _url(form, field) -> None:
    if field.data and website_error(field.data):
        raise ValidationError("原文链接应以 http:// 或 https:// 开头")


class PolicyForm(BaseForm):
    form_token = form_token_field()
    title = text_field("标题", 300, required=True)
    issuer = text_field("发文部门", 200, required=True, description="例如：包头市工业和信息化局")
    doc_number = text_field("文号", 100, description="例如：包工信发〔2026〕8号")
    scope = SelectField(
        "适用层级", choices=select_choices(PolicyScope.choices()), invalid_choice_message="请选择适用层级"
    )
    region = SelectField("适用地区", invalid_choice_message="请选择适用地区")
    published_on = DateField("发布日期", validators=[Optional()])
    effective_on = DateField("生效日期", validators=[Optional()])
    expires_on = DateField("失效日期", validators=[Optional()], description="过了这一天，政策自动改为“已失效”")
    body = long_text_field("政策全文", 8, longest=50_000)
    interpretation = long_text_field("政策解读（通俗说明）", 4, longest=50_000)
    source_url = StringField(
        "原文链接",
        filters=[strip, none_if_blank],
        validators=[Optional(), Length(max=500, message="原文链接不能超过 500 个字"), _url],
    )

    issuing_org_id = SelectField("发文机构（主管部门）", coerce=str, validators=[Optional()], validate_choice=False)

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in POLICY_FIELDS}


class ItemForm(BaseForm):
    title = text_field("事项名称", 300, required=True)
    benefit_type = SelectField(
        "支持方式", choices=with_blank(BenefitType.choices()), validators=[DataRequired("请选择支持方式")]
    )
    amount_min_wan = DecimalField(
        "最低金额（万元）",
        places=2,
        validators=[Optional(), NumberRange(0, 10**10, "金额应为不小于 0 的数字")],
        render_kw={"inputmode": "decimal"},
    )
    amount_max_wan = DecimalField(
        "最高金额（万元）",
        places=2,
        validators=[Optional(), NumberRange(0, 10**10, "金额应为不小于 0 的数字")],
        render_kw={"inputmode": "decimal"},
    )
    opens_on = DateField("申报开始日期", validators=[Optional()])
    closes_on = DateField("申报截止日期", validators=[Optional()])
    materials = long_text_field("申报材料", 3, longest=50_000)
    how_to_apply = long_text_field("申报方式与地点", 3, longest=50_000)
    contact = text_field("联系方式", 300)

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in ITEM_FIELDS}
        data["benefit_type"] = BenefitType(data["benefit_type"])
        return data


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "撤回原因",
        filters=[strip],
        validators=[DataRequired("请填写撤回原因"), Length(max=500, message="撤回原因不能超过 500 个字")],
        render_kw={"rows": 2},
    )


class ImportForm(BaseForm):
    file = FileField(
        "政策文件（.xlsx 或 .jsonl）",
        validators=[
            FileRequired("请选择要导入的文件"),
            FileAllowed(["xlsx", "jsonl"], "只支持 .xlsx 或 .jsonl 文件"),
        ],
    )
    publish = SelectField(
        "未写明状态的政策",
        choices=select_choices([("", "导入为草稿"), ("1", "导入即发布")]),
        validators=[Optional()],
    )


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField("状态", choices=with_blank(PolicyStatus.choices(), "全部状态"), validators=[Optional()])
    scope = SelectField("层级", choices=with_blank(PolicyScope.choices(), "全部层级"), validators=[Optional()])
    q = StringField("关键词", filters=[strip], validators=[Optional(), Length(max=100)])


class AttachmentForm(BaseForm):
    attachment = FileField("附件（PDF、JPG、PNG）", validators=[FileRequired("请选择要上传的文件")])
