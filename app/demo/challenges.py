"""Demo 揭榜挂帅 / 赛马制: the expert pool, three 榜单 (app/demo/data/challenges.py) and one item at every stage:
collecting (with applications, a partner still to confirm, Q&A and an invitation), under expert review, in 公示
with an objection to answer, 赛马制 teams in stage 1, accepted with its public result, and 流榜.

Items stand on their backing need postings the way the issuer's desk makes them (items.services.sync_posting);
the later stages are written as the services leave them, dated back from the load day. The 任务书 and what
follows them are in app/demo/challenge_delivery.py.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.challenges.applications.models import ChallengeApplication, ChallengeInvite, ConsortiumPartner
from app.challenges.items.models import (
    ChallengeBatch,
    ChallengeIndicator,
    ChallengeItem,
    ChallengeQuestion,
    PaymentTranche,
)
from app.challenges.items.services import sync_posting
from app.challenges.notice.models import ChallengeNotice, ChallengeObjection
from app.challenges.notice.workdays import notice_period
from app.challenges.review.models import ChallengeExpert, ReviewAssignment, ReviewCriterion, ReviewRound, ReviewScore
from app.challenges.review.scoring import ranked
from app.challenges.review.services import DEFAULT_RUBRICS
from app.core.challenge_enums import (
    ApplicationStatus,
    BatchStatus,
    ChallengeMode,
    ItemStatus,
    NoticeStatus,
    PartnerStatus,
    ReviewStage,
)
from app.core.clock import local_date
from app.core.models import record_change
from app.demo.challenge_delivery import seed_challenge_delivery
from app.demo.data.challenges import BATCHES, EXPERTS, FIRM_ITEM, QUESTIONS
from app.demo.dating import dated, org_admins
from app.extensions import db
from app.organizations.models import Organization
from app.postings.services import expire_postings

SEED = 15
A = ApplicationStatus
# Who applies where, and how far each application got: (org key, status, partner keys and their status).
APPLICANTS: dict[str, list[tuple[str, ApplicationStatus, dict[str, PartnerStatus]]]] = {
    "magnet": [
        ("re-institute", A.SUBMITTED, {"xinci": PartnerStatus.CONFIRMED}),
        ("bjtech", A.DRAFT, {}),
    ],
    "mining-truck": [
        ("zhikuang", A.SUBMITTED, {}),
        ("kuangji", A.DRAFT, {"yinshan-heavy": PartnerStatus.INVITED}),
    ],
    "brine": [
        ("qingyuan-env", A.PROPOSED, {"erdos-energy": PartnerStatus.CONFIRMED}),
        ("tangu", A.SCREENED, {}),
        ("coal-institute", A.SCREENED, {}),
    ],
    "electrolyser": [
        ("qingqing", A.AWARDED, {}),
        ("energy-institute", A.AWARDED, {"yuanchu": PartnerStatus.CONFIRMED}),
        ("qingyuan-h2", A.AWARDED, {}),
        ("fengqing", A.NOT_SELECTED, {}),
    ],
    "starter": [("yikang", A.AWARDED, {}), ("ruimu", A.NOT_SELECTED, {})],
    "fineness": [("bairong", A.SCREEN_FAILED, {})],
}
# Expert panels per item (expert keys of data.EXPERTS); scores are drawn around each application's level.
PANELS = {
    "brine": ("expert2", "expert1", "expert5"),
    "electrolyser": ("expert3", "expert1", "expert5"),
    "starter": ("expert4", "expert2", "expert1"),
}
LEVEL = {"qingyuan-env": 0.9, "tangu": 0.82, "coal-institute": 0.75, "qingqing": 0.88, "energy-institute": 0.86,
         "qingyuan-h2": 0.8, "fengqing": 0.7, "yikang": 0.9, "ruimu": 0.72}  # fmt: skip


def seed_challenges(now: datetime, password_hash: str) -> dict[str, int]:
    today = local_date(now)
    rng = random.Random(SEED)
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organization))}
    people = org_admins()
    by_key = {key: user.org for key, user in people.items()}
    by_key["nm-miit"] = orgs["内蒙古自治区工业和信息化厅"]
    issuer_user = db.session.scalar(sa.select(User).where(User.email == "authority@lianqiao.demo"))
    experts = _experts(password_hash, now)
    items: dict[str, ChallengeItem] = {}
    for spec in BATCHES:
        batch = _batch(spec, by_key[spec["issuer"]], issuer_user, today, now)
        for position, item_spec in enumerate(spec["items"], start=1):
            items[item_spec["key"]] = _item(batch, item_spec, position, today, issuer_user)
    applications = {}
    for key, rows in APPLICANTS.items():
        for org_key, status, partners in rows:
            lead = (by_key[org_key], people[org_key])
            partner_orgs = {by_key[k]: v for k, v in partners.items()}
            submitted = now - timedelta(days=4 if items[key].status == ItemStatus.COLLECTING else 175)
            applications[(key, org_key)] = _application(items[key], lead, status, partner_orgs, submitted)
    for key, panel in PANELS.items():
        item = items[key]
        entered = [a for (k, _), a in applications.items() if k == key and a.status not in (A.DRAFT, A.SCREEN_FAILED)]
        _review(item, entered, [experts[e] for e in panel], rng, issuer_user, now - timedelta(days=150))
        _record_ranks(item)
    _questions(items, by_key, people, issuer_user, now)
    db.session.add(ChallengeInvite(item_id=items["magnet"].id, org=by_key["jingyan"], invited_by_id=issuer_user.id,
                                   reason="共同词语：稀土、永磁；同属 C32 有色金属冶炼和压延加工业",
                                   message="贵公司在稀土永磁材料方面有积累，欢迎揭榜或作为联合体成员参与。",
                                   created_at=now - timedelta(days=6)))  # fmt: skip
    _notice(items["brine"], applications, by_key, people, issuer_user, today, now)
    for key in ("electrolyser", "starter"):
        winners = [a for (k, _), a in applications.items() if k == key and a.status == A.AWARDED]
        _confirmed_notice(items[key], winners, issuer_user, today - timedelta(days=140))
    dairy = _firm_batch(by_key, people, experts, rng, today, now)
    db.session.flush()
    delivered = seed_challenge_delivery(items, applications, experts, issuer_user, today, now)
    # The needs of closed 榜单 are past their deadline: the hourly postings_expire job has taken them down.
    with dated(now - timedelta(hours=1), now):
        expire_postings(today)
    return {
        "challenge_batches": len(BATCHES) + 1,
        "challenge_items": len(items) + 1,
        "challenge_applications": len(applications) + len(dairy),
        "challenge_experts": len(experts),
        **delivered,
    }


def _experts(password_hash: str, now: datetime) -> dict[str, ChallengeExpert]:
    """The pool: experts of no registered organisation (a university or institute outside the platform)."""
    experts = {}
    for key, name, title, affiliation, fields, industries in EXPERTS:
        user = User(
            email=f"{key}@lianqiao.demo", name=name, password_hash=password_hash, created_at=now - timedelta(days=400)
        )
        expert = ChallengeExpert(user=user, title=title, affiliation=affiliation, fields=fields, industries=industries,
                                 created_at=now - timedelta(days=380))  # fmt: skip
        db.session.add_all([user, expert])
        experts[key] = expert
    db.session.flush()
    return experts


def _batch(spec: dict, issuer: Organization, actor, today: date, now: datetime) -> ChallengeBatch:
    opens, closes = today + timedelta(days=spec["opens"]), today + timedelta(days=spec["closes"])
    batch = ChallengeBatch(
        issuer_org_id=issuer.id,
        title=spec["title"],
        description=spec["description"],
        opens_on=opens,
        closes_on=closes,
        status=BatchStatus.PUBLISHED,
        published_at=now + timedelta(days=spec["opens"] - 3),
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    record_change("challenge_batch", batch.id, BatchStatus.DRAFT, BatchStatus.PUBLISHED, actor)
    return batch


def _item(batch: ChallengeBatch, spec: dict, position: int, today: date, actor) -> ChallengeItem:
    teams = spec.get("teams", (1, 1))
    item = ChallengeItem(
        batch=batch,
        position=position,
        title=spec["title"],
        goal=spec["goal"],
        background=spec.get("background"),
        industry=spec["industry"],
        keywords=spec.get("keywords", []),
        complete_by=batch.closes_on + timedelta(days=30 * spec["months"]),
        funding_wan=Decimal(spec["funding"]),
        mode=spec["mode"],
        teams_stage1=teams[0],
        teams_kept=teams[1],
        eligible_org_types=spec["org_types"],
        consortium_allowed=spec["consortium"],
        max_partners=3 if spec["consortium"] else 0,
        ip_terms=spec["ip"],
        experts_per_application=3,
        blind_review=spec["mode"] == ChallengeMode.SINGLE and spec["status"] != ItemStatus.COLLECTING,
        status=ItemStatus.COLLECTING,
        failed_reason=spec.get("failed_reason"),
    )
    for n, (name, target, unit, verification) in enumerate(spec["indicators"], start=1):
        item.indicators.append(ChallengeIndicator(position=n, name=name, target=target, unit=unit, verification=verification))  # fmt: skip
    for n, (name, percent, trigger) in enumerate(spec["plan"], start=1):
        item.tranches.append(PaymentTranche(position=n, name=name, percent=percent, trigger=trigger))
    db.session.add(item)
    db.session.flush()
    posting = sync_posting(item, actor)
    posting.ref = f"DEMO-JB-{batch.id}-{position}"  # like the corpus, so a re-import finds it
    posting.created_at = posting.published_at = batch.published_at  # the need went up with its 榜单
    # An accepted item is left 实施中: the delivery services settle it once its 验收 is recorded.
    status = ItemStatus.IMPLEMENTING if spec["status"] == ItemStatus.ACCEPTED else spec["status"]
    if status != ItemStatus.COLLECTING:
        record_change("challenge_item", item.id, ItemStatus.COLLECTING, status, actor, spec.get("failed_reason"))
        item.status = status
    return item


def _application(item, lead, status, partners: dict, submitted: datetime) -> ChallengeApplication:
    """An application as its lead wrote it: team, a plan per indicator, budget, milestones, the 承诺书."""
    org, user = lead
    funding = item.funding_wan
    application = ChallengeApplication(
        item=item,
        org=org,
        created_by_id=user.id,
        status=status,
        project_title=f"{org.name.removesuffix('有限公司').removesuffix('股份')}：{item.title.split('（')[0]}攻关方案",
        summary=f"依托本单位在{item.title[:8]}方面的前期工作，提出分阶段攻关路线，按考核指标逐项验证。",
        technical_plan="一、技术路线：实验室小试 → 中试放大 → 工程示范，三个阶段各设验收节点。\n"
        "二、关键问题与对策：针对指标中难度最大的两项，分别安排对比试验与第三方检测。\n"
        "三、风险与备选方案：主路线受阻时切换备选工艺，并提前锁定检测与示范场地。",
        team=[
            {"name": user.name, "title": "项目负责人", "role": "总体方案与组织实施"},
            {"name": "李文博", "title": "高级工程师", "role": "工艺与装备研制"},
            {"name": "张敏", "title": "工程师", "role": "测试验证与数据分析"},
        ],
        indicator_plans={
            str(i.id): f"通过{i.verification or '第三方检测'}验证，目标{i.target}{i.unit or ''}，中期先达到目标的八成。"
            for i in item.indicators
        },  # fmt: skip
        budget=[
            {"item": "设备购置与改造", "amount_wan": str((funding * Decimal("0.45")).quantize(Decimal("1")))},
            {"item": "材料与测试化验", "amount_wan": str((funding * Decimal("0.30")).quantize(Decimal("1")))},
            {"item": "人员与劳务", "amount_wan": str((funding * Decimal("0.20")).quantize(Decimal("1")))},
        ],
        milestones=[
            {"name": "方案细化与小试", "months": 6, "deliverable": "小试报告"},
            {"name": "中试与中期检查", "months": 12, "deliverable": "中试样品与检测报告"},
            {"name": "工程示范与验收", "months": 24, "deliverable": "示范运行报告"},
        ],
        linked_posting_ids=[],
        commitment_at=submitted if status != A.DRAFT else None,
        submitted_at=submitted if status != A.DRAFT else None,
        created_at=submitted - timedelta(days=3),
        updated_at=submitted,
    )
    if status in (A.SCREENED, A.SCREEN_FAILED, A.PROPOSED, A.AWARDED, A.NOT_SELECTED):
        application.screened_at = submitted + timedelta(days=12)
    if status == A.SCREEN_FAILED:
        application.return_reason = "缺少第三方检测机构出具的前期测试报告，申报材料不符合榜单要求。"
    db.session.add(application)
    for partner_org, partner_status in partners.items():
        answered = submitted - timedelta(days=1) if partner_status != PartnerStatus.INVITED else None
        application.partners.append(
            ConsortiumPartner(
                org=partner_org,
                part="联合攻关：负责中试验证与示范应用",
                budget_share_wan="30",
                status=partner_status,
                answered_at=answered,
            )  # fmt: skip
        )
    db.session.flush()
    if status != A.DRAFT:
        record_change("challenge_application", application.id, A.DRAFT, A.SUBMITTED, user)
    return application


def _review(item, applications, panel, rng, actor, when: datetime, *, done: dict | None = None) -> None:
    """The REVIEW stage of an item: the default rubric, each application scored by the panel around its level.
    `done` maps an expert to how many applications it has scored so far (the rest wait: an item still in
    review); without it every expert has scored everything and the issuer closed the stage."""
    criteria = [
        ReviewCriterion(item_id=item.id, stage=ReviewStage.REVIEW, position=n, name=name, weight=weight, max_score=top)
        for n, (name, weight, top) in enumerate(DEFAULT_RUBRICS[ReviewStage.REVIEW], start=1)
    ]
    db.session.add_all(criteria)
    db.session.flush()
    levels = {user.org_id: LEVEL[key] for key, user in org_admins().items() if key in LEVEL}
    for expert in panel:
        limit = len(applications) if done is None else done.get(expert, 0)
        for n, application in enumerate(applications):
            scored = n < limit
            declared = scored or (done is not None and expert in done)
            assignment = ReviewAssignment(
                application=application, expert=expert, stage=ReviewStage.REVIEW, assigned_by_id=actor.id,
                assigned_at=when - timedelta(days=3), declared_at=when - timedelta(days=2) if declared else None,
                submitted_at=when if scored else None,
                comment="方案完整，指标分解清楚；建议补充中试阶段的风险预案。" if scored else None,
            )  # fmt: skip
            if scored:
                level = levels.get(application.org_id, 0.8)
                for c in criteria:
                    share = min(1.0, max(0.3, rng.gauss(level, 0.05)))
                    assignment.scores.append(ReviewScore(criterion_id=c.id, half_points=round(share * c.max_score * 2)))
            db.session.add(assignment)
    if done is None:
        db.session.add(ReviewRound(item_id=item.id, stage=ReviewStage.REVIEW, closed_at=when + timedelta(days=2),
                                   closed_by_id=actor.id))  # fmt: skip
    db.session.flush()


def _record_ranks(item: ChallengeItem) -> None:
    """The decision writes each application's review result and rank, as the notice desk does."""
    for row in ranked(item, ReviewStage.REVIEW):
        row.application.final_score = str(row.result) if row.result is not None else None
        row.application.rank = row.rank


