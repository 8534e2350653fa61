"""Thin forms for docking pages: they parse input; the services hold the rules and their messages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.core.enums import ContractType, DeclineReason, DockingStage
from app.core.forms import BaseForm, strip, with_blank
from app.docking.records import TEXT_MAX
from app.docking.services import MESSAGE_MAX, NOTE_MAX


def optional_id(value):
    """A select's value as an id, or None for the blank choice or anything that is not an id."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 9 else None


class RequestForm(BaseForm):
    own_posting_id = SelectField("本机构的相关信息（可选）", coerce=optional_id, validate_choice=False)
    message = TextAreaField(
        "对接留言",
        filters=[strip],
        validators=[Length(max=MESSAGE_MAX, message=f"留言不能超过{MESSAGE_MAX}个字")],
        description="简要说明合作意向、可提供的资源或希望对方提供的支持。对方接受后，双方可以互相看到联系方式。",
        render_kw={"rows": 5, "maxlength": MESSAGE_MAX},
    )
    match_id = HiddenField(filters=[optional_id])
    # A tampered token longer than its column is cut, not refused: the request is still saved once.
    form_token = HiddenField(filters=[lambda v: (v or "")[:40] or None])


class DeclineForm(BaseForm):
    reason = SelectField("婉拒原因", choices=with_blank(DeclineReason.choices()), validate_choice=False)
    note = TextAreaField(
        "补充说明（可选）",
        filters=[strip],
        validators=[Length(max=NOTE_MAX, message=f"补充说明不能超过{NOTE_MAX}个字")],
        render_kw={"rows": 2, "maxlength": NOTE_MAX},
    )


class StageForm(BaseForm):
    stage = SelectField("新的阶段", validate_choice=False)
    contract_type = SelectField("合同类型", choices=with_blank(ContractType.choices()), validate_choice=False)
    amount_wan = StringField("合同金额（万元）", filters=[strip], render_kw={"inputmode": "decimal"})
    signed_on = StringField("签约日期", filters=[strip], render_kw={"type": "date"})
    completed_on = StringField("验收日期", filters=[strip], render_kw={"type": "date"})
    note = TextAreaField(
        "说明",
        filters=[strip],
        description="终止时请写明原因；完成时请写验收说明。",
        render_kw={"rows": 2, "maxlength": TEXT_MAX},
    )

    def set_stages(self, current: DockingStage) -> None:
        """Offer only the moves that can be made from the current stage."""
        later = [s for s in DockingStage if s.rank > current.rank and s != DockingStage.TERMINATED]
        if current != DockingStage.SIGNED:
            later = [s for s in later if s != DockingStage.COMPLETED]
        self.stage.choices = with_blank([(s.value, s.label) for s in [*later, DockingStage.TERMINATED]])


class NoteForm(BaseForm):
    text = TextAreaField(
        "添加备注",
        filters=[strip],
        render_kw={"rows": 3, "maxlength": TEXT_MAX, "placeholder": "记录沟通进展、会谈纪要等"},
    )


class FileForm(BaseForm):
    attachment = FileField("上传文件（PDF、JPG、PNG）")
