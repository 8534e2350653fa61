"""The demo season: six events dated relative to the day the demo is loaded, so it always looks current.

The 对接会 started yesterday (its first round of 1:1 meetings is over, the second is tomorrow) and the 大赛
final is on (judges are scoring); the other events are still ahead and open to register. Each event names
the demo organisations that take part in its story (with their ticket type); a few others register at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.core.clock import to_utc
from app.core.enums import EventType, OrgType, TicketType
from app.events.services import EventInput, SessionInput, TicketInput

T, OT, TT = EventType, OrgType, TicketType


@dataclass
class DemoEvent:
    data: EventInput
    registrants: int  # random verified organisations registering besides the named ones
    published_days_ago: int
    registered_days_ago: int  # when the named and random registrations came in
    named: tuple[tuple[str, TicketType | None], ...] = ()  # (org key, ticket) registering for the story
    approve: int = 0  # when approval is required: how many of the random registrations the organiser approved


class Days:
    """Beijing wall-clock moments counted in days from the day the demo is loaded, as naive UTC."""

    def __init__(self, today: date):
        self.today = today

    def at(self, offset: int, hhmm: str) -> datetime:
        hour, minute = (int(x) for x in hhmm.split(":"))
        return to_utc(datetime.combine(self.today + timedelta(days=offset), time(hour, minute)))

    def year_of(self, offset: int) -> int:
        return (self.today + timedelta(days=offset)).year

    def window(self, offset: int, start: str, end: str) -> str:
        """A line of the meeting settings' windows text, as an organiser types it (Beijing time)."""
        return f"{(self.today + timedelta(days=offset)).isoformat()} {start}-{end}"

    def session(self, title: str, offset: int, start: str, end: str, speaker="", room="", capacity=None):
        return SessionInput(title, self.at(offset, start), self.at(offset, end), speaker, room, capacity)


def season(d: Days) -> list[DemoEvent]:
    return [make(d) for make in (_expo, _docking, _roadshow, _training, _competition, _service_month)]


def _expo(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.EXPO, f"{d.year_of(42)} 内蒙古中小企业博览会", d.at(42, "09:00"), d.at(44, "17:00"),
            description="集中展示我区专精特新企业、科技成果与特色产品，设稀土新材料、绿色农畜产品、"
            "新能源装备、数字经济四大展区，同期举办银企对接和大中小企业融通专场。",
            venue="内蒙古国际会展中心（呼和浩特市赛罕区）", region="150100",
            registration_closes_at=d.at(39, "18:00"), capacity=2000, contact="博览会组委会 0471-6601234",
            sessions=[
                d.session("开幕式暨重点项目签约", 42, "09:00", "10:30", room="主会场A厅"),
                d.session("大中小企业融通对接专场", 42, "14:00", "17:00", room="B厅", capacity=300),
                d.session("银企对接会", 43, "09:30", "11:30", room="C厅", capacity=200),
            ],
            tickets=[TicketInput(TT.VISITOR, quota=1500), TicketInput(TT.EXHIBITOR, quota=300),
                     TicketInput(TT.MEDIA, quota=50)],
        ),
        registrants=4, published_days_ago=35, registered_days_ago=12,
        named=tuple((key, TT.EXHIBITOR) for key in (
            "ruifeng", "xinci", "jingyan", "yikang", "lingbei", "guangjie", "beijiang-dairy", "qingqing", "yunmu",
        )),
    )  # fmt: skip


