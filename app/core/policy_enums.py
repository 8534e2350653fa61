"""Enums of the policy service (惠企政策) and of the firm profile (企业画像) its rules read."""

from app.core.enums import LabelledEnum


class PolicyStatus(LabelledEnum):
    DRAFT = ("draft", "草稿")
    PUBLISHED = ("published", "已发布")
    EXPIRED = ("expired", "已失效")
    WITHDRAWN = ("withdrawn", "已撤回")


class PolicyScope(LabelledEnum):
    """The level of government a policy applies at; its region code says which one."""

    AUTONOMOUS_REGION = ("region", "自治区")
    LEAGUE_CITY = ("league_city", "盟市")
    COUNTY = ("county", "旗县区")


class BenefitType(LabelledEnum):
    REWARD = ("reward", "资金奖励")
    SUBSIDY = ("subsidy", "资金补助")
    LOAN_INTEREST = ("loan_interest", "贷款贴息")
    GUARANTEE_FEE = ("guarantee_fee", "担保费补贴")
    TAX = ("tax", "税收优惠")
    TITLE = ("title", "认定称号")
    VOUCHER = ("voucher", "服务券")
    OTHER = ("other", "其他")


class Verdict(LabelledEnum):
    """Whether a firm meets an item's conditions; MAYBE when the profile lacks a fact the rule asks about."""

    ELIGIBLE = ("eligible", "符合")
    MAYBE = ("maybe", "可能符合")
    INELIGIBLE = ("ineligible", "不符合")


class ProfileSource(LabelledEnum):
    """Where one fact of a firm profile came from."""

    SELF = ("self", "企业填报")
    PLATFORM = ("platform", "平台认定")
    IMPORT = ("import", "导入")


class RevenueBand(LabelledEnum):
    """Annual revenue when only its range is known: [low, high) in 万元, high None = no upper bound."""

    UNDER_500 = ("lt500", "500万元以下")
    FROM_500 = ("500-2000", "500万–2000万元")
    FROM_2000 = ("2000-10000", "2000万–1亿元")
    FROM_10000 = ("10000-40000", "1亿–4亿元")
    FROM_40000 = ("gte40000", "4亿元及以上")

    @property
    def bounds(self) -> tuple[int, int | None]:
        return _REVENUE_BOUNDS[self.value]


_REVENUE_BOUNDS = {
    "lt500": (0, 500),
    "500-2000": (500, 2000),
    "2000-10000": (2000, 10000),
    "10000-40000": (10000, 40000),
    "gte40000": (40000, None),
}
