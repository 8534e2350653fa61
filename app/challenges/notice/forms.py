"""Thin forms of the decision, 公示, objection and working-day pages; the services hold the rules and messages."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.challenges.notice.objections import ANSWER_MAX, REASONS_MAX, REASONS_MIN
from app.challenges.notice.services import DAYS_DEFAULT, DAYS_MAX, DAYS_MIN, REASON_MAX, TEXT_MAX
from app.challenges.notice.workdays import NOTE_MAX
from app.core.forms import BaseForm, select_choices, strip
from app.core.uploads import ACCEPT

DEFAULT_TEXT = (
    "经形式审查、专家评审和发榜方研究，现将拟揭榜单位予以公示。公示期内，任何单位对公示内容有异议的，"
    "可在本页面以单位名义提交书面异议，写明事实和理由并附证明材料。发榜方将对异议逐一核实答复，"
    "异议人身份予以保密。"
)


class PublishForm(BaseForm):
    # The picks come as repeated `application_ids` values (radio or checkboxes of the standings table).
    working_days = SelectField(
        "公示期",
        default=str(DAYS_DEFAULT),
        validate_choice=False,
        description=f"{DAYS_MIN}–{DAYS_MAX} 个工作日，按国家法定节假日和调休计算，从发布当日（非工作日则顺延）起算。",
    )
    text = TextAreaField(
        "公示说明",
        default=DEFAULT_TEXT,
        filters=[strip],
        description="公开显示在公示页上；发榜单位的联系人和电话会一并显示。",
        render_kw={"rows": 4, "maxlength": TEXT_MAX},
    )
    reason = TextAreaField(
        "选择理由",
        filters=[strip],
        description="未按评审排名选择，或赛马制选择的团队少于计划数时必填；记入审计记录。",
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


class FailForm(BaseForm):
    reason = TextAreaField(
        "流榜原因",
        filters=[strip],
        description="公开显示在项目页上，并通知所有申报单位。",
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "撤销原因",
        filters=[strip],
        description="如拟揭榜单位书面放弃。撤销后可重新作出决定并发布新一轮公示。",
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


class ObjectionForm(BaseForm):
    application_id = SelectField("异议对象", validate_choice=False)
    reasons = TextAreaField(
        "异议事实和理由",
        filters=[strip],
        description=f"至少{REASONS_MIN}个字。请写明具体事实、依据和联系方式；您的单位和姓名只有发榜方可见。",
        render_kw={"rows": 6, "maxlength": REASONS_MAX, "minlength": REASONS_MIN},
    )
    files = MultipleFileField("证明材料（可选，PDF、JPG、PNG，最多 5 个）", render_kw={"accept": ACCEPT})
    # A tampered token longer than its column is cut, not refused: the objection is still saved once.
    form_token = HiddenField(filters=[lambda v: (v or "")[:40] or None])


class AnswerForm(BaseForm):
    decision = RadioField(
        "答复结论", choices=select_choices([("dismiss", "异议不成立"), ("uphold", "异议成立")]), validate_choice=False
    )
    answer = TextAreaField(
        "答复意见",
        filters=[strip],
        description="答复意见会告知异议单位。",
        render_kw={"rows": 3, "maxlength": ANSWER_MAX},
    )


class WorkdayForm(BaseForm):
    day = DateField("日期", validators=[Optional()])
    kind = RadioField(
        "当天",
        choices=select_choices([("off", "放假"), ("work", "上班（调休）")]),
        default="off",
        validate_choice=False,
    )
    note = StringField(
        "说明", filters=[strip], description="如：国庆节、国庆调休上班", render_kw={"maxlength": NOTE_MAX}
    )
