"""Forms of the firm side: the library's filters, the marks a firm sets, and the 政策计算器 questionnaire."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DecimalField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.enums import OrgType, Tier
from app.core.forms import BaseForm, checked_by, select_choices, strip, with_blank
from app.core.industries import SECTIONS
from app.core.policy_enums import BenefitType, RevenueBand
from app.core.regions import REGIONS
from app.policies.calculator import Answers
from app.policies.firm import FILTER_STATES, LibraryFilters, WindowState
from app.policies.firm_marks import amount_error


class LibraryFilterForm(BaseForm):
    """The library's filters, read from the query string; a tampered value is ignored, not an error."""

    class Meta:
        csrf = False

    q = StringField("关键词", filters=[strip], validators=[Optional(), Length(max=100)])
    region = SelectField("盟市", choices=with_blank(REGIONS, "全部盟市"), validators=[Optional()])
    benefit = SelectField(
        "扶持方式", choices=with_blank(BenefitType.choices(), "全部扶持方式"), validators=[Optional()]
    )
    state = SelectField(
        "申报状态", choices=with_blank([(s.value, s.label) for s in FILTER_STATES], "全部状态"), validators=[Optional()]
    )

    def filters(self) -> LibraryFilters:
        self.validate()
        ok = {name: not self[name].errors and self[name].data for name in ("q", "region", "benefit", "state")}
        return LibraryFilters(
            region=self.region.data if ok["region"] else None,
            benefit_type=BenefitType.from_any(self.benefit.data) if ok["benefit"] else None,
            state=WindowState.from_any(self.state.data) if ok["state"] else None,
            text=self.q.data if ok["q"] else None,
        )


class SwitchForm(BaseForm):
    """关注 / 已申报: the wanted state, so sending the form twice does what sending it once did."""

    state = HiddenField(validators=[AnyOf(["on", "off"], "请求无效，请刷新页面后重试")])
    next = HiddenField()

    @property
    def on(self) -> bool:
        return self.state.data == "on"


class ApprovedForm(BaseForm):
    amount = StringField(
        "获批金额（万元）",
        filters=[strip],
        validators=[checked_by(amount_error)],
        render_kw={"inputmode": "decimal", "placeholder": "如 30 或 12.5"},
    )
    next = HiddenField()


class RatingForm(BaseForm):
    rating = RadioField(
        "满意度",
        choices=select_choices((str(n), f"{n} 分") for n in range(1, 6)),
        validators=[InputRequired("请选择 1 至 5 分")],
    )
    next = HiddenField()


YES_NO_UNKNOWN = select_choices([("", "不清楚"), ("yes", "是"), ("no", "否")])


class CalculatorForm(BaseForm):
    org_type = SelectField(
        "机构类型",
        choices=with_blank([(t.value, t.label) for t in OrgType if t != OrgType.AUTHORITY]),
        validators=[DataRequired("请选择机构类型")],
    )
    region = SelectField("注册地（盟市）", choices=with_blank(REGIONS), validators=[DataRequired("请选择所在盟市")])
    industry = SelectField(
        "所属行业门类", choices=with_blank(sorted(SECTIONS.items()), "不清楚"), validators=[Optional()]
    )
    tier = SelectField("梯度培育层级", choices=with_blank(Tier.choices(), "未入选"), validators=[Optional()])
    tier_year = IntegerField(
        "认定年份",
        validators=[Optional(), NumberRange(2000, 2100, "请填写四位年份，如 2025")],
        render_kw={"inputmode": "numeric"},
        description="已入选梯度培育库时填写",
    )
    years = IntegerField(
        "成立年限（年）",
        validators=[Optional(), NumberRange(0, 200, "成立年限应在 0 至 200 年")],
        render_kw={"inputmode": "numeric"},
    )
    employees = IntegerField(
        "从业人数（人）",
        validators=[Optional(), NumberRange(0, 10_000_000, "从业人数应在 0 以上")],
        render_kw={"inputmode": "numeric"},
    )
    revenue_band = SelectField(
        "上年度营业收入", choices=with_blank(RevenueBand.choices(), "不清楚"), validators=[Optional()]
    )
    rd_ratio = DecimalField(
        "研发投入占比（%）",
        places=None,
        validators=[Optional(), NumberRange(Decimal(0), Decimal(100), "研发投入占比应在 0 至 100 之间")],
        render_kw={"inputmode": "decimal"},
        description="上年度研发费用占营业收入的百分比",
    )
    high_tech = SelectField("是否高新技术企业", choices=YES_NO_UNKNOWN, validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.tier.data and self.tier_year.data is None and not self.tier_year.errors:
            self.tier_year.errors = [*self.tier_year.errors, "请填写认定年份"]
            return False
        return valid

    def answers(self) -> Answers:
        tier = Tier.from_any(self.tier.data) if self.tier.data else None
        return Answers(
            org_type=OrgType(self.org_type.data),
            region=self.region.data or None,
            industry=self.industry.data or None,
            tier=tier,
            tier_year=self.tier_year.data if tier else None,
            years=self.years.data,
            employees=self.employees.data,
            revenue_band=RevenueBand.from_any(self.revenue_band.data) if self.revenue_band.data else None,
            rd_ratio=self.rd_ratio.data,
            high_tech={"yes": True, "no": False}.get(self.high_tech.data),
        )