def _questions(items, by_key, people, issuer_user, now: datetime) -> None:
    for n, (item_key, org_key, body, answer) in enumerate(QUESTIONS):
        asked = now - timedelta(days=8 - n)
        db.session.add(
            ChallengeQuestion(
                item_id=items[item_key].id, org_id=by_key[org_key].id, asked_by_id=people[org_key].id, body=body,
                asked_at=asked, answer=answer, answered_at=asked + timedelta(days=1) if answer else None,
                answered_by_id=issuer_user.id if answer else None,
            )
        )  # fmt: skip


def _notice(item, applications, by_key, people, actor, today: date, now: datetime) -> ChallengeNotice:
    """The 公示 of the winner of `brine`, published two days ago for 5 working days, with one objection the
    issuer has still to answer (so the round cannot be confirmed yet)."""
    winner = applications[(item_key(item), "qingyuan-env")]
    starts_on, ends_on = notice_period(today - timedelta(days=2), 5)
    notice = ChallengeNotice(
        item=item, starts_on=starts_on, ends_on=ends_on, working_days=5, status=NoticeStatus.OPEN,
        application_ids=[winner.id], published_by_id=actor.id, published_at=now - timedelta(days=2),
        text="公示期内，任何单位对拟揭榜单位有异议的，可在本页实名提交异议及证明材料，发榜单位将逐条答复。",
    )  # fmt: skip
    notice.objections.append(
        ChallengeObjection(
            application_id=winner.id, org_id=by_key["jinsha"].id, lodged_by_id=people["jinsha"].id,
            reasons="拟揭榜单位申报材料中所列“吨水处理成本 32 元”的中试数据，与其去年公开发布的中试报告（41 元/吨）不一致，"
            "请核实中试规模与核算口径。",
            lodged_at=now - timedelta(hours=20),
        )
    )  # fmt: skip
    db.session.add(notice)
    return notice


