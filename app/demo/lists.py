"""The year's 清单 (app/lists): one published for everyone, built by the platform admin from the published
postings the way the admin pages do it, and one still a draft that only platform admins see."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import OrgType, PlatformRole, PostingKind
from app.extensions import db
from app.lists.services import ListFilter, add_matching_postings, create_list, publish_list

RESEARCH = [OrgType.UNIVERSITY, OrgType.INSTITUTE]


def seed_lists(now: datetime) -> dict[str, int]:
    admin = db.session.scalar(sa.select(User).where(User.platform_role == PlatformRole.ADMIN).order_by(User.id))
    year = local_date(now).year
    published = create_list(
        f"{year}年稀土新材料领域高校院所创新成果清单",
        PostingKind.ACHIEVEMENT,
        year,
        "汇集区内高校、科研院所在稀土永磁、抛光、储氢和催化材料方向可转化的科技成果，供企业对接参考。",
        admin,
    )
    items = add_matching_postings(published, ListFilter(industry="C32", org_types=RESEARCH))
    publish_list(published, admin)
    draft = create_list(
        f"{year}年乳业与食品加工企业技术需求清单",
        PostingKind.NEED,
        year,
        "征集中的企业技术需求，审核完成后发布。",
        admin,
    )
    add_matching_postings(draft, ListFilter(industry="C14"))
    return {"lists": 2, "list_items": items}
