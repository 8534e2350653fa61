"""Forms of the review pages. The rubric and score sheets are the event judging forms (same rubric engine,
same inputs: name/weight/max_score rows; c<criterion id> and comment); the services check the rules."""

from __future__ import annotations

from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import Optional

from app.core.forms import BaseForm, select_choices, strip
from app.core.industries import SECTIONS
from app.events.judging.forms import RubricForm, ScoreForm
from app.postings.forms import MultiCheckboxField

__all__ = [
    "ActionForm",
    "ConflictForm",
    "DeclarationForm",
    "DefenceForm",
    "ExpertForm",
    "FailForm",
    "ManualAssignForm",
    "ReturnForm",
    "RubricForm",
    "ScoreForm",
]


class ActionForm(BaseForm):
    """A button that changes something: the CSRF token only."""


class FailForm(BaseForm):
    reason = TextAreaField("不通过的理由", filters=[strip])


class ReturnForm(BaseForm):
    reasons = TextAreaField("需补正的内容", filters=[strip])
    resubmit_by = DateField("补正截止日期", validators=[Optional()])


class ExpertForm(BaseForm):
    email = StringField("注册邮箱", filters=[strip], description="专家须已在平台注册；按注册邮箱查找")
    title = StringField("职称", filters=[strip], description="如：研究员、教授级高级工程师")
    affiliation = StringField("工作单位", filters=[strip], description="留空则取其账号所属机构")
    fields = StringField("专业领域", filters=[strip], description="多个领域用逗号或顿号（、）分隔")
    industries = MultiCheckboxField(
        "熟悉的行业（GB/T 4754 门类）",
        choices=select_choices((code, f"{code} {name}") for code, name in SECTIONS.items()),
        validate_choice=False,
    )


class ManualAssignForm(BaseForm):
    application_id = StringField()
    expert_id = StringField()


class DeclarationForm(BaseForm):
    confirm = BooleanField("我已阅读并作出上述承诺")


class ConflictForm(BaseForm):
    note = TextAreaField("存在的利益冲突", filters=[strip])


class DefenceForm(BaseForm):
    event_id = StringField("答辩活动")
