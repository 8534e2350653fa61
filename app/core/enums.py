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

    @classmethod
    def from_any(cls, text: str | None):
        """Also the spellings lists and spreadsheets use: 专精特新“小巨人”, 专精特新小巨人, 小巨人, 国家级专精特新
        小巨人企业, 专精特新, 自治区级专精特新中小企业, 创新型… Quotes, spaces, a level in front and 企业 / 中小企业
        at the end do not matter; None when nothing fits."""
        found = super().from_any(text)
        if found is not None or text is None:
            return found
        key = str(text).translate(_TIER_IGNORED)
        for prefix in ("国家级", "自治区级", "省级"):
            key = key.removeprefix(prefix)
        return _TIER_SPELLINGS.get(key.removesuffix("企业").removesuffix("中小"))


_TIER_IGNORED = str.maketrans("", "", "\"'“”‘’「」『』 \u3000")
_TIER_SPELLINGS = {
    "专精特新小巨人": Tier.LITTLE_GIANT,
    "小巨人": Tier.LITTLE_GIANT,
    "专精特新": Tier.SPECIALIZED,
    "创新型": Tier.INNOVATIVE,
}


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


class MatchLabel(LabelledEnum):
    """What a suggestion's calibrated relevance reads as (app/matching/calibration.py)."""

    HIGH = ("high", "高")
    FAIR = ("fair", "较高")
    GENERAL = ("general", "一般")


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


class DeclineReason(LabelledEnum):
    """Why a docking request was declined: the match-feedback reasons plus 暂无需求."""

    FIELD = ("field", "领域不符")
    MATURITY = ("maturity", "技术成熟度不够")
    DISTANCE = ("distance", "地域不便")
    BUDGET = ("budget", "预算不符")
    PARTNERED = ("partnered", "已有合作方")
    NO_NEED = ("no_need", "暂无需求")
    OTHER = ("other", "其他")


# ── notifications ────────────────────────────────────────────────────────────────────────────────


class NotificationKind(LabelledEnum):
    MATCH_NEW = ("match_new", "新的高分匹配")
    DOCKING_REQUEST = ("docking_request", "收到对接请求")
    DOCKING_ANSWERED = ("docking_answered", "对接请求已答复")
    DOCKING_EXPIRING = ("docking_expiring", "对接请求即将过期")
    DOCKING_EXPIRED = ("docking_expired", "对接请求已过期")
    DOCKING_UPDATE = ("docking_update", "对接进展更新")
    DOCKING_FOLLOW_UP = ("docking_follow_up", "对接回访")
    POSTING_APPROVED = ("posting_approved", "信息审核通过")
    POSTING_REJECTED = ("posting_rejected", "信息被退回")
    POSTING_EXPIRING = ("posting_expiring", "信息即将到期")
    EVENT_CONFIRMED = ("event_confirmed", "活动报名成功")
    EVENT_WAITLISTED = ("event_waitlisted", "活动报名候补")
    EVENT_PROMOTED = ("event_promoted", "候补转正")
    EVENT_APPROVED = ("event_approved", "报名审核通过")
    EVENT_REJECTED = ("event_rejected", "报名未通过")
    EVENT_REMINDER = ("event_reminder", "活动提醒")
    EVENT_CANCELLED = ("event_cancelled", "活动取消")
    MEETING_REQUEST = ("meeting_request", "收到洽谈邀请")
    MEETING_ACCEPTED = ("meeting_accepted", "洽谈已确认")
    BOOTH_ASSIGNED = ("booth_assigned", "展位已分配")
    BOOTH_REJECTED = ("booth_rejected", "展位申请未通过")
    MEETING_DECLINED = ("meeting_declined", "洽谈邀请被婉拒")
    MEETING_EXPIRED = ("meeting_expired", "洽谈邀请已过期")
    MEETING_CANCELLED = ("meeting_cancelled", "洽谈已取消")
    POLICY_ELIGIBLE = ("policy_eligible", "新的可申报政策")
    POLICY_CLOSING = ("policy_closing", "政策申报即将截止")
    CHALLENGE_INVITE = ("challenge_invite", "揭榜邀请")
    CHALLENGE_PARTNER = ("challenge_partner", "联合体成员确认")
    CHALLENGE_APPLICATION = ("challenge_application", "揭榜申报进展")
    CHALLENGE_REVIEW = ("challenge_review", "评审任务")
    CHALLENGE_NOTICE = ("challenge_notice", "公示与异议")
    CHALLENGE_DELIVERY = ("challenge_delivery", "攻关任务进展")
    SYSTEM = ("system", "系统通知")


class DigestFrequency(LabelledEnum):
    INSTANT = ("instant", "即时")
    DAILY = ("daily", "每日汇总")
    WEEKLY = ("weekly", "每周汇总")


class EmailState(LabelledEnum):
    PENDING = ("pending", "待发送")
    SENDING = ("sending", "发送中")  # claimed by one send run; never sent again by another
    SENT = ("sent", "已发送")
    DIGEST = ("digest", "待汇总")
    SKIPPED = ("skipped", "不发送")
    FAILED = ("failed", "发送失败")


# ── the audit trail (StatusChange) ──────────────────────────────────────────────────────────────


class HistoryKind(LabelledEnum):
    """What a row of the audit trail records: a move between the entity's statuses, or an action on it."""

    STATUS = ("status", "状态变更")
    ACTION = ("action", "操作")


