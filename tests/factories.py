"""factory_boy factories over the real models, bound to Flask-SQLAlchemy's session."""

from __future__ import annotations

import random
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import User
from app.core.enums import (
    EventStatus,
    EventType,
    OrgRole,
    OrgType,
    PlatformRole,
    PostingKind,
    PostingStatus,
    RegistrationStatus,
    Tier,
    VerificationStatus,
)
from app.core.models import utcnow
from app.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from app.events.models import Attendee, Event, Registration, new_ticket_codes
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


class EventFactory(Base):
    """A published event a month ahead, registration open now, 100 seats."""

    class Meta:
        model = Event

    event_type = EventType.DOCKING
    status = EventStatus.PUBLISHED
    title = factory.Sequence(lambda n: f"稀土新材料产学研对接会{n}")
    description = "面向稀土新材料领域的高校、院所与企业，组织成果发布与一对一洽谈。"
    venue = "呼和浩特市内蒙古国际会展中心"
    region = "150100"
    starts_at = factory.LazyFunction(lambda: utcnow().replace(second=0, microsecond=0) + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    registration_opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=1))
    capacity = 100
    organiser = factory.SubFactory(OrganiserFactory)
    published_at = factory.LazyAttribute(lambda o: None if o.status == EventStatus.DRAFT else utcnow())


class RegistrationFactory(Base):
    """A confirmed registration of one organisation; by default one attendee per seat (`attendees=0` for
    none, `attendees=3` for three) and, when confirmed, its seats counted in event.seats_taken and its
    ticket category's `taken`, as the registration service would."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    org = factory.SubFactory(OrgFactory)
    user = factory.SubFactory(UserFactory, org=factory.SelfAttribute("..org"))
    status = RegistrationStatus.CONFIRMED
    seats = 1
    queue_no = factory.Sequence(lambda n: n + 1)
    confirmed_at = factory.LazyAttribute(lambda o: utcnow() if o.status == RegistrationStatus.CONFIRMED else None)

    @factory.post_generation
    def attendees(obj, create, extracted, **kwargs):
        for _ in range(obj.seats if extracted is None else extracted):
            AttendeeFactory(registration=obj, **kwargs)

    @factory.post_generation
    def count_seats(obj, create, extracted, **kwargs):
        if obj.status == RegistrationStatus.CONFIRMED:
            obj.event.seats_taken += obj.seats
            if obj.ticket_category is not None:
                obj.ticket_category.taken += obj.seats


class AttendeeFactory(Base):
    class Meta:
        model = Attendee

    registration = factory.SubFactory(RegistrationFactory, attendees=0)
    event = factory.SelfAttribute("registration.event")
    name = factory.Sequence(lambda n: f"参会人{n}")
    phone = "13900000000"
    position = "技术总监"
    ticket_token = factory.LazyFunction(lambda: new_ticket_codes()[0])
    short_code = factory.LazyFunction(lambda: new_ticket_codes()[1])


# Tickets, check-in and booths (appended here; imports kept with the factories that need them).
from app.core.enums import TicketType  # noqa: E402
from app.events.booths.models import Booth  # noqa: E402
from app.events.models import TicketCategory  # noqa: E402


class TicketCategoryFactory(Base):
    """A ticket type of an event (观众 by default)."""

    class Meta:
        model = TicketCategory

    event = factory.SubFactory(EventFactory)
    ticket_type = TicketType.VISITOR


class BoothFactory(Base):
    """A standard booth of an expo."""

    class Meta:
        model = Booth

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: f"A{n + 1:02d}")
    zone = "新材料展区"


# Docking (appended here; imports kept with the factories that need them).
from app.core.enums import DockingOrigin, DockingRequestStatus, DockingStage  # noqa: E402
from app.docking.models import DockingRecord, DockingRequest  # noqa: E402


class DockingRequestFactory(Base):
    """A pending request from an SME to the owner of a published achievement, answerable for 14 days."""

    class Meta:
        model = DockingRequest

    class Params:
        sender = factory.SubFactory(UserFactory)

    target = factory.SubFactory(PostingFactory)
    to_org_id = factory.SelfAttribute("target.org_id")
    from_org_id = factory.SelfAttribute("sender.org_id")
    from_user_id = factory.SelfAttribute("sender.id")
    origin = DockingOrigin.POSTING
    message = "我公司希望就该成果开展技术合作，盼复。"
    status = DockingRequestStatus.PENDING
    created_at = factory.LazyFunction(utcnow)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=14))


class DockingRecordFactory(Base):
    """An accepted request's docking record at 初步接洽."""

    class Meta:
        model = DockingRecord

    request = factory.SubFactory(
        DockingRequestFactory, status=DockingRequestStatus.ACCEPTED, answered_at=factory.LazyFunction(utcnow)
    )
    stage = DockingStage.CONTACT
    peak_stage = factory.SelfAttribute("stage")
    created_at = factory.LazyFunction(utcnow)
