"""Forms of the booth pages: lay out booths, apply for one, assign or decline an application."""

from __future__ import annotations

from wtforms import BooleanField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.enums import BoothSize
from app.core.forms import BaseForm, select_choices, strip, with_blank
from app.postings.forms import MultiCheckboxField


class BoothBatchForm(BaseForm):
    numbers = StringField(
        "展位号",
        filters=[strip],
        validators=[DataRequired("请填写展位号"), Length(max=500)],
        description="单个如 A01，批量如 A01-A20，多段用逗号隔开：A01-A20, B01-B10",
    )
    zone = StringField("展区", filters=[strip], validators=[Length(max=50)], description="如：新材料展区、A 馆")
    size = SelectField("规格", choices=select_choices(BoothSize.choices()), default=BoothSize.STANDARD.value)
    area_m2 = DecimalField(
        "面积（m²）",
        places=1,
        validators=[Optional(), NumberRange(min=0.5, max=100000, message="面积应在 0.5 到 100000 m² 之间")],
    )
    note = StringField("备注", filters=[strip], validators=[Length(max=200)])


class BoothApplyForm(BaseForm):
    preferred_zone = StringField("意向展区", filters=[strip], validators=[Length(max=50)])
    preferred_size = SelectField("意向规格", choices=with_blank(BoothSize.choices(), "不限"), validate_choice=True)
    note = TextAreaField("说明", filters=[strip], validators=[Length(max=500)], description="如：需要用电、展品尺寸等")
    postings = MultiCheckboxField(
        "展示内容（本单位已发布的企业能力/科技成果，最多 5 项）", coerce=str, validate_choice=False
    )


class AssignForm(BaseForm):
    booth_id = SelectField("展位", validate_choice=False)
    allow_extra = BooleanField("允许多个展位（该展商已有展位时仍分配）")


class RejectForm(BaseForm):
    reason = StringField(
        "未通过原因", filters=[strip], validators=[DataRequired("请填写未通过的原因"), Length(max=500)]
    )
