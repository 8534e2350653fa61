"""Forms of the annual lists: creating one, and choosing postings for it by filters."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.clock import local_today
from app.core.enums import ListKind, OrgType
from app.core.forms import BaseForm, select_choices, with_blank
from app.core.industries import industry_choices
from app.core.regions import REGIONS
from app.postings.forms import MultiCheckboxField

FIRST_YEAR = 2015


def year_pairs() -> list[tuple[int, str]]:
    return [(year, f"{year}年") for year in range(local_today().year + 1, FIRST_YEAR - 1, -1)]


def _year_or_none(value) -> int | None:
    return int(value) if value not in (None, "") else None


class CatalogListForm(BaseForm):
    title = StringField(
        "清单名称",
        validators=[DataRequired("请填写清单名称"), Length(max=200, message="清单名称不能超过200个字")],
        description="例如：2026年高校院所创新成果清单、2026年中小企业研发攻关需求清单",
    )
    kind = SelectField("清单类别", choices=select_choices(ListKind.choices()), invalid_choice_message="请选择清单类别")
    year = SelectField("年度", coerce=int, invalid_choice_message="请选择年度")
    description = TextAreaField(
        "说明", validators=[Optional(), Length(max=2000, message="说明不能超过2000个字")], render_kw={"rows": 3}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = select_choices(year_pairs())
        if self.year.data is None:
            self.year.data = local_today().year


class ListFilterForm(BaseForm):
    """Which published postings of the list's kind to add; all filters empty = every published one."""

    year = SelectField("发布年度", coerce=_year_or_none, invalid_choice_message="请选择年度")
    industry = SelectField("所属行业", invalid_choice_message="请选择行业")
    region = SelectField("所在地区", invalid_choice_message="请选择地区")
    org_types = MultiCheckboxField(
        "机构类型", choices=select_choices(OrgType.choices()), invalid_choice_message="机构类型无效"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = with_blank(year_pairs(), "不限")
        self.industry.choices = with_blank(industry_choices(), "不限")
        self.region.choices = with_blank(REGIONS, "不限")
