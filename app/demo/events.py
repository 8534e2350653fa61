"""Demo events: the season's expo, docking, roadshow, training, competition and service-month events, with a
few registrations from verified demo organisations made through the real registration service."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import to_utc
from app.core.enums import EventType, OrgType, PlatformRole, TicketType, VerificationStatus
from app.demo.data import phrases
from app.events.event_roles import registration_refusal
from app.events.jobs import close_registrations
from app.events.registration.approvals import approve_registrations
from app.events.registration.services import AttendeeInput, register_for_event
from app.events.services import EventInput, SessionInput, TicketInput, create_event, publish_event
from app.extensions import db
from app.organizations.models import Organization

T, OT = EventType, OrgType


def _at(text: str) -> datetime:
    """Beijing time as stored (naive UTC)."""
    return to_utc(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def _session(title: str, start: str, end: str, speaker: str = "", room: str = "", capacity: int | None = None):
    return SessionInput(title, _at(start), _at(end), speaker, room, capacity)


EVENTS = [
    dict(
        data=EventInput(
            T.EXPO, "2026 内蒙古中小企业博览会", _at("2027-01-15 09:00"), _at("2027-01-17 17:00"),
            description="集中展示我区专精特新企业、科技成果与特色产品，设稀土新材料、绿色农畜产品、"
            "新能源装备、数字经济四大展区，同期举办银企对接和大中小企业融通专场。",
            venue="内蒙古国际会展中心（呼和浩特市赛罕区）", region="150100",
            registration_closes_at=_at("2027-01-12 18:00"), capacity=2000, contact="博览会组委会 0471-6601234",
            sessions=[
                _session("开幕式暨重点项目签约", "2027-01-15 09:00", "2027-01-15 10:30", room="主会场A厅"),
                _session("大中小企业融通对接专场", "2027-01-15 14:00", "2027-01-15 17:00", room="B厅", capacity=300),
                _session("银企对接会", "2027-01-16 09:30", "2027-01-16 11:30", room="C厅", capacity=200),
            ],
            tickets=[TicketInput(TicketType.VISITOR, quota=1500), TicketInput(TicketType.EXHIBITOR, quota=300),
                     TicketInput(TicketType.MEDIA, quota=50)],
        ),
        registrants=6,
    ),
    dict(
        data=EventInput(
            T.DOCKING, "稀土新材料产学研对接会", _at("2026-12-18 09:00"), _at("2026-12-18 17:30"),
            description="围绕稀土永磁、抛光、储氢和催化材料，高校院所发布成果，企业发布技术需求，下午安排一对一洽谈。",
            venue="包头稀土高新区科技创新中心三楼报告厅", region="150200",
            registration_closes_at=_at("2026-12-16 18:00"), capacity=120,
            audience=[OT.UNIVERSITY.value, OT.INSTITUTE.value, OT.SME.value, OT.LARGE.value],
            contact="包头市中小企业服务中心 0472-5167890",
            sessions=[
                _session("稀土功能材料科技成果发布", "2026-12-18 09:00", "2026-12-18 11:30", "包头稀土研究院专家", "报告厅"),
                _session("企业技术需求发布", "2026-12-18 11:30", "2026-12-18 12:00", room="报告厅"),
                _session("一对一洽谈", "2026-12-18 14:00", "2026-12-18 17:30", room="洽谈区", capacity=80),
            ],
        ),
        registrants=8,
    ),
    dict(
        data=EventInput(
            T.ROADSHOW, "专精特新企业融资路演", _at("2027-01-08 14:00"), _at("2027-01-08 18:00"),
            description="12 家专精特新企业现场路演，邀请创投机构、银行和担保机构参加，路演后设自由交流环节。",
            venue="呼和浩特市金融大厦 18 楼路演厅", region="150100",
            registration_closes_at=_at("2027-01-05 18:00"), capacity=80, requires_approval=True,
            contact="自治区中小企业服务中心 0471-6923456",
            tickets=[TicketInput(TicketType.VISITOR, quota=60), TicketInput(TicketType.PRESENTER, quota=12),
                     TicketInput(TicketType.JUDGE, quota=8)],
        ),
        registrants=5,
    ),
    dict(
        data=EventInput(
            T.TRAINING, "资本市场培训：北交所上市路径与规范治理", _at("2026-12-11 09:30"), _at("2026-12-11 12:00"),
            description="讲解北京证券交易所上市条件、审核要点和股份制改造中的规范治理问题，现场答疑。",
            venue="鄂尔多斯市康巴什区创业大厦 2 楼培训室", online_url="https://meeting.lianqiao.example/capital-2026",
            region="150600", registration_closes_at=_at("2026-12-10 18:00"), capacity=200,
        ),
        registrants=5,
    ),
    dict(
        data=EventInput(
            T.COMPETITION, "创客中国内蒙古赛区", _at("2027-03-20 09:00"), _at("2027-03-21 17:00"),
            description="“创客中国”中小企业创新创业大赛内蒙古赛区决赛，企业组和创客组分别评审，优胜项目推荐参加全国赛。",
            venue="赤峰市会展中心", region="150400",
            registration_opens_at=_at("2026-12-01 09:00"), registration_closes_at=_at("2027-02-28 18:00"),
            capacity=300, requires_approval=True, audience=[OT.SME.value, OT.UNIVERSITY.value],
            tickets=[TicketInput(TicketType.PRESENTER, quota=40), TicketInput(TicketType.JUDGE, quota=15),
                     TicketInput(TicketType.VISITOR)],
        ),
        registrants=0,
    ),
    dict(
        data=EventInput(
            T.SERVICE_MONTH, "中小企业服务月政策大讲堂", _at("2026-12-22 14:30"), _at("2026-12-22 17:00"),
            description="解读减税降费、融资担保、专精特新培育和数字化转型等惠企政策，政策专员现场答疑。",
            venue="通辽市科尔沁区政务服务中心多功能厅", region="150500",
            registration_closes_at=_at("2026-12-21 12:00"), capacity=150,
        ),
        registrants=4,
    ),
]  # fmt: skip


def _organiser() -> User:
    return db.session.scalar(sa.select(User).where(User.platform_role == PlatformRole.ORGANISER).order_by(User.id))


def _registrants() -> list[User]:
    return db.session.scalars(
        sa.select(User)
        .join(Organization, User.org_id == Organization.id)
        .where(Organization.verification == VerificationStatus.VERIFIED)
        .order_by(User.id)
    ).all()


def _colleague(rng: random.Random) -> AttendeeInput:
    name = rng.choice(phrases.SURNAMES) + rng.choice(("建国", "海燕", "志强", "丽娜", "晓东", "文博", "雪梅", "宏伟"))
    phone = rng.choice(("139", "138", "150", "186", "151")) + f"{rng.randint(0, 99999999):08d}"
    return AttendeeInput(name, phone, rng.choice(("技术总监", "研发工程师", "市场经理", "财务总监", "副总经理")))


# The day the season above was written for (naive UTC, 10:00 in Beijing).
SEASON_WRITTEN_FOR = datetime(2026, 12, 4, 2, 0)


def in_season(data: EventInput, now: datetime) -> EventInput:
    """The event moved on by as many whole weeks as have passed since SEASON_WRITTEN_FOR (weekdays and
    times kept), so a demo loaded months later still has its season ahead: open to register."""
    weeks = math.ceil((now - SEASON_WRITTEN_FOR) / timedelta(weeks=1)) if now > SEASON_WRITTEN_FOR else 0
    if not weeks:
        return data
    by = timedelta(weeks=weeks)

    def move(moment: datetime | None) -> datetime | None:
        return moment + by if moment else moment

    return replace(
        data,
        starts_at=move(data.starts_at),
        ends_at=move(data.ends_at),
        registration_opens_at=move(data.registration_opens_at),
        registration_closes_at=move(data.registration_closes_at),
        sessions=[replace(s, starts_at=move(s.starts_at), ends_at=move(s.ends_at)) for s in data.sessions],
    )


def seed_events(rng: random.Random, now: datetime) -> dict[str, int]:
    """Create and publish the demo events and register some demo organisations where registration is open."""
    organiser = _organiser()
    users = _registrants()
    events = registrations = 0
    for spec in EVENTS:
        event = create_event(organiser, in_season(spec["data"], now))
        events += 1
        if event.starts_at <= now:
            continue  # a demo loaded after the season keeps these as drafts
        publish_event(event, organiser, now)
        pool = [u for u in users if registration_refusal(event, u, now) is None]
        for user in rng.sample(pool, min(spec["registrants"], len(pool))):
            me = AttendeeInput(user.name, user.phone or "13800000000", user.position or "")
            people = [me, *(_colleague(rng) for _ in range(rng.randint(0, 2)))]
            category = event.ticket_categories[0].id if event.ticket_categories else None
            register_for_event(event.id, user, people, category, now=now)
            registrations += 1
        if event.requires_approval:
            pending = [r.id for r in sorted(event.registrations, key=lambda r: r.queue_no)][:2]
            approve_registrations(event, pending, organiser)
    close_registrations(now)
    return {"events": events, "event_registrations": registrations}
