"""Every enumeration the platform uses, each with its Chinese label beside it.

Models store `.value` (a short English code); forms, templates and exports show `.label`.
"""

from __future__ import annotations

import enum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a Chinese label: `Member = ("code", "标签")`."""

    def __new__(cls, value: str, label: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def from_any(cls, text: str | None):
        """Find a member by its code or its Chinese label; None when nothing fits."""
        if text is None:
            return None
        text = str(text).strip()
        for m in cls:
            if text == m.value or text == m.label or text.lower() == m.value.lower():
                return m
        return None


class OrgType(LabelledEnum):
    UNIVERSITY = ("university", "高校")
    INSTITUTE = ("institute", "科研院所")
    SME = ("sme", "中小企业")
    LARGE = ("large", "大型企业")
    SERVICE = ("service", "服务机构")
    AUTHORITY = ("authority", "主管部门")


class OrgSize(LabelledEnum):
    LARGE = ("large", "大型")
    MEDIUM = ("medium", "中型")
    SMALL = ("small", "小型")
    MICRO = ("micro", "微型")


class VerificationStatus(LabelledEnum):
    PENDING = ("pending", "待认证")
    VERIFIED = ("verified", "已认证")
    REJECTED = ("rejected", "未通过")


class OrgRole(LabelledEnum):
    ADMIN = ("admin", "机构管理员")
    MEMBER = ("member", "成员")


class PlatformRole(LabelledEnum):
    NONE = ("none", "普通用户")
    ADMIN = ("admin", "平台管理员")
    ORGANISER = ("organiser", "活动组织者")


class Tier(LabelledEnum):
    INNOVATIVE = ("innovative", "创新型中小企业")
    SPECIALIZED = ("specialized", "专精特新中小企业")
    LITTLE_GIANT = ("little_giant", '专精特新"小巨人"')

    @property
    def rank(self) -> int:
        return list(Tier).index(self) + 1


class PostingKind(LabelledEnum):
    ACHIEVEMENT = ("achievement", "科技成果")
    NEED = ("need", "研发需求")
    PROCUREMENT = ("procurement", "采购需求")
    CAPABILITY = ("capability", "企业能力/产品")


class PostingStatus(LabelledEnum):
    DRAFT = ("draft", "草稿")
    SUBMITTED = ("submitted", "待审核")
    PUBLISHED = ("published", "已发布")
    REJECTED = ("rejected", "已退回")
    CLOSED = ("closed", "已关闭")
    EXPIRED = ("expired", "已过期")


class CooperationMode(LabelledEnum):
    TRANSFER = ("transfer", "技术转让")
    LICENSE = ("license", "专利许可")
    JOINT_DEV = ("joint_dev", "合作开发")
    EQUITY = ("equity", "技术入股")
    SERVICE = ("service", "技术服务")
    CONTRACT_RD = ("contract_rd", "订单式研发")


# Which cooperation modes make sense on which kind of posting.
ACHIEVEMENT_MODES = [
    CooperationMode.TRANSFER,
    CooperationMode.LICENSE,
    CooperationMode.JOINT_DEV,
    CooperationMode.EQUITY,
    CooperationMode.SERVICE,
]
NEED_MODES = list(CooperationMode)


class ListKind(LabelledEnum):
    ACHIEVEMENTS = ("achievement", "创新成果清单")
    NEEDS = ("need", "研发攻关需求清单")
    PROCUREMENT = ("procurement", "采购需求清单")
    CAPABILITIES = ("capability", "企业能力清单")


class MatchVerdict(LabelledEnum):
    INTERESTED = ("interested", "感兴趣")
    IRRELEVANT = ("irrelevant", "不相关")


class FeedbackReason(LabelledEnum):
    FIELD = ("field", "领域不符")
    MATURITY = ("maturity", "技术成熟度不够")
    DISTANCE = ("distance", "地域不便")
    BUDGET = ("budget", "预算不符")
    PARTNERED = ("partnered", "已有合作方")
    OTHER = ("other", "其他")