def _docking(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.DOCKING, "稀土新材料产学研对接会", d.at(-1, "09:00"), d.at(1, "17:30"),
            description="围绕稀土永磁、抛光、储氢和催化材料，高校院所发布成果，企业发布技术需求；"
            "第一天下午和第三天下午安排两轮一对一洽谈，第二天组织参观稀土高新区企业。",
            venue="包头稀土高新区科技创新中心三楼报告厅", region="150200",
            registration_closes_at=d.at(-3, "18:00"), capacity=120,
            audience=[OT.UNIVERSITY.value, OT.INSTITUTE.value, OT.SME.value, OT.LARGE.value],
            contact="包头市中小企业服务中心 0472-5167890",
            sessions=[
                d.session("稀土功能材料科技成果发布", -1, "09:00", "11:30", "包头稀土研究院专家", "报告厅"),
                d.session("企业技术需求发布", -1, "11:30", "12:00", room="报告厅"),
                d.session("一对一洽谈（第一轮）", -1, "14:00", "17:30", room="洽谈区", capacity=80),
                d.session("稀土高新区企业参观", 0, "09:00", "16:30", room="集合地点：创新中心北门"),
                d.session("一对一洽谈（第二轮）", 1, "14:00", "17:30", room="洽谈区", capacity=80),
            ],
        ),
        registrants=3, published_days_ago=30, registered_days_ago=15,
        named=tuple((key, None) for key in (
            "re-institute", "yinshan", "bjtech", "ruifeng", "xinci", "jingyan", "qingyuan-h2", "xibao", "yikang",
        )),
    )  # fmt: skip


def _roadshow(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.ROADSHOW, "专精特新企业融资路演", d.at(35, "14:00"), d.at(35, "18:00"),
            description="12 家专精特新企业现场路演，邀请创投机构、银行和担保机构参加，路演后设自由交流环节。",
            venue="呼和浩特市金融大厦 18 楼路演厅", region="150100",
            registration_closes_at=d.at(32, "18:00"), capacity=80, requires_approval=True,
            contact="自治区中小企业服务中心 0471-6923456",
            tickets=[TicketInput(TT.VISITOR, quota=60), TicketInput(TT.PRESENTER, quota=12),
                     TicketInput(TT.JUDGE, quota=8)],
        ),
        registrants=5, published_days_ago=20, registered_days_ago=0, approve=2,
    )  # fmt: skip


def _training(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.TRAINING, "资本市场培训：北交所上市路径与规范治理", d.at(7, "09:30"), d.at(7, "12:00"),
            description="讲解北京证券交易所上市条件、审核要点和股份制改造中的规范治理问题，现场答疑。",
            venue="鄂尔多斯市康巴什区创业大厦 2 楼培训室",
            online_url="https://meeting.lianqiao.example/capital-training",
            region="150600", registration_closes_at=d.at(6, "18:00"), capacity=200,
        ),
        registrants=5, published_days_ago=14, registered_days_ago=0,
    )  # fmt: skip


def _competition(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.COMPETITION, "创客中国内蒙古赛区", d.at(-1, "09:00"), d.at(0, "17:30"),
            description="“创客中国”中小企业创新创业大赛内蒙古赛区决赛：第一天企业组、第二天创客组路演，"
            "评委现场打分，优胜项目推荐参加全国赛。",
            venue="赤峰市会展中心", region="150400",
            registration_opens_at=d.at(-60, "09:00"), registration_closes_at=d.at(-7, "18:00"),
            capacity=300, requires_approval=True, audience=[OT.SME.value, OT.UNIVERSITY.value],
            tickets=[TicketInput(TT.PRESENTER, quota=40), TicketInput(TT.JUDGE, quota=15),
                     TicketInput(TT.VISITOR)],
        ),
        registrants=1, published_days_ago=70, registered_days_ago=25,
        named=tuple((key, TT.PRESENTER) for key in (
            "xinci", "yikang", "qingqing", "yunmu", "shajiyuan", "guangjie", "grassuni",
        )),
    )  # fmt: skip


def _service_month(d: Days) -> DemoEvent:
    return DemoEvent(
        EventInput(
            T.SERVICE_MONTH, "中小企业服务月政策大讲堂", d.at(18, "14:30"), d.at(18, "17:00"),
            description="解读减税降费、融资担保、专精特新培育和数字化转型等惠企政策，政策专员现场答疑。",
            venue="通辽市科尔沁区政务服务中心多功能厅", region="150500",
            registration_closes_at=d.at(17, "12:00"), capacity=150,
        ),
        registrants=4, published_days_ago=10, registered_days_ago=0,
    )  # fmt: skip
