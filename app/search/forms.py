"""Forms of the dictionary admin pages; the rules themselves live in app/search/dictionary.py."""

from __future__ import annotations

from wtforms import StringField

from app.core.forms import BaseForm, strip
from app.search.dictionary import MAX_TERM_CHARS, NOTE_MAX


class SynonymForm(BaseForm):
    terms = StringField(
        "同义词",
        filters=[strip],
        description="同一个意思的不同说法，用逗号或顿号分隔，如：钕铁硼，稀土永磁，NdFeB。保存后立即对搜索生效。",
        render_kw={"placeholder": "钕铁硼，稀土永磁，NdFeB", "maxlength": 1000},
    )
    note = StringField("备注", filters=[strip], render_kw={"maxlength": NOTE_MAX})


class WordForm(BaseForm):
    word = StringField(
        "词语",
        filters=[strip],
        description="分词时要保持完整的专业词，如：白云鄂博、风挡防雾。修改词典后需重建索引才对已有信息生效。",
        render_kw={"maxlength": MAX_TERM_CHARS},
    )
    frequency = StringField("词频（可不填）", filters=[strip], description="越大越倾向于切成整词；不确定就留空。")
    note = StringField("备注", filters=[strip], render_kw={"maxlength": NOTE_MAX})
