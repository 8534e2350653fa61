"""Forms of the 榜单 desk and the public item page: a batch, an item with its 考核指标 and payment-plan rows (a
fixed number of rows, so the editor works without JavaScript), promoting a need, withdrawing, Q&A and the list
filters. Forms check each field; the rules across fields (plan sums to 100, M ≤ N …) live in the services."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from app.challenges.items.qa import ANSWER_MAX, QUESTION_MAX
from app.core.challenge_enums import ChallengeMode, ItemStatus, TrancheTrigger
from app.core.enums import OrgType, Tier
from app.core.forms import BaseForm, form_token_field, long_text_field, select_choices, text_field, with_blank
from app.core.glossary import INDUSTRY_HELP
from app.core.industries import industry_choices
from app.core.regions import REGIONS

ROWS = 6  # blank rows offered for 考核指标 and the payment plan
MAX_ROWS = 30  # rows read from one form (more is not a plan, it is a flood)


def _count(label: str, low: int, high: int, default: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[InputRequired(f"请填写{label}"), NumberRange(low, high, f"{label}应为 {low}–{high} 之间的整数")],
        render_kw={"inputmode": "numeric"},
    )


def _finite(form, field) -> None:
    """ "NaN" and "Infinity" parse as decimals; no amount is either."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("请填写有效的金额（万元）")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BatchForm(BaseForm):
    form_token = form_token_field()
    title = text_field("榜单名称", 200, required=True, description="例如：2027年度关键核心技术攻关榜单（第一批）")
    description = long_text_field("榜单说明", 5, description="发榜背景、支持方向、申报须知等")
    opens_on = DateField("征集开始日期", validators=[DataRequired("请填写征集开始日期（格式：2026-12-01）")])
    closes_on = DateField(
        "征集截止日期",
        validators=[DataRequired("请填写征集截止日期（格式：2026-12-31）")],
        description="截止日当天 24 时（北京时间）停止接收揭榜申请",
    )

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in ("title", "description", "opens_on", "closes_on")}


class IndicatorRow(Form):
    name = text_field("指标名称", 200)
    target = text_field("目标值", 100)
    unit = text_field("单位", 30)
    verification = text_field("考核方式", 300)


class TrancheRow(Form):
    name = text_field("款项名称", 50)
    percent = IntegerField(
        "比例（%）",
        validators=[Optional(), NumberRange(1, 100, "比例应为 1–100 的整数")],
        render_kw={"inputmode": "numeric"},
    )
    trigger = SelectField("支付节点", choices=with_blank(TrancheTrigger.choices()), validators=[Optional()])


class ItemForm(BaseForm):
    title = text_field("项目名称", 200, required=True)
    goal = long_text_field("攻关目标", 5, required=True, description="要突破的关键技术、要达到的效果")
    background = long_text_field("需求背景与现有基础", 4)
    industry = SelectField(
        "所属行业",
        choices=with_blank(industry_choices(), "请选择国民经济行业（GB/T 4754）"),
        validators=[DataRequired("请选择所属行业")],
        description=INDUSTRY_HELP,
    )
    keywords = text_field(
        "关键词", 300, description="多个用“；”“、”或逗号分隔，如：稀土；永磁；钕铁硼（用于搜索和匹配揭榜方）"
    )
    complete_by = DateField("完成时限", validators=[DataRequired("请填写完成时限（格式：2028-06-30）")])
    funding_wan = DecimalField(
        "支持经费 / 奖励（万元）",
        places=2,
        validators=[
            InputRequired("请填写支持经费"),
            _finite,
            NumberRange(0.01, 10**9, "经费应为大于 0 的金额（万元）"),
        ],
        render_kw={"inputmode": "decimal"},
    )
    indicators = FieldList(FormField(IndicatorRow), min_entries=ROWS, max_entries=MAX_ROWS)
    tranches = FieldList(FormField(TrancheRow), min_entries=ROWS, max_entries=MAX_ROWS)
    mode = SelectField("揭榜方式", choices=select_choices(ChallengeMode.choices()))
    teams_stage1 = _count("首阶段支持团队数（N）", 1, 20, 1)
    teams_kept = _count("阶段评估后保留团队数（M）", 1, 20, 1)
    eligible_org_types = MultiCheckboxField("可揭榜的机构类型（不选为不限）", choices=select_choices(OrgType.choices()))
    eligible_regions = MultiCheckboxField("可揭榜的盟市（不选为不限）", choices=select_choices(REGIONS))
    min_tier = SelectField("最低梯度培育层级", choices=with_blank(Tier.choices(), "不限"), validators=[Optional()])
    required_certificates = text_field(
        "必须具备的资质", 500, description="多个用“；”“、”或逗号分隔，如：高新技术企业；ISO 9001"
    )
    other_conditions = long_text_field("其他揭榜条件", 3, longest=5000)
    consortium_allowed = BooleanField("允许联合体揭榜", default=True)
    max_partners = _count("联合体成员上限（不含牵头单位）", 0, 20, 4)
    ip_terms = long_text_field("知识产权约定", 3, longest=5000)
    experts_per_application = _count("每份申请的评审专家数", 1, 15, 3)
    blind_review = BooleanField("盲评（专家看不到揭榜方名称）")

    SCALARS = (
        "title",
        "goal",
        "background",
        "industry",
        "keywords",
        "complete_by",
        "funding_wan",
        "mode",
        "teams_stage1",
        "teams_kept",
        "eligible_org_types",
        "eligible_regions",
        "min_tier",
        "required_certificates",
        "other_conditions",
        "consortium_allowed",
        "max_partners",
        "ip_terms",
        "experts_per_application",
        "blind_review",
    )

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in self.SCALARS}
        data["indicators"] = [row.form.data for row in self.indicators]
        data["tranches"] = [row.form.data for row in self.tranches]
        return data

    def fill_rows(self, indicators=(), tranches=()) -> None:
        """Existing rows first, then blank ones up to ROWS (always at least two blank rows to add to)."""
        _fill(
            self.indicators,
            [{k: getattr(r, k) for k in ("name", "target", "unit", "verification")} for r in indicators],
        )
        _fill(self.tranches, [{"name": r.name, "percent": r.percent, "trigger": r.trigger.value} for r in tranches])


def _fill(field_list: FieldList, rows: list[dict]) -> None:
    while field_list.entries:
        field_list.pop_entry()
    for row in rows:
        field_list.append_entry(row)
    while len(field_list.entries) < min(MAX_ROWS, max(ROWS, len(rows) + 2)):
        field_list.append_entry()


class PromoteForm(BaseForm):
    batch_id = SelectField("放入榜单", validators=[DataRequired("请选择榜单")], coerce=str)


class WithdrawForm(BaseForm):
    reason = long_text_field("撤榜原因", 2, required=True, longest=500)


class QuestionForm(BaseForm):
    form_token = form_token_field()
    body = long_text_field("问题", 3, required=True, longest=QUESTION_MAX)


class AnswerForm(BaseForm):
    answer = long_text_field("答复", 3, required=True, longest=ANSWER_MAX)


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    PUBLIC_STATUSES = [s for s in ItemStatus if s not in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)]

    status = SelectField(
        "状态", choices=with_blank([(s.value, s.label) for s in PUBLIC_STATUSES], "全部状态"), validators=[Optional()]
    )
    mode = SelectField("方式", choices=with_blank(ChallengeMode.choices(), "全部方式"), validators=[Optional()])
