"""The apply form (揭榜申报书), the partner's answer and the issuer's invitation.

Repeated parts (team, budget, milestones, partners) are rows; a blank row is not saved, and a few blank rows are
offered after the filled ones. One 指标实现说明 per 考核指标 of the item, in the item's order.
"""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, Form, HiddenField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from app.challenges.applications.inputs import (
    CELL_MAX,
    PART_MAX,
    PLAN_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    ApplicationInput,
    PartnerInput,
)
from app.challenges.applications.invites import MESSAGE_MAX
from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.core.forms import BaseForm, form_token_field, select_choices, strip
from app.core.uploads import ACCEPT
from app.core.web import id_list
from app.postings.forms import MultiCheckboxField
from app.postings.models import Posting

BLANK_ROWS = {"team": 2, "budget": 2, "milestones": 2, "partners": 1}


def _cell(label: str, limit: int = CELL_MAX, **kw):
    return StringField(label, filters=[strip], render_kw={"maxlength": limit, **kw})


class Row(Form):
    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in self if isinstance(f.data, str))

    def cells(self) -> dict:
        return {f.short_name: f.data or "" for f in self}


class TeamRow(Row):
    name = _cell("姓名")
    title = _cell("职称/职务")
    role = _cell("项目分工")


class BudgetRow(Row):
    item = _cell("预算科目")
    amount_wan = _cell("金额（万元）", 20, inputmode="decimal")


class MilestoneRow(Row):
    name = _cell("节点名称")
    months = _cell("签约后第几个月", 3, inputmode="numeric")
    deliverable = _cell("交付成果")


class PartnerRow(Row):
    org_name = _cell("合作单位名称", 200, list="partner-orgs", autocomplete="off")
    part = _cell("承担任务", PART_MAX)
    budget_share = _cell("经费份额（万元）", 20, inputmode="decimal")


class PlanRow(Form):
    plan = TextAreaField("实现方案", filters=[strip], render_kw={"rows": 3, "maxlength": PLAN_MAX})


class ApplicationForm(BaseForm):
    # Only ever our own random token; a tampered, longer one is cut to the column size (40).
    form_token = form_token_field()
    project_title = StringField("项目名称", filters=[strip], render_kw={"maxlength": TITLE_MAX})
    summary = TextAreaField("项目摘要", filters=[strip], render_kw={"rows": 4, "maxlength": SUMMARY_MAX})
    technical_plan = TextAreaField(
        "技术方案", filters=[strip], render_kw={"rows": 10, "maxlength": PLAN_MAX},
        description="技术路线、创新点、现有基础与风险应对",
    )  # fmt: skip
    team = FieldList(FormField(TeamRow))
    indicator_plans = FieldList(FormField(PlanRow))
    budget = FieldList(FormField(BudgetRow))
    milestones = FieldList(FormField(MilestoneRow))
    linked_postings = MultiCheckboxField("关联的科技成果/企业能力", choices=[], validate_choice=False)
    partners = FieldList(FormField(PartnerRow))
    attachments = MultipleFileField("上传附件（可多选）", render_kw={"accept": ACCEPT})
    commitment = BooleanField("我单位已阅读并同意以上承诺（立军令状）")

    @classmethod
    def build(cls, item: ChallengeItem, linkable: list[Posting], application: ChallengeApplication | None, posted):
        """The form for this item: from the request when posted, else filled from the application."""
        form = cls() if posted else cls(formdata=None)
        form.linked_postings.choices = select_choices((str(p.id), f"{p.kind.label}：{p.title}") for p in linkable)
        if not posted:
            form._fill(item, application)
        while len(form.indicator_plans.entries) < len(item.indicators):
            form.indicator_plans.append_entry()
        return form

    def _fill(self, item: ChallengeItem, application: ChallengeApplication | None) -> None:
        a = application
        if a is not None:
            self.project_title.data, self.summary.data = a.project_title, a.summary
            self.technical_plan.data = a.technical_plan
            self.linked_postings.data = [str(i) for i in a.linked_posting_ids]
            self.commitment.data = a.commitment_at is not None
        rows = {
            "team": a.team if a else [],
            "budget": a.budget if a else [],
            "milestones": a.milestones if a else [],
            "partners": [
                {"org_name": p.org.name, "part": p.part, "budget_share": p.budget_share_wan or ""}
                for p in (a.partners if a else [])
            ],
        }
        for name, values in rows.items():
            blank = BLANK_ROWS[name] if name != "partners" or self._partners_room(item, len(values)) else 0
            for value in [*values, *([None] * blank)]:
                self[name].append_entry(value)
        for indicator in item.indicators:
            text = a.indicator_plans.get(str(indicator.id), "") if a else ""
            self.indicator_plans.append_entry({"plan": text})

    @staticmethod
    def _partners_room(item: ChallengeItem, present: int) -> bool:
        return item.consortium_allowed and present < item.max_partners

    def rows(self, name: str) -> list[dict]:
        return [entry.form.cells() for entry in self[name] if not entry.form.is_blank()]

    def to_input(self, item: ChallengeItem, uploads: list) -> ApplicationInput:
        plans = {
            indicator.id: (entry.form.plan.data or "")
            for indicator, entry in zip(item.indicators, self.indicator_plans, strict=False)
        }
        return ApplicationInput(
            project_title=self.project_title.data or "",
            summary=self.summary.data or "",
            technical_plan=self.technical_plan.data or "",
            team=self.rows("team"),
            indicator_plans=plans,
            budget=self.rows("budget"),
            milestones=self.rows("milestones"),
            linked_posting_ids=id_list(self.linked_postings.data or []),
            partners=[PartnerInput(**row) for row in self.rows("partners")],
            commitment=bool(self.commitment.data),
            uploads=[u for u in uploads if u and u.filename],
        )


class InviteForm(BaseForm):
    org_id = HiddenField()
    org_name = StringField(
        "机构名称", filters=[strip], render_kw={"maxlength": 200, "list": "invite-orgs", "autocomplete": "off"}
    )
    message = TextAreaField("邀请留言（选填）", filters=[strip], render_kw={"rows": 2, "maxlength": MESSAGE_MAX})
