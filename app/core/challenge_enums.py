"""Enums of the 揭榜挂帅 / 赛马制 challenge service (app/challenges/): one place for every status and its label."""

from app.core.enums import LabelledEnum


class BatchStatus(LabelledEnum):
    """A 榜单: drafted by its issuer, published (its items collect applications until the deadline), withdrawn."""

    DRAFT = ("draft", "草稿")
    PUBLISHED = ("published", "已发布")
    WITHDRAWN = ("withdrawn", "已撤回")


class ChallengeMode(LabelledEnum):
    """揭榜挂帅: one winner. 赛马制: N teams funded in parallel for stage 1; a stage gate keeps the best M."""

    SINGLE = ("single", "揭榜挂帅")
    HORSE_RACE = ("horse_race", "赛马制")


class ItemStatus(LabelledEnum):
    """Where a challenge item stands, as its public page shows it. COLLECTING turns into REVIEWING when the
    batch's deadline passes (see app/challenges/status.py, which also reads the deadline on the fly)."""

    DRAFT = ("draft", "草稿")
    COLLECTING = ("collecting", "征集中")
    REVIEWING = ("reviewing", "评审中")
    NOTICE = ("notice", "公示中")
    IMPLEMENTING = ("implementing", "实施中")
    ACCEPTED = ("accepted", "已验收")
    FAILED = ("failed", "流榜")
    ENDED = ("ended", "已终止")  # 验收不通过 or 终止 for every team
    WITHDRAWN = ("withdrawn", "已撤榜")


class TrancheTrigger(LabelledEnum):
    """When a slice of the funding falls due (payment plan)."""

    SIGNING = ("signing", "签订任务书")
    MIDTERM = ("midterm", "中期检查")
    GATE = ("gate", "赛马阶段评估")
    ACCEPTANCE = ("acceptance", "验收")


class ApplicationStatus(LabelledEnum):
    """A 揭榜 application. Editable while DRAFT or RETURNED (退回补正, until its resubmission deadline), and
    while SUBMITTED until the batch deadline; withdrawable until the deadline."""

    DRAFT = ("draft", "草稿")
    SUBMITTED = ("submitted", "已提交")
    RETURNED = ("returned", "退回补正")
    SCREENED = ("screened", "形式审查通过")
    SCREEN_FAILED = ("screen_failed", "形式审查未通过")
    WITHDRAWN = ("withdrawn", "已撤回")
    PROPOSED = ("proposed", "拟揭榜（公示中）")
    AWARDED = ("awarded", "揭榜成功")
    NOT_SELECTED = ("not_selected", "未入选")


class PartnerStatus(LabelledEnum):
    INVITED = ("invited", "待确认")
    CONFIRMED = ("confirmed", "已确认")
    DECLINED = ("declined", "已拒绝")


class ReviewStage(LabelledEnum):
    """Expert work on a challenge: the review that picks winners, the 赛马制 mid-term gate, and 验收."""

    REVIEW = ("review", "专家评审")
    GATE = ("gate", "赛马阶段评估")
    ACCEPTANCE = ("acceptance", "验收")


class NoticeStatus(LabelledEnum):
    OPEN = ("open", "公示中")
    CONFIRMED = ("confirmed", "公示期满，结果确认")
    CANCELLED = ("cancelled", "公示撤销")


class ObjectionStatus(LabelledEnum):
    LODGED = ("lodged", "待答复")
    DISMISSED = ("dismissed", "异议不成立")
    UPHELD = ("upheld", "异议成立")


class ContractStatus(LabelledEnum):
    """A 任务书 between the issuer and a winning team."""

    ACTIVE = ("active", "实施中")
    STOPPED_AT_GATE = ("stopped_at_gate", "阶段评估未入围")
    PASSED = ("passed", "验收通过")
    FAILED = ("failed", "验收不通过")
    TERMINATED = ("terminated", "终止")


class MilestoneStatus(LabelledEnum):
    PENDING = ("pending", "未提交")
    SUBMITTED = ("submitted", "待审核")
    APPROVED = ("approved", "已通过")
    RETURNED = ("returned", "已退回")


class AcceptanceResult(LabelledEnum):
    PASSED = ("passed", "通过")
    FAILED = ("failed", "不通过")
    TERMINATED = ("terminated", "终止")
