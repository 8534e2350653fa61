"""Thin forms for the delivery pages: they parse input; the services hold the rules and their messages."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.form import Form

from app.core.challenge_enums import AcceptanceResult
from app.core.forms import BaseForm, select_choices, strip, with_blank


def token(value):
    """A tampered token longer than its column is cut, not refused: the row is still saved once."""
    return (value or "")[:40] or None


class MilestoneRow(Form):
    name = StringField("里程碑", filters=[strip], render_kw={"maxlength": 100})
    due_on = StringField("到期日期", filters=[strip], render_kw={"type": "date"})
    expected = StringField("预期成果", filters=[strip], render_kw={"maxlength": 1000})
    tranche_id = HiddenField()


class SignForm(BaseForm):
    signed_on = StringField("签订日期", filters=[strip], render_kw={"type": "date"})
    amount_wan = StringField("任务书金额（万元）", filters=[strip], render_kw={"inputmode": "decimal"})
    milestones = FieldList(FormField(MilestoneRow), min_entries=1, max_entries=20)


class ReportForm(BaseForm):
    body = TextAreaField("完成情况", filters=[strip], render_kw={"rows": 5, "maxlength": 5000})
    files = MultipleFileField("附件（PDF、JPG、PNG，最多 5 个）")
    form_token = HiddenField(filters=[token])


class ReviewForm(BaseForm):
    decision = SelectField(
        "审核结论", choices=select_choices([("approve", "通过"), ("return", "退回")]), validate_choice=False
    )
    note = TextAreaField("审核意见（退回时必填）", filters=[strip], render_kw={"rows": 2, "maxlength": 1000})


class PaymentForm(BaseForm):
    tranche_id = SelectField("款项", validate_choice=False)
    amount_wan = StringField("拨付金额（万元）", filters=[strip], render_kw={"inputmode": "decimal"})
    paid_on = StringField("拨付日期", filters=[strip], render_kw={"type": "date"})
    note = StringField("备注", filters=[strip], render_kw={"maxlength": 300})
    form_token = HiddenField(filters=[token])


class GateForm(BaseForm):
    override_reason = TextAreaField(
        "理由（与排名不一致或排名并列时必填）", filters=[strip], render_kw={"rows": 2, "maxlength": 1000}
    )
    stop_reason = TextAreaField("未入围团队的终止原因", filters=[strip], render_kw={"rows": 2, "maxlength": 1000})


class ResultForm(BaseForm):
    result = SelectField("验收结论", choices=with_blank(AcceptanceResult.choices()), validate_choice=False)
    note = TextAreaField("验收说明", filters=[strip], render_kw={"rows": 3, "maxlength": 1000})
    final_amount = StringField(
        "验收结算金额（万元，通过时拨付）", filters=[strip], default="0", render_kw={"inputmode": "decimal"}
    )


class ExpertForm(BaseForm):
    """The expert's 验收 page: the declaration and the checks (one field per indicator, read from the form)."""
