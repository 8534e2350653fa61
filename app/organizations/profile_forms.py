"""The 企业画像 form: every fact of app.organizations.profile, filled from the profile and turned back into the
changes update_profile / set_certificates make (only what the firm changed gets today's date)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from wtforms import BooleanField, DateField, FieldList, FormField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.core.forms import BaseForm, select_choices, strip, with_blank
from app.core.policy_enums import RevenueBand
from app.organizations.profile import CERTIFICATE_NAMES, OrganizationProfile

YES_NO = select_choices([("", "未填写"), ("yes", "是"), ("no", "否")])
OTHER_ROWS = 3


def number_text(value) -> str:
    """A stored number as the form shows it: 3.00 → "3", 12.50 → "12.5"."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def _flag_text(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _same(a: list, b: list) -> bool:
    def key(certificate):
        return certificate[0], str(certificate[1])

    return sorted(a, key=key) == sorted(b, key=key)


class _Row(BaseForm):
    class Meta:
        csrf = False


class KnownCertificateRow(_Row):
    held = BooleanField("持有")
    expires_on = DateField("有效期至", validators=[Optional()])


class OtherCertificateRow(_Row):
    name = StringField("其他证书名称", filters=[strip], validators=[Optional(), Length(max=50)])
    expires_on = DateField("有效期至", validators=[Optional()])


class ProfileForm(BaseForm):
    established_on = DateField("成立日期", validators=[Optional()])
    employees = StringField("从业人数（人）", filters=[strip], render_kw={"inputmode": "numeric"})
    revenue = StringField(
        "上年度营业收入（万元）",
        filters=[strip],
        render_kw={"inputmode": "decimal"},
        description="填写金额；不便透露时可只选下面的区间",
    )
    revenue_band = SelectField(
        "或营业收入区间", choices=with_blank(RevenueBand.choices(), "未选择"), validators=[Optional()]
    )
    rd_ratio = StringField(
        "研发投入占比（%）",
        filters=[strip],
        render_kw={"inputmode": "decimal"},
        description="上年度研发费用占营业收入的百分比，如 3.5",
    )
    above_scale = SelectField("规上企业（规模以上工业/服务业企业）", choices=YES_NO, validators=[Optional()])
    listed = SelectField("上市企业", choices=YES_NO, validators=[Optional()])
    known = FieldList(
        FormField(KnownCertificateRow), min_entries=len(CERTIFICATE_NAMES), max_entries=len(CERTIFICATE_NAMES)
    )
    others = FieldList(FormField(OtherCertificateRow), min_entries=OTHER_ROWS, max_entries=OTHER_ROWS)
    certificates_declared = BooleanField("以上即本机构持有的全部资质证书（未勾选的视为未持有）")
    next = HiddenField()

    def validate_revenue_band(self, field) -> None:
        if field.data and self.revenue.data:
            raise ValidationError("营业收入金额与区间只填一项")

    def fill_from(self, profile: OrganizationProfile | None) -> None:
        if profile is None:
            return
        self.established_on.data = profile.established_on
        self.employees.data = "" if profile.employees is None else str(profile.employees)
        self.revenue.data = number_text(profile.revenue)
        self.revenue_band.data = profile.revenue_band.value if profile.revenue_band else ""
        self.rd_ratio.data = number_text(profile.rd_ratio)
        self.above_scale.data = _flag_text(profile.above_scale)
        self.listed.data = _flag_text(profile.listed)
        held = {c.name: c.expires_on for c in profile.certificates}
        for row, name in zip(self.known, CERTIFICATE_NAMES, strict=True):
            row.form.held.data = name in held
            row.form.expires_on.data = held.get(name)
        others = [(n, e) for n, e in held.items() if n not in CERTIFICATE_NAMES][:OTHER_ROWS]
        for row, (name, expires_on) in zip(self.others, others, strict=False):
            row.form.name.data, row.form.expires_on.data = name, expires_on
        self.certificates_declared.data = profile.certificates_updated_on is not None

    def certificates(self) -> list[tuple[str, date | None]]:
        chosen = [
            (name, row.form.expires_on.data)
            for row, name in zip(self.known, CERTIFICATE_NAMES, strict=True)
            if row.form.held.data
        ]
        chosen += [(row.form.name.data, row.form.expires_on.data) for row in self.others if row.form.name.data]
        return chosen

    def changes(self, profile: OrganizationProfile | None) -> tuple[dict, list | None]:
        """The facts whose value the firm changed, for update_profile; the certificate list for
        set_certificates, or None when the firm left them as they were (or never declared any)."""
        before = ProfileForm(formdata=None)
        before.fill_from(profile)
        values: dict = {}
        if self.established_on.data != before.established_on.data:
            values["established_on"] = self.established_on.data
        for name in ("employees", "rd_ratio"):
            if self[name].data != before[name].data:
                values[name] = self[name].data or None
        if (self.revenue.data, self.revenue_band.data) != (before.revenue.data, before.revenue_band.data):
            band = RevenueBand.from_any(self.revenue_band.data) if self.revenue_band.data else None
            values["revenue"] = self.revenue.data or band
        for name in ("above_scale", "listed"):
            if self[name].data != before[name].data:
                values[name] = {"yes": True, "no": False}.get(self[name].data)
        certificates = self.certificates()
        declared = bool(self.certificates_declared.data or certificates)
        unchanged = _same(certificates, before.certificates()) and declared == bool(before.certificates_declared.data)
        return values, None if unchanged or not declared else certificates
