"""The home page's content: what a visitor sees, and the personal start of a signed-in user (what needs an
answer, new matches, coming events, postings to finish; the organiser's events; the admin's queues).

Everything is read through the query functions of the packages below (a few joined queries each), so the
page costs about a dozen SQL statements whoever looks at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core.clock import local_date
from app.core.enums import PostingKind
from app.core.models import utcnow
from app.docking.listing import awaiting_reply, follow_ups_due
from app.events.listing import EventFilters, public_events
from app.events.models import Event, Registration
from app.extensions import db
from app.home import queries
from app.matching.services import count_new_org_matches, org_top_matches
from app.organizations.verification import pending_verification_count
from app.postings.queries import home_summary, org_postings_to_finish, submitted_count

OPEN_EVENTS = 4
# Lists read whole so their length is the count (one query, not two); more than this is "还有…" anyway.
MAX_LISTED = 50
TOP_MATCHES = 3
# Without a previous visit on this device, matches of the last week count as new.
NEW_MATCH_WINDOW = timedelta(days=7)
# The three kinds of organisation the platform joins, each with what it comes to do: (title, who, the kind
# it publishes, its button, the kind it looks for, that link's words).
ROLES = (
    ("高校院所", "高校、科研院所", PostingKind.ACHIEVEMENT, "发布成果", PostingKind.NEED, "看企业需求"),
    ("中小企业", "专精特新等中小企业", PostingKind.NEED, "发布需求", PostingKind.ACHIEVEMENT, "找技术"),
    ("大型企业", "龙头企业、国有企业", PostingKind.PROCUREMENT, "发布采购", PostingKind.CAPABILITY, "找供应商"),
)


@dataclass
class OrgStart:
    """A member's start: what needs an answer, matches, event registrations, postings to finish."""

    requests: list = field(default_factory=list)  # all awaiting a reply (up to MAX_LISTED); 5 are shown
    invitations: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    to_finish: list = field(default_factory=list)
    matches: list = field(default_factory=list)
    new_matches: int = 0
    since: datetime | None = None
    since_visit: bool = False  # `since` is the previous visit (else the start of NEW_MATCH_WINDOW)
    registrations: list = field(default_factory=list)

    @property
    def to_answer(self) -> int:
        return len(self.requests) + len(self.invitations) + len(self.follow_ups)


def open_events(limit: int = OPEN_EVENTS) -> list[Event]:
    """Events not over yet that visitors can see, soonest first."""
    return list(db.session.scalars(public_events(EventFilters()).limit(limit)))


def org_start(org_id: int, since: datetime | None) -> OrgStart:
    """`since`: the member's previous visit of the home page (None: the last NEW_MATCH_WINDOW counts)."""
    since_visit = since is not None
    since = since or utcnow() - NEW_MATCH_WINDOW
    return OrgStart(
        requests=awaiting_reply(org_id, MAX_LISTED),
        invitations=queries.meeting_invitations_awaiting(org_id),
        follow_ups=follow_ups_due(org_id),
        to_finish=org_postings_to_finish(org_id),
        matches=org_top_matches(org_id, TOP_MATCHES, since),
        new_matches=count_new_org_matches(org_id, since),
        since=since,
        since_visit=since_visit,
        registrations=queries.upcoming_registrations(org_id, MAX_LISTED),
    )


def organiser_start(user) -> dict:
    """The organiser's events not over yet with their registration counts; the admin's queues too."""
    events = queries.current_organised_events(user)
    start = {"events": events, "counts": queries.registration_counts([e.id for e in events])}
    if user.is_platform_admin:
        start["pending_orgs"] = pending_verification_count()
        start["awaiting_moderation"] = submitted_count()
    return start


def is_today(registration: Registration) -> bool:
    now = utcnow()
    event = registration.event
    return event.starts_at <= now <= event.ends_at or local_date(event.starts_at) == local_date(now)


def home_context(user, since: datetime | None) -> dict:
    """Everything templates/home/index.html shows to this user (anonymous or signed in)."""
    context = home_summary() | {"events": open_events(), "roles": ROLES, "org_start": None, "organiser": None}
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in and user.org_id is not None:
        context["org_start"] = org_start(user.org_id, since)
    if signed_in and user.is_organiser:
        context["organiser"] = organiser_start(user)
    context["judging"] = queries.judged_events(user.id) if signed_in else []
    return context
