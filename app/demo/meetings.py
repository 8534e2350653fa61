"""The 对接会's 1:1 meetings (稀土新材料产学研对接会): the organiser's slots and tables, and requests between
the registered demo organisations played through the meeting services on the day each happened —
yesterday's round held (most outcomes recorded, one 有合作意向 carried on in docking), tomorrow's round
booked, a few invitations waiting for an answer and one declined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import EventType, MeetingOutcome
from app.demo.dating import dated
from app.demo.events import event_of
from app.demo.season import Days
from app.events.meetings.models import MeetingRequest, MeetingSlot
from app.events.meetings.services import (
    accept_meeting_request,
    block_slot,
    decline_meeting_request,
    record_meeting_outcome,
    send_meeting_request,
)
from app.events.meetings.setup import save_meeting_settings
from app.extensions import db

OC = MeetingOutcome
SLOT_MINUTES, ANSWER_HOURS, TABLES = 30, 48, "4"


@dataclass(frozen=True)
class Invitation:
    sender: str  # org keys
    recipient: str
    message: str
    answer: str = ""  # "" (pending) | accept | decline
    outcome: tuple[str, MeetingOutcome, str] | None = None  # (recorded by: sender|recipient, outcome, note)


HELD = [  # sent before the event, booked into yesterday's round
    Invitation(
        "xinci",
        "re-institute",
        "王老师好，想当面请教晶界扩散重稀土减量的中试情况，能否安排半小时？",
        "accept",
        ("sender", OC.INTENT, "看了中试样品和数据，约定下月到我司产线联合试制。"),
    ),
    Invitation(
        "ruifeng",
        "yinshan",
        "贵校的稀土冶炼废水处理成果我们很关注，想聊聊在我司分离厂的应用。",
        "accept",
        ("recipient", OC.MET, "交流了废水现状，企业会后提供水质数据再评估。"),
    ),
    Invitation(
        "jingyan", "re-institute", "想了解高性能铈基抛光粉的配方优化服务。", "accept", ("recipient", OC.MET, "")
    ),
    Invitation(
        "qingyuan-h2",
        "bjtech",
        "储氢合金电池测试平台想找高校合作，约个时间聊聊。",
        "accept",
        ("recipient", OC.NO_SHOW, "对方因临时出差未到场，会后电话约了下周再谈。"),
    ),
    Invitation("xibao", "bjtech", "催化剂成型设备想请贵校装备团队一起看看，盼面谈。", "accept"),
]
DECLINED = [
    Invitation("xibao", "ruifeng", "想向贵公司介绍我们的稀土基脱硝催化剂。", "decline"),
]
TOMORROW = [  # sent and accepted today: booked into tomorrow's round
    Invitation("ruifeng", "re-institute", "永磁废料回收的新工艺想听听研究院的意见。", "accept"),
    Invitation("xibao", "yinshan", "稀土催化材料的表征能力想借助贵校平台，明天当面细谈。", "accept"),
    Invitation("jingyan", "yinshan", "抛光车间除尘改造二期，想再当面细化方案。", "accept"),
]
WAITING = [  # sent today, not answered yet
    Invitation("qingyuan-h2", "re-institute", "我们在做稀土储氢合金，想了解研究院的中试平台能否对外开放。"),
    Invitation("bjtech", "xinci", "学校新建了永磁电机测试平台，欢迎贵公司来测样，想明天当面介绍。"),
    Invitation("jingyan", "bjtech", "抛光粉自动包装线想请贵校装备团队看看能否改造。"),
    # The SME demo account's invitation to answer (its home page's 待处理).
    Invitation(
        "yinshan", "yikang", "我校食品学院在做耐酸乳酸菌菌株筛选，想和贵公司聊聊菌种资源合作，明天第二轮能否见一面？"
    ),
]


# Slots a party marked busy before any invitation came (org key, day, start): the meetings spread over the round.
BUSY = [("re-institute", -1, "14:00"), ("re-institute", 1, "14:00"), ("yinshan", -1, "14:30"), ("bjtech", -1, "14:00")]


def _block_busy_slots(event, days: Days, people: dict[str, User]) -> None:
    slots = {
        s.starts_at: s.id for s in db.session.scalars(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id))
    }
    for key, day, start in BUSY:
        block_slot(event, people[key], slots[days.at(day, start)])


def _send(invitation: Invitation, event, people: dict[str, User], sent: datetime, now: datetime) -> MeetingRequest:
    with dated(sent, now):
        return send_meeting_request(
            event, people[invitation.sender], people[invitation.recipient].org_id, invitation.message, now=sent
        )


def _answer(invitation: Invitation, req: MeetingRequest, people: dict[str, User], when: datetime, now: datetime):
    recipient = people[invitation.recipient]
    with dated(when, now):
        if invitation.answer == "decline":
            decline_meeting_request(req, recipient, now=when)
            return None
        meeting = accept_meeting_request(req, recipient, now=when)
    meeting.created_at = when
    return meeting


def seed_meetings(now: datetime, people: dict[str, User]) -> dict[str, int]:
    """Slots, tables and the invitations above, each on its day."""
    event = event_of(EventType.DOCKING)
    days = Days(local_date(now))
    windows = "\n".join([days.window(-1, "14:00", "17:30"), days.window(1, "14:00", "17:30")])
    with dated(now - timedelta(days=10), now):
        save_meeting_settings(event, SLOT_MINUTES, ANSWER_HOURS, TABLES, windows)
        _block_busy_slots(event, days, people)
    sent, answered, reported = days.at(-4, "10:00"), days.at(-3, "09:00"), days.at(-1, "18:00")
    meetings = 0
    for n, invitation in enumerate(HELD + DECLINED):
        req = _send(invitation, event, people, sent + timedelta(minutes=17 * n), now)
        meeting = _answer(invitation, req, people, answered + timedelta(minutes=23 * n), now)
        meetings += meeting is not None
        if meeting is not None and invitation.outcome:
            side, outcome, note = invitation.outcome
            by = people[invitation.sender if side == "sender" else invitation.recipient]
            with dated(reported, now):
                record_meeting_outcome(meeting, by, outcome.value, note, now=reported)
    for n, invitation in enumerate(TOMORROW + WAITING):
        req = _send(invitation, event, people, now - timedelta(hours=5, minutes=11 * n), now)
        if invitation.answer:
            meetings += _answer(invitation, req, people, now - timedelta(hours=2, minutes=7 * n), now) is not None
    return {"meetings": meetings, "meeting_requests": len(HELD + DECLINED + TOMORROW + WAITING)}
