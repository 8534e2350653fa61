"""The platform's periodic work, declared in one list. `flask jobs run` schedules it in its own process.

Each job names a function `module:function` that takes `now` (naive UTC) inside an app context, does
its work through services (flush, never commit: the runner commits once), is idempotent, and returns a
short summary (a count or a sentence) for the log and `flask jobs run-once`. Two kinds commit as they go
and say why in their docstrings: e-mail (a claim is committed before each send, so nothing is sent twice)
and long batch work (matching), so one transaction does not hold the database for minutes.

The runner (app/scheduling.py) takes each job's lock in job_locks first: an overlapping run is
skipped, and a crashed run's lock is taken over after `lock_minutes`. Cron hours are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    id: str
    func: str
    trigger: str  # "interval" or "cron" (APScheduler trigger names)
    schedule: dict = field(default_factory=dict)  # the trigger's arguments, e.g. {"minutes": 1}
    description: str = ""
    lock_minutes: int = 30  # a crashed run's lock is taken over after this long


# One line per job reads as a table; keep the formatter from folding it.
# fmt: off
JOBS: list[Job] = [
    Job("search_drain", "app.matching.jobs:drain_search", "interval", {"minutes": 1}, "把待同步的变更推送到搜索索引", 10),
    Job("notifications_email", "app.notifications.jobs:send_emails", "interval", {"minutes": 1}, "发送即时邮件通知", 10),
    Job("postings_expire", "app.postings.jobs:expire_postings", "interval", {"hours": 1}, "下线已过截止日期的信息"),
    Job("matches_changed", "app.matching.jobs:recompute_changed", "interval", {"hours": 1}, "为有变更的信息重算匹配并通知高分匹配"),
    Job("matches_nightly", "app.matching.jobs:recompute_all", "cron", {"hour": 18, "minute": 30}, "全量重算匹配（北京时间凌晨 2:30）", 180),
    Job("events_close_registration", "app.events.jobs:close_registrations", "interval", {"minutes": 5}, "到截止时间关闭活动报名"),
    Job("events_promote_waitlists", "app.events.jobs:promote_waitlists", "interval", {"minutes": 5}, "有空位时候补转正"),
    Job("events_reminders", "app.events.jobs:send_reminders", "interval", {"minutes": 5}, "活动开始前一天和一小时提醒"),
    Job("meetings_expire_requests", "app.events.meetings.services:expire_meeting_requests", "interval", {"minutes": 10}, "过期未答复的洽谈邀请"),
    Job("docking_expire_requests", "app.docking.jobs:expire_requests", "interval", {"hours": 1}, "过期未答复的对接请求"),
    Job("docking_follow_ups", "app.docking.jobs:send_follow_ups", "cron", {"hour": 1, "minute": 0}, "对接回访（接受后 14 天、签约后 6 个月）"),
    Job("notifications_digest", "app.notifications.jobs:send_digests", "cron", {"hour": 0, "minute": 0}, "每日/每周通知汇总邮件（北京时间 8:00）"),
    Job("policies_push", "app.policies.push:push_open_items", "interval", {"hours": 1}, "向符合条件的企业推送可申报政策（每家每事项一次）"),
    Job("policies_remind", "app.policies.push:send_closing_reminders", "interval", {"hours": 1}, "政策申报截止前 7 天和 1 天提醒已关注未申报的企业"),
    Job("policies_expire", "app.policies.services:expire_due_policies", "cron", {"hour": 16, "minute": 5}, "失效日期已过的政策改为已失效（北京时间 0:05）"),
    Job("challenges_close", "app.challenges.items.services:close_due_items", "interval", {"hours": 1}, "征集截止的揭榜项目转入评审"),
    Job("challenges_milestone_reminders", "app.challenges.delivery.services:send_milestone_reminders", "cron", {"hour": 1, "minute": 10}, "攻关任务里程碑到期前 7 天和逾期提醒"),
    Job("purge_expired", "app.admin.jobs:purge_expired", "cron", {"hour": 19, "minute": 0}, "清理过期的邀请、已处理的同步记录和旧通知"),
    Job("challenges_confirm_notices", "app.challenges.notice.services:confirm_due_notices", "interval", {"hours": 1}, "公示期满且无成立异议的揭榜结果自动确认"),
]
# fmt: on
