"""The 大赛 (创客中国内蒙古赛区) under way: a weighted rubric, three expert judges (demo accounts), the entrants'
line-up, and scores part-way — one judge done, one half-way with a sheet left incomplete, one not started —
so the results page ranks what is complete and 截止评分 is the organiser's next step."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import EventType
from app.demo.data.orgs import JUDGES
from app.demo.events import confirmed, event_of, organiser
from app.demo.season import Days
from app.events.judging.scores import field_name, save_scores
from app.events.judging.services import CriterionInput, add_presenter, assign_judge, save_rubric, set_lineup
from app.extensions import db

RUBRIC = [  # name, weight (sums to 100), maximum
    ("技术创新性", "30", "10"),
    ("市场前景", "25", "10"),
    ("商业模式", "20", "10"),
    ("团队能力", "15", "10"),
    ("社会效益", "10", "10"),
]
PROJECTS = {  # entrant org key → project, in the order they present
    "xinci": "晶界扩散低重稀土高矫顽力钕铁硼磁体产业化",
    "yikang": "耐胃酸益生菌微胶囊固体饮料",
    "qingqing": "兆瓦级碱性电解水制氢装备",
    "yunmu": "牧区羊绒溯源与智慧牧场SaaS平台",
    "shajiyuan": "沙棘黄酮高值化提取与功能食品开发",
    "guangjie": "光伏板无水清洗机器人集群调度系统",
    "grassuni": "高原饲草青贮菌剂（创客组）",
}
COMMENTS = ("技术路线清晰，产业化数据扎实。", "市场分析偏乐观，建议补充竞品对比。", "团队配置完整，商业模式可再打磨。")
SCORED_BY = (len(PROJECTS), 4, 0)  # how many entrants each judge has scored, in line-up order


def _judges() -> list[User]:
    emails = [account.email for account in JUDGES]
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    return [users[email] for email in emails]


def _sheet(rng: random.Random, quality: float, rubric, complete: bool) -> dict[str, str]:
    """A judge's scores around the entrant's quality, in steps of 0.5; an incomplete sheet skips one criterion."""
    values = {}
    for criterion in rubric:
        half = round(2 * min(criterion.max_score, max(0.0, rng.gauss(quality, 0.8))))
        values[field_name(criterion)] = f"{half / 2:g}"
    if not complete:
        values[field_name(rubric[-1])] = ""
    return values


def seed_judging(rng: random.Random, now: datetime, people: dict[str, User]) -> dict[str, int]:
    event = event_of(EventType.COMPETITION)
    by, days = organiser(), Days(local_date(now))
    rubric = save_rubric(event, by, [CriterionInput(*row) for row in RUBRIC])
    panel = [assign_judge(event, user, by) for user in _judges()]
    registrations = confirmed(event)
    lineup = [
        add_presenter(event, by, registrations[people[key].org_id].id, project) for key, project in PROJECTS.items()
    ]
    first = days.at(-1, "09:30")
    set_lineup(event, by, {p.id: (p.position, first + timedelta(minutes=20 * i)) for i, p in enumerate(lineup)})
    quality = {p.id: rng.uniform(6.5, 9.0) for p in lineup}
    sheets = 0
    for judge, count in zip(panel, SCORED_BY, strict=True):
        for i, presenter in enumerate(lineup[:count]):
            complete = not (count < len(lineup) and i == count - 1)  # the half-way judge stopped mid-sheet
            comment = rng.choice(COMMENTS) if rng.random() < 0.5 else ""
            save_scores(event, judge, presenter, _sheet(rng, quality[presenter.id], rubric, complete), comment)
            sheets += 1
    return {"judges": len(panel), "presenters": len(lineup), "score_sheets": sheets}
