"""Forms for the organisation profile, members, tiers and the admin pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.core.clock import local_today
from app.core.enums import OrgSize, OrgType, Tier, VerificationStatus
from app.core.forms import BaseForm, checked_by, strip, upper, with_blank
from app.core.glossary import INDUSTRY_HELP
from app.core.industries import industry_choices
from app.core.regions import REGIONS
from app.core.uploads import ACCEPT
from app.core.validators import credit_code_error, normalize_phone, phone_error, website_error
from app.organizations.services import OrgProfile


class OrgProfileForm(BaseForm):
    name = StringField(
        "机构名称",
        filters=[strip],
        validators=[DataRequired("请填写机构全称"), Length(max=200)],
        description="与营业执照或法人登记证书一致",
    )
    org_type = SelectField(
        "机构类型", choices=with_blank(OrgType.choices()), validators=[DataRequired("请选择机构类型")]
    )
    credit_code = StringField(
        "统一社会信用代码",
        filters=[upper],
        validators=[DataRequired("请填写统一社会信用代码"), checked_by(credit_code_error)],
        render_kw={"maxlength": 18, "autocapitalize": "characters"},
    )
    region = SelectField("所在盟市", choices=with_blank(REGIONS), validators=[DataRequired("请选择所在盟市")])
    industry = SelectField(
        "所属行业（GB/T 4754）",
        choices=with_blank(industry_choices()),
        validators=[DataRequired("请选择所属行业")],
        description=INDUSTRY_HELP,
    )
    size = SelectField("企业规模", choices=with_blank(OrgSize.choices(), "不适用 / 未填写"), validators=[Optional()])
    group_name = StringField(
        "所属集团",
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        description="如属于某集团请填写集团全称；同一集团的机构之间不做匹配推荐",
    )
    contact_name = StringField("联系人", filters=[strip], validators=[DataRequired("请填写联系人"), Length(max=50)])
    contact_phone = StringField(
        "联系电话",
        filters=[normalize_phone],
        validators=[DataRequired("请填写联系电话"), checked_by(phone_error)],
        render_kw={"inputmode": "tel"},
    )
    contact_email = EmailField(
        "联系邮箱",
        filters=[strip],
        validators=[Optional(), Email("邮箱格式不正确"), Length(max=254)],
        description="留空则使用注册邮箱；联系方式不对外公开",
    )
    address = StringField("地址", filters=[strip], validators=[Optional(), Length(max=300)])
    website = URLField("网站", filters=[strip], validators=[Optional(), Length(max=300), checked_by(website_error)])
    description = TextAreaField(
        "机构简介", filters=[strip], validators=[Optional(), Length(max=2000)], render_kw={"rows": 4}
    )

    PROFILE_FIELDS = (
        "name",
        "org_type",
        "credit_code",
        "region",
        "industry",
        "size",
        "group_name",
        "contact_name",
        "contact_phone",
        "contact_email",
        "address",
        "website",
        "description",
    )

    def to_profile(self) -> OrgProfile:
        values = {f: getattr(self, f).data for f in self.PROFILE_FIELDS}
        values["org_type"] = OrgType(values["org_type"])
        values["size"] = OrgSize(values["size"]) if values["size"] else None
        return OrgProfile(**values)

    def fill_from(self, org) -> None:
        for f in self.PROFILE_FIELDS:
            if f != "group_name":
                value = getattr(org, f)
                getattr(self, f).data = value.value if hasattr(value, "value") else value
        self.group_name.data = org.group.name if org.group else ""


def licence_field(*validators) -> FileField:
    return FileField("营业执照", validators=list(validators), render_kw={"accept": ACCEPT})


class LicenceForm(BaseForm):
    """Upload or replace the 营业执照 from the organisation's edit page."""

    licence = licence_field(FileRequired("请选择营业执照文件"))


class InviteForm(BaseForm):
    email = EmailField(
        "同事邮箱", filters=[strip], validators=[DataRequired("请填写邮箱"), Email("邮箱格式不正确"), Length(max=254)]
    )


class TierForm(BaseForm):
    tier = SelectField("梯度层级", choices=with_blank(Tier.choices()), validators=[DataRequired("请选择层级")])
    year = IntegerField(
        "认定年份",
        validators=[DataRequired("请填写认定年份"), NumberRange(2000, 2100, "请填写四位年份")],
        render_kw={"inputmode": "numeric"},
    )
    expires_on = DateField("有效期至", validators=[Optional()])
    certificate_no = StringField("证书编号", filters=[strip], validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.year.data is None and not self.is_submitted():
            self.year.data = local_today().year


class DecisionForm(BaseForm):
    reason = TextAreaField(
        "退回原因", filters=[strip], validators=[Length(max=1000)], render_kw={"rows": 2, "placeholder": "退回时必填"}
    )


class OrgFilterForm(BaseForm):
    """The admin list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField("关键词", filters=[strip], render_kw={"placeholder": "名称或信用代码"})
    org_type = SelectField("类型", choices=with_blank(OrgType.choices(), "全部类型"), validators=[Optional()])
    region = SelectField("盟市", choices=with_blank(REGIONS, "全部盟市"), validators=[Optional()])
    verification = SelectField(
        "认证状态", choices=with_blank(VerificationStatus.choices(), "全部状态"), validators=[Optional()]
    )

    def filters(self) -> dict:
        """Only valid values filter; a tampered query string is ignored rather than an error."""
        self.validate()
        return {
            "keyword": self.q.data,
            "org_type": OrgType.from_any(self.org_type.data) if not self.org_type.errors else None,
            "region": self.region.data if not self.region.errors else None,
            "verification": VerificationStatus.from_any(self.verification.data)
            if not self.verification.errors
            else None,
        }
