"""Forms of the admin pages: the import upload and its confirmation, and the export choices."""

from __future__ import annotations

from flask import current_app
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from app.admin.services import upload_problem
from app.core.enums import PostingKind, PostingStatus
from app.core.forms import BaseForm, with_blank


class ImportUploadForm(BaseForm):
    file = FileField(
        "导入文件",
        validators=[FileRequired("请选择要导入的文件")],
        description="支持 .xlsx、.csv（UTF-8）和 .jsonl；第一行为表头，字段说明见下方。",
        render_kw={"accept": ".xlsx,.csv,.jsonl"},
    )

    def validate_file(self, field) -> None:
        problem = upload_problem(field.data, current_app.config["IMPORT_MAX_BYTES"])
        if problem:
            raise ValidationError(problem)


class ImportConfirmForm(BaseForm):
    publish = BooleanField("导入即发布（不勾选则为草稿，由机构自行提交）")
    verified = BooleanField("新建的机构直接标记为已认证")
    skip_invalid = BooleanField("跳过有错误的行，只导入正确的行")


class ExportForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that only reads

    kind = SelectField(
        "类别", choices=with_blank(PostingKind.choices(), "全部类别"), invalid_choice_message="请选择类别"
    )
    status = SelectField(
        "状态",
        choices=with_blank(PostingStatus.choices(), "全部状态"),
        default="published",
        invalid_choice_message="请选择状态",
    )