def item_key(item: ChallengeItem) -> str:
    return next(spec["key"] for batch in BATCHES for spec in batch["items"] if spec["title"] == item.title)


def _confirmed_notice(item, winners, actor, published_on: date) -> None:
    """A past 公示 that ran its course without objection: the award it confirmed stands."""
    starts_on, ends_on = notice_period(published_on, 5)
    published = datetime.combine(published_on, datetime.min.time()) + timedelta(hours=2)
    db.session.add(
        ChallengeNotice(
            item=item, starts_on=starts_on, ends_on=ends_on, working_days=5, status=NoticeStatus.CONFIRMED,
            application_ids=[a.id for a in winners], published_by_id=actor.id, published_at=published,
            closed_at=datetime.combine(ends_on, datetime.min.time()) + timedelta(days=1, hours=1),
            text="公示期满无异议，揭榜结果予以确认。",
        )
    )  # fmt: skip


def _firm_batch(by_key, people, experts, rng, today: date, now: datetime) -> list[ChallengeApplication]:
    """北疆乳业's own 榜单 (a lead firm may publish one): its item closed three days ago and is under blind expert
    review — expert4 has scored both applications, expert5 one, expert1 has not yet signed the declaration."""
    firm, firm_user = by_key["beijiang-dairy"], people["beijiang-dairy"]
    spec = {
        "key": "dairy-2026", "issuer": "beijiang-dairy", "title": "北疆乳业2026年度揭榜挂帅项目",
        "description": "面向低温乳制品全链条的技术难题，北疆乳业出资张榜，欢迎高校院所和科技型企业揭榜。",
        "opens": -40, "closes": -3,
    }  # fmt: skip
    batch = _batch(spec, firm, firm_user, today, now)
    item = _item(batch, FIRM_ITEM, 1, today, firm_user)
    entered = []
    for org_key in ("yunmu", "saibei"):
        application = _application(item, (by_key[org_key], people[org_key]), A.SCREENED, {}, now - timedelta(days=8))
        entered.append(application)
    panel = [experts["expert4"], experts["expert5"], experts["expert1"]]
    _review(item, entered, panel, rng, firm_user, now - timedelta(hours=6),
            done={experts["expert4"]: 2, experts["expert5"]: 1})  # fmt: skip
    return entered
