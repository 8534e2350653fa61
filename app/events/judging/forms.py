"""Forms of the judging pages. The pages keep their own input names: the rubric's rows repeat name, weight and
max_score; the line-up has order-<presenter id> and starts-<presenter id>; a score sheet has c<criterion id>
and comment. The services check the rules; these forms read the input and say when a line-up value cannot
even be read."""

from __future__ import annotations

from datetime import datetime

from wtforms import Field, StringField, TextAreaField

from app.core.clock import to_utc
from app.core.forms import BaseForm, checked_by
from app.core.web import id_list
from app.events.judging.models import Criterion, Presenter
from app.events.judging.scores import field_name
from app.events.judging.services import CriterionInput


def _first_id(text: str | None) -> int | None:
    ids = id_list([text or ""])
    return ids[0] if ids else None


class ListField(Field):
    """An input repeated on the page (several inputs of one name): `data` lists their values in page order."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class RubricForm(BaseForm):
    name = ListField("评分项名称")
    weight = ListField("权重（%）")
    max_score = ListField("满分")

    def rows(self) -> list[CriterionInput]:
        columns = (self.name.data or [], self.weight.data or [], self.max_score.data or [])
        return [CriterionInput(n, w, m) for n, w, m in zip(*columns, strict=False)]


class JudgeForm(BaseForm):
    """A candidate's button posts user_id; the e-mail box posts email."""

    user_id = StringField()
    email = StringField("评委邮箱")

    def user(self) -> int | None:
        return _first_id(self.user_id.data)

    def email_given(self) -> str | None:
        return self.email.data if self.email.raw_data else None


class PresenterForm(BaseForm):
    registration_id = StringField(
        "出场企业", validators=[checked_by(lambda v: None if _first_id(v) else "请选择要加入出场名单的企业")]
    )
    project = StringField("路演项目名称", default="")

    def registration(self) -> int:
        return _first_id(self.registration_id.data)


class OrderField(StringField):
    """出场顺序: a whole number of at most three digits (the service checks range and clashes)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            raise ValueError(f"“{self.label.text}”的出场顺序须为 1 到 999 的整数")
        self.data = int(text)


class StartField(StringField):
    """出场时间: a datetime-local input in Beijing time, as naive UTC; blank is None."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = to_utc(datetime.fromisoformat(text))
            except (ValueError, OverflowError):
                raise ValueError(f"“{self.label.text}”的出场时间格式不对") from None


class LineupForm(BaseForm):
    presenter_ids: list[int] = []

    @classmethod
    def for_lineup(cls, lineup: list[Presenter]) -> type[LineupForm]:
        """The form class for this line-up: an order and a start time per presenter, in line-up order."""
        fields = {}
        for p in lineup:
            fields[f"order-{p.id}"] = OrderField(p.name)
            fields[f"starts-{p.id}"] = StartField(p.name)
        return type("LineupForm", (cls,), {**fields, "presenter_ids": [p.id for p in lineup]})

    def slots(self) -> dict[int, tuple[int, datetime | None]]:
        return {pid: (self[f"order-{pid}"].data, self[f"starts-{pid}"].data) for pid in self.presenter_ids}


class ScoreForm(BaseForm):
    comment = TextAreaField("评语", default="")
    criterion_fields: list[str] = []

    @classmethod
    def for_rubric(cls, rubric: list[Criterion]) -> type[ScoreForm]:
        """The form class for this rubric: one score per criterion, named as on the page."""
        names = [field_name(c) for c in rubric]
        return type("ScoreForm", (cls,), {**{n: StringField(default="") for n in names}, "criterion_fields": names})

    def values(self) -> dict[str, str]:
        """The scores as typed, by input name (blank when not given)."""
        return {name: self[name].data for name in self.criterion_fields}

    def typed(self) -> dict[str, str]:
        """Everything typed, to show again beside the errors."""
        return {**self.values(), "comment": self.comment.data}
