"""Demo docking activity: a year of requests between demo organisations and the records that followed, from a
first phone call to a signed and accepted contract (or a polite no), so the follow-through pages, the
notifications and the organiser's funnel have something real to show.

Everything goes through the docking services, which refuse anything a user could not do; each step is then
dated back to the day it happened in the story. Most requests follow the hand-written pairs of
app/demo/data/pairs.py, which `flask matching run` recommends to each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.core.clock import to_local, to_utc
from app.core.enums import (
    ContractType,
    DeclineReason,
    DockingOrigin,
    DockingStage,
    PostingKind,
    PostingStatus,
)
from app.core.models import StatusChange
from app.demo.dating import dated, org_admins
from app.docking.models import DockingRecord, DockingRequest
from app.docking.records import add_docking_note, move_docking_stage
from app.docking.services import (
    accept_docking_request,
    decline_docking_request,
    expire_docking_requests,
    send_docking_request,
)
from app.extensions import db
from app.postings.models import Posting

ST, CT = DockingStage, ContractType


@dataclass(frozen=True)
class Step:
    day: int  # days after the request was sent
    action: str  # accept | decline | note | stage | expire
    side: str = "to"  # who acts: "from" (the sender's organisation) or "to" (the posting's owner)
    text: str = ""
    stage: DockingStage | None = None
    contract: tuple[ContractType, str] | None = None  # (type, amount in 万元) when signing
    reason: DeclineReason | None = None


def accept(day: int) -> Step:
    return Step(day, "accept")


def note(day: int, side: str, text: str) -> Step:
    return Step(day, "note", side, text)


def stage(day: int, side: str, to: DockingStage, text: str, contract: tuple[ContractType, str] | None = None) -> Step:
    return Step(day, "stage", side, text, stage=to, contract=contract)


def decline(day: int, reason: DeclineReason, text: str) -> Step:
    return Step(day, "decline", text=text, reason=reason)


def expire() -> Step:
    """Nobody answers: the expiry job expires the request at its deadline."""
    return Step(0, "expire")


@dataclass(frozen=True)
class Story:
    sender: str  # org key
    target: str  # the requested posting's title, or "<org key>:<kind>" for that organisation's best fit
    own: str | None  # the sender's own posting the request is about
    ago: int  # days before the seed that the request was sent
    message: str
    steps: tuple[Step, ...] = ()


STORIES = [
    Story(
        "jingyan", "基于湿式静电与脉冲袋式耦合的细颗粒粉尘治理技术及其在稀土抛光粉车间的应用",
        "车间粉尘太大，想找个靠谱的除尘方案", 300,
        "白老师您好，我们是包头晶研抛光材料。抛光粉车间焙烧和粉碎工段的粉尘一直治理不好，看到贵校这项成果"
        "正好有稀土抛光粉车间的案例，想请团队来现场看看，评估一下改造方案和费用。",
        (
            accept(2),
            note(9, "to", "周四带两个学生去晶研车间测了一天，焙烧工段出口浓度比预想的还高，粉碎工段负压不够。下周出初步方案。"),
            stage(16, "from", ST.NEGOTIATING, "方案收到了，总体认可。主要在谈回收粉怎么回用、改造期间能不能不停产。"),
            note(31, "from", "预算批下来了，30万以内。麻烦白老师按分两期施工再报一版价。"),
            stage(44, "to", ST.INTENT, "按两期施工、不停产改造的方案达成一致，合同文本学校科技处在审核。"),
            stage(63, "from", ST.SIGNED, "技术服务合同已盖章，下个月初进场。", (CT.SERVICE, "28.60")),
            note(118, "to", "一期设备安装调试完成，焙烧工段排口实测3.8mg/m³。二期等企业检修窗口再施工。"),
            stage(205, "from", ST.COMPLETED,
                  "两期改造全部完成，第三方检测车间作业面粉尘浓度下降82%，回收粉已回用到生产线，验收通过。"),
        ),
    ),
    Story(
        "lingbei", "基于复合发酵剂与酶促加速成熟的契达奶酪快速成熟技术", "奶酪成熟周期太长，想缩短又不影响风味", 250,
        "苏老师好，我们是岭北奶酪，主要做契达和高达，成熟期太长压库存。贵院的快速成熟技术我们很感兴趣，"
        "想了解能不能在我们车间做中试，费用怎么算。",
        (
            accept(1),
            stage(12, "to", ST.NEGOTIATING, "已发去中试方案和发酵剂样品清单，等企业确认生产排期。"),
            note(24, "from", "按新工艺做了两槽，成熟到第8周口感已经接近以前4个月的，老师傅说香味还差一点，继续观察。"),
            stage(41, "from", ST.INTENT, "风味评测通过，双方同意先签一年合作开发，研究院派人驻厂。"),
            stage(60, "to", ST.SIGNED, "合作开发合同已签订，首期款已到账。", (CT.JOINT_DEV, "45.00")),
            note(140, "from", "第一批中试奶酪已进库，预计比原工艺提前两个半月出库。"),
        ),
    ),
    Story(
        "rongyi", "基于低温助剂体系的羊绒纤维低损伤染色方法及其在精纺面料中的应用",
        "染色后羊绒手感发硬、强力下降，求低温染色工艺", 200,
        "郝老师您好，我们厂散纤维一直是98℃染一个多小时，染完手感发硬，客户投诉不少。"
        "看到您这边的低温染色方法，想问问能不能先拿我们的绒做个小样？",
        (
            accept(3),
            note(10, "from", "深灰、驼色两个色号的原绒各5公斤已经快递到学校实验室了，请查收。"),
            stage(19, "to", ST.NEGOTIATING, "小样染出来了，85℃条件下色差在允许范围，强力损失比原工艺少一半左右。"),
            note(47, "from", "车间试了一缸，手感明显软了，但深色有点发花，老师说要调一下助剂配比。"),
            stage(78, "to", ST.INTENT, "商定以技术转让加后续技术服务的方式合作，合同由学校技术转移中心起草。"),
        ),
    ),
    Story(
        "hengtai", "煤化工高盐废水纳滤分盐—冷冻结晶资源化成套技术", "煤化工高盐废水分盐结晶及杂盐资源化技术攻关", 280,
        "任主任好，我们煤制烯烃项目的高盐废水分盐一直是难点，杂盐只能按危废处置，成本很高。"
        "贵院的纳滤分盐—冷冻结晶技术能否到现场做个评估？",
        (
            accept(4),
            stage(13, "from", ST.NEGOTIATING, "研究院来现场取了水样，正在做分盐小试。"),
            note(38, "to", "小试结果：氯化钠纯度98.6%，硫酸钠97.9%，达到工业盐标准。中试装置投资估算约600万元。"),
            stage(92, "from", ST.TERMINATED, "中试装置投资超出今年技改预算，集团决定暂缓，双方约定明年预算批复后再对接。"),
        ),
    ),
    Story(
        "yinshan-heavy", "面向露天矿粉尘环境的多传感器融合感知方法及其在无人驾驶矿卡中的应用",
        "矿用自卸车无人驾驶感知系统国产化攻关", 120,
        "郝老师，我们在做矿用自卸车无人驾驶，感知系统的进口件贵，供货也没保障，想跟学校联合攻关多传感器融合"
        "这一块。方便的话约个时间当面交流。",
        (
            accept(5),
            note(19, "from", "上周在矿区跑了两天数据采集，扬尘大的时候激光雷达点云噪声很明显，数据已经拷给学校。"),
            stage(33, "to", ST.NEGOTIATING, "技术路线基本确定，正在谈知识产权归属和经费分期。"),
            note(66, "from", "法务对知识产权条款还有意见：共有专利希望企业有优先实施权，等学校回复。"),
        ),
    ),
    Story(
        "yikang", "采购益生菌菌粉", "益生菌菌种及菌粉定制生产", 230,
        "刘经理您好，我公司专业生产益生菌菌粉，有自有菌种库和GMP车间，可以按贵公司配方定制，"
        "活菌数和稳定性都有第三方检测报告。希望参加本次采购。",
        (
            accept(2),
            note(8, "from", "样品（乳双歧杆菌、鼠李糖乳杆菌各1公斤）已寄出，检测报告同时发到您邮箱了。"),
            stage(24, "to", ST.NEGOTIATING, "样品检测合格，进入商务谈判，主要谈年采购量和价格梯度。"),
            stage(49, "to", ST.INTENT, "价格谈妥，供应商现场审计已通过。"),
            stage(73, "from", ST.SIGNED, "年度采购合同已签订，分季度供货。", (CT.PURCHASE, "126.00")),
            note(128, "to", "第一批2吨菌粉到货，入厂检验全部合格。"),
        ),
    ),
    Story(
        "yikang", "基于乳清蛋白—海藻酸钠复合壁材的益生菌微胶囊包埋技术及其在常温酸奶中的应用",
        "益生菌过胃酸存活率低，想做微胶囊包埋", 38,
        "其木格老师您好，我们做益生菌产品，过胃酸后存活率偏低。看到您团队的微胶囊包埋技术，"
        "想请教能不能用在我们的固体饮料上。",
        (
            accept(3),
            note(8, "from", "已和其木格老师通过电话，先寄两款产品过去测包埋前后的耐酸存活率。"),
            note(31, "to", "样品测完了，包埋后模拟胃液处理2小时存活率明显提高，数据表发您邮箱了。下周三上午可以来实验室细谈。"),
        ),
    ),
    Story(
        "xinci", "re-institute:achievement", None, 22,
        "王老师您好，我们是包头鑫磁新材料，主要做烧结钕铁硼毛坯。看到贵院的《{title}》，"
        "想了解一下技术成熟度、中试情况和合作方式。",
        (
            accept(2),
            note(6, "to", "技术资料和中试数据已发到企业邮箱，约了下周二到企业参观产线。"),
        ),
    ),
    Story(
        "guangjie", "采购光伏板清洗机器人", "光伏板无水清洗机器人（轨道式/履带式）", 5,
        "孙经理好，我公司的光伏板无水清洗机器人已在巴彦淖尔、阿拉善多个电站应用，轨道式和履带式都有。"
        "可以先在贵公司电站免费试用一个月，看清洗效果再谈。",
    ),
    Story(
        "niuye", "基于机器视觉的牛胴体大理石花纹自动分级及低温排酸嫩化技术", "牛肉嫩度忽好忽坏，想找排酸和分级的办法", 2,
        "您好，我们是兴安盟草原牛业，牛肉嫩度不稳定，客户退过好几次货。想了解贵校的排酸和自动分级技术，"
        "能不能请老师到我们屠宰厂看一下？",
    ),
    Story(
        "zhongye", "采购光伏场区生态修复用乡土草种", "羊草、冰草等乡土草种批量供应", 14,
        "孙经理您好，我公司有自有繁育基地，羊草、冰草、披碱草等乡土草种可以批量供应，发芽率都有检测报告，"
        "也能按贵公司的生态修复方案配比混播种子。",
        (decline(2, DeclineReason.PARTNERED, "今年的草种已经和原供应商签了框架协议，明年招标时欢迎参与。"),),
    ),
    Story(
        "haibo", "露天矿卡无人驾驶系统", "焦化厂区短倒运输想试点无人驾驶", 58,
        "郑总您好，我们焦化厂区内焦炭短倒运输想试点无人驾驶，线路固定、单程约3公里。"
        "想了解贵公司的系统能否用于厂区场景，大概投入多少。",
        (expire(),),
    ),
    Story(  # waiting for the SME demo account's answer (its home page's 待处理)
        "lingbei", "益生菌菌种及菌粉定制生产", None, 1,
        "周经理您好，我们是岭北奶酪，想用内蒙古本地乳酸菌做契达奶酪的发酵剂，替代进口菌种。"
        "贵公司能否按我们的工艺筛选菌株、小批量供应冻干发酵剂？想先要一份菌株清单和报价。",
    ),
]  # fmt: skip


def seed_docking(rng: random.Random, now: datetime) -> dict[str, int]:
    """Play every story through the docking services, dated back into the past year."""
    people = org_admins()
    for story in STORIES:
        _play(rng, story, people, now)
    return {
        "docking_requests": len(STORIES),
        "docking_records": db.session.scalar(sa.select(sa.func.count(DockingRecord.id))),
    }


def _by_title(title: str) -> Posting:
    return db.session.scalar(sa.select(Posting).where(Posting.title == title))


def _target(story: Story, sender: User, people: dict[str, User]) -> Posting:
    """The named posting, or the owner's published posting of that kind sharing most keywords with the sender's."""
    if ":" not in story.target:
        return _by_title(story.target)
    owner, kind = story.target.split(":")
    candidates = db.session.scalars(
        sa.select(Posting)
        .where(Posting.org_id == people[owner].org_id, Posting.kind == PostingKind(kind))
        .where(Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.ref)
    ).all()
    own_words = {
        word
        for keywords in db.session.scalars(sa.select(Posting.keywords).where(Posting.org_id == sender.org_id))
        for word in keywords or []
    }
    return max(candidates, key=lambda p: len(own_words & set(p.keywords or [])))


def _moment(rng: random.Random, day: datetime) -> datetime:
    """A time in Beijing office hours on the given Beijing day, stored as naive UTC."""
    return to_utc(datetime.combine(day.date(), time(rng.randint(8, 17), rng.randint(0, 59))))


def _play(rng: random.Random, story: Story, people: dict[str, User], now: datetime) -> None:
    sender = people[story.sender]
    target = _target(story, sender, people)
    own = _by_title(story.own) if story.own else None
    first_day = to_local(now) - timedelta(days=story.ago)
    sent_at = _moment(rng, first_day)
    for posting in (target, own):
        if posting is not None:
            _published_before(posting, sent_at - timedelta(days=rng.randint(12, 45)))

    with dated(sent_at, now):
        req = send_docking_request(
            sender,
            target.id,
            story.message.format(title=target.title),
            own_posting_id=own.id if own else None,
            origin=DockingOrigin.MATCH if own else DockingOrigin.POSTING,
        )
    req.created_at = sent_at
    deadline = sent_at + timedelta(days=current_app.config["DOCKING_REQUEST_EXPIRY_DAYS"])
    sides = {"from": sender, "to": next(u for u in people.values() if u.org_id == req.to_org_id)}
    record = None
    for step in story.steps:
        if step.action == "expire":
            when = deadline
        else:
            when = min(_moment(rng, first_day + timedelta(days=step.day)), now - timedelta(minutes=5))
        with dated(when, now):
            record = _act(step, req, record, sides[step.side], when) or record
        if record is not None:
            record.updated_at = when
    # The services checked the deadline against today's clock; with every answer given it can be the story's.
    req.expires_at = deadline
    db.session.flush()


def _act(step: Step, req: DockingRequest, record: DockingRecord | None, actor: User, when: datetime):
    """One step of a story through its service; returns the record when the step starts one."""
    if step.action == "accept":
        record = accept_docking_request(req, actor)
        req.answered_at = record.created_at = when
        return record
    if step.action == "decline":
        decline_docking_request(req, actor, step.reason.value, step.text)
        req.answered_at = when
        return None
    if step.action == "expire":
        req.expires_at = when
        expire_docking_requests(when)
        return None
    if step.action == "note":
        add_docking_note(record, actor, step.text)
        return None
    day = to_local(when).date()
    contract_type, amount = step.contract or (None, None)
    move_docking_stage(
        record,
        actor,
        step.stage,
        contract_type=contract_type.value if contract_type else None,
        amount=amount,
        signed_on=day if step.stage == ST.SIGNED else None,
        completed_on=day if step.stage == ST.COMPLETED else None,
        note=step.text,
    )
    return None


def _published_before(posting: Posting, latest: datetime) -> None:
    """A request needs its postings published before it: move a later posting's whole history back."""
    if posting.published_at is None or posting.published_at <= latest:
        return
    shift = posting.published_at - latest
    for column in ("created_at", "submitted_at", "published_at", "updated_at"):
        if getattr(posting, column) is not None:
            setattr(posting, column, getattr(posting, column) - shift)
    history = db.session.scalars(
        sa.select(StatusChange).where(StatusChange.entity_type == "posting", StatusChange.entity_id == posting.id)
    )
    for change in history:
        change.at -= shift
    db.session.flush()
