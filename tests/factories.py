"""factory_boy factories over the real models, bound to Flask-SQLAlchemy's session."""

from __future__ import annotations

import random
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import User
from app.core.enums import OrgRole, OrgType, PlatformRole, PostingKind, PostingStatus, Tier, VerificationStatus
from app.core.models import utcnow
from app.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from app.extensions import db
from app.organizations.models import Organization, TierRecord
from app.postings.models import Posting

PASSWORD = "correct-horse-42"


def make_credit_code(seed: int | None = None) -> str:
    rng = random.Random(seed)
    body = rng.choice("159") + rng.choice("123") + "150" + f"{rng.randint(100, 999)}"
    body += "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrgFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试机构{n}有限公司")
    org_type = OrgType.SME
    # Offset so factory codes never equal the fixed codes in tests/data sample files.
    credit_code = factory.Sequence(lambda n: make_credit_code(1_000_000 + n))
    region = "150100"
    industry = "C39"
    contact_name = "张经理"
    contact_phone = "13800000000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.cn")
    verification = VerificationStatus.VERIFIED


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"用户{n}")
    org = factory.SubFactory(OrgFactory)
    org_role = OrgRole.ADMIN
    platform_role = PlatformRole.NONE
    password_hash = ""

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)


class AdminFactory(UserFactory):
    org = None
    platform_role = PlatformRole.ADMIN


class OrganiserFactory(UserFactory):
    org = None
    platform_role = PlatformRole.ORGANISER


class PostingFactory(Base):
    class Meta:
        model = Posting

    kind = PostingKind.ACHIEVEMENT
    org = factory.SubFactory(OrgFactory)
    status = PostingStatus.PUBLISHED
    title = factory.Sequence(lambda n: f"稀土永磁材料制备技术{n}")
    body = "一种高性能钕铁硼永磁材料的制备方法，适用于风电和新能源汽车电机。"
    keywords = factory.LazyFunction(lambda: ["稀土", "永磁"])
    industry = "C32"
    region = "150200"
    contact_name = "李老师"
    contact_phone = "0472-5123456"
    contact_email = "tech@example.edu.cn"
    published_at = factory.LazyFunction(utcnow)
    trl = factory.LazyAttribute(lambda o: 6 if o.kind == PostingKind.ACHIEVEMENT else None)
    deadline = factory.LazyAttribute(
        lambda o: date.today() + timedelta(days=90) if o.kind in (PostingKind.NEED, PostingKind.PROCUREMENT) else None
    )


class TierFactory(Base):
    class Meta:
        model = TierRecord

    org = factory.SubFactory(OrgFactory)
    tier = Tier.SPECIALIZED
    year = 2025
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=365 * 3))
