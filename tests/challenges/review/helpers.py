"""Review tests' shared pieces: an item past its deadline (评审中) with submitted applications, a consortium,
organisations in groups, and an expert pool — built straight through the models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.challenges.applications.models import ChallengeApplication, ConsortiumPartner
from app.challenges.review.models import ChallengeExpert
from app.challenges.review.services import save_criteria
from app.core.challenge_enums import ApplicationStatus, PartnerStatus, ReviewStage
from app.core.enums import OrgType
from app.core.models import utcnow
from app.core.rubric import CriterionInput
from app.organizations.models import OrgGroup
from tests.challenges.helpers import make_item
from tests.factories import OrgFactory, UserFactory

CLOSED_ON = date(2026, 12, 1)  # before TEST_CLOCK's 2026-12-04: the item reads as 评审中
LEAD_NAME = "包头稀土永磁科技有限公司"
PARTNER_NAME = "内蒙古科技大学材料学院"
TEAM = [
    {"name": "赵振华", "title": "教授", "role": "项目负责人"},
    {"name": "钱秀兰", "title": "高级工程师", "role": "工艺开发"},
]
RUBRIC = [("技术方案先进性与可行性", "60", "30"), ("考核指标可达性", "40", "20")]


def make_application(db, item, org, *, status=ApplicationStatus.SUBMITTED, partners=(), team=None, **fields):
    application = ChallengeApplication(
        item_id=item.id,
        org_id=org.id,
        status=status,
        project_title=fields.pop("project_title", "高丰度稀土永磁体晶界扩散工艺"),
        summary=fields.pop("summary", "采用晶界扩散技术降低重稀土用量。"),
        technical_plan=fields.pop("technical_plan", "分三阶段完成中试与批量验证。"),
        team=list(team if team is not None else TEAM),
        submitted_at=utcnow(),
        commitment_at=utcnow(),
        **fields,
    )
    db.session.add(application)
    db.session.flush()
    for partner in partners:
        db.session.add(
            ConsortiumPartner(
                application_id=application.id, org_id=partner.id, part="性能检测", status=PartnerStatus.CONFIRMED
            )
        )
    db.session.flush()
    db.session.refresh(application)
    return application


def make_expert(db, org=None, *, industries=("C",), fields=("稀土",), name=None, active=True):
    user = UserFactory(org=org or OrgFactory(org_type=OrgType.INSTITUTE), **({"name": name} if name else {}))
    expert = ChallengeExpert(
        user_id=user.id,
        title="研究员",
        affiliation=None,
        fields=list(fields),
        industries=list(industries),
        active=active,
    )
    db.session.add(expert)
    db.session.flush()
    return expert


@dataclass
class World:
    issuer_user: object
    item: object
    lead: object
    partner: object
    application: object
    other: object  # a second, independent applicant
    other_application: object
    group: object
    experts: list = field(default_factory=list)


def world(db, *, blind=False, experts=3, rubric=True, **item_fields) -> World:
    """An authority's item, closed on 2026-12-01, with two submitted applications: a consortium (lead in a 集团,
    one partner) and an independent SME; `experts` independent experts in the pool."""
    issuer = OrgFactory(org_type=OrgType.AUTHORITY, name="内蒙古自治区工业和信息化厅（测试）")
    issuer_user = UserFactory(org=issuer)
    item = make_item(db, issuer, closes_on=CLOSED_ON, blind_review=blind, experts_per_application=2, **item_fields)
    group = OrgGroup(name="北方稀土集团（测试）")
    db.session.add(group)
    db.session.flush()
    lead = OrgFactory(name=LEAD_NAME, group_id=group.id)
    partner = OrgFactory(name=PARTNER_NAME, org_type=OrgType.UNIVERSITY)
    other = OrgFactory(name="鄂尔多斯新材料有限公司")
    application = make_application(db, item, lead, partners=[partner])
    other_application = make_application(
        db,
        item,
        other,
        team=[{"name": "孙立新", "title": "工程师", "role": "负责人"}],
        project_title="稀土永磁回收再利用",
    )
    w = World(issuer_user, item, lead, partner, application, other, other_application, group)
    w.experts = [make_expert(db) for _ in range(experts)]
    if rubric:
        save_criteria(item, ReviewStage.REVIEW, issuer_user, [CriterionInput(*r) for r in RUBRIC])
    db.session.commit()
    return w


def screened(db, *applications):
    for application in applications:
        application.status = ApplicationStatus.SCREENED
    db.session.commit()