class HistoryAction(LabelledEnum):
    """The actions the audit trail records (kind ACTION; the row's to_status holds the code)."""

    BOOTHS_CREATED = ("booths_created", "批量创建展位")
    BOOTH_DELETED = ("booth_deleted", "删除展位")
    RUBRIC_SAVED = ("rubric_saved", "保存评分标准")
    JUDGE_ASSIGNED = ("judge_assigned", "邀请评委")
    JUDGE_REMOVED = ("judge_removed", "移除评委")
    PRESENTER_ADDED = ("presenter_added", "加入出场名单")
    PRESENTER_REMOVED = ("presenter_removed", "移出出场名单")
    LINEUP_SAVED = ("lineup_saved", "调整出场顺序")
    SCORES_SAVED = ("scores_saved", "保存评分")
    EXPERT_ADDED = ("expert_added", "加入专家库")
    EXPERT_DEACTIVATED = ("expert_deactivated", "停用专家")
    EXPERT_ASSIGNED = ("expert_assigned", "分配评审专家")
    EXPERT_UNASSIGNED = ("expert_unassigned", "移除评审专家")
    NO_CONFLICT_DECLARED = ("no_conflict_declared", "签署无利益冲突声明")
    CONFLICT_DECLARED = ("conflict_declared", "声明存在利益冲突")
    REVIEW_CLOSED = ("review_closed", "截止专家评分")


# ── events ───────────────────────────────────────────────────────────────────────────────────────


class EventType(LabelledEnum):
    EXPO = ("expo", "博览会")
    DOCKING = ("docking", "对接会")
    ROADSHOW = ("roadshow", "路演")
    TRAINING = ("training", "培训/讲座")
    COMPETITION = ("competition", "大赛")
    SERVICE_MONTH = ("service_month", "服务月活动")


class EventStatus(LabelledEnum):
    DRAFT = ("draft", "草稿")
    PUBLISHED = ("published", "报名中")
    CLOSED = ("closed", "报名已截止")
    FINISHED = ("finished", "已结束")
    CANCELLED = ("cancelled", "已取消")


class TicketType(LabelledEnum):
    VISITOR = ("visitor", "观众")
    EXHIBITOR = ("exhibitor", "参展商")
    PRESENTER = ("presenter", "路演企业")
    JUDGE = ("judge", "评委")
    MEDIA = ("media", "媒体")


class RegistrationStatus(LabelledEnum):
    PENDING = ("pending", "待审核")
    CONFIRMED = ("confirmed", "已确认")
    WAITLISTED = ("waitlisted", "候补中")
    REJECTED = ("rejected", "未通过")
    CANCELLED = ("cancelled", "已取消")


class BoothSize(LabelledEnum):
    STANDARD = ("standard", "标准展位")
    SPECIAL = ("special", "特装")


class BoothApplicationStatus(LabelledEnum):
    PENDING = ("pending", "待分配")
    ASSIGNED = ("assigned", "已分配")
    REJECTED = ("rejected", "未通过")
    WITHDRAWN = ("withdrawn", "已撤回")


# ── docking ──────────────────────────────────────────────────────────────────────────────────────


class DockingRequestStatus(LabelledEnum):
    PENDING = ("pending", "待答复")
    ACCEPTED = ("accepted", "已接受")
    DECLINED = ("declined", "已婉拒")
    EXPIRED = ("expired", "已过期")
    WITHDRAWN = ("withdrawn", "已撤回")


class DockingStage(LabelledEnum):
    CONTACT = ("contact", "初步接洽")
    NEGOTIATING = ("negotiating", "洽谈中")
    INTENT = ("intent", "达成意向")
    SIGNED = ("signed", "已签约")
    COMPLETED = ("completed", "已完成")
    TERMINATED = ("terminated", "已终止")

    @property
    def rank(self) -> int:
        return list(DockingStage).index(self)


class DockingOrigin(LabelledEnum):
    MATCH = ("match", "匹配推荐")
    POSTING = ("posting", "信息详情页")
    EVENT_MEETING = ("event_meeting", "活动洽谈")
    CHALLENGE = ("challenge", "揭榜挂帅")


class DockingEventKind(LabelledEnum):
    """One line of a docking record's timeline."""

    ACCEPTED = ("accepted", "接受对接")
    STAGE = ("stage", "阶段变更")
    NOTE = ("note", "备注")
    ATTACHMENT = ("attachment", "上传文件")


class ContractType(LabelledEnum):
    TRANSFER = ("transfer", "技术转让")
    LICENSE = ("license", "专利许可")
    JOINT_DEV = ("joint_dev", "合作开发")
    CONTRACT_RD = ("contract_rd", "订单式研发")
    SERVICE = ("service", "技术服务")
    PURCHASE = ("purchase", "采购合同")


# ── event meetings (对接洽谈) ─────────────────────────────────────────────────────────────────────


class MeetingRequestStatus(LabelledEnum):
    PENDING = ("pending", "待答复")
    ACCEPTED = ("accepted", "已接受")
    DECLINED = ("declined", "已婉拒")
    EXPIRED = ("expired", "已过期")
    WITHDRAWN = ("withdrawn", "已撤回")  # by the sender, before an answer
    CANCELLED = ("cancelled", "已取消")  # the booked meeting, by either side before its slot


class MeetingOutcome(LabelledEnum):
    NO_SHOW = ("no_show", "未到场")
    MET = ("met", "已洽谈")
    INTENT = ("intent", "有合作意向")
