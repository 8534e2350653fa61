"""Import every model module so metadata (and Alembic autogenerate) sees all tables."""

from app.auth.models import User  # noqa: F401
from app.core.job_locks import JobLock  # noqa: F401
from app.core.models import StatusChange  # noqa: F401
from app.docking.models import DockingEvent, DockingFile, DockingFollowUp, DockingRecord, DockingRequest  # noqa: F401
from app.events.booth_models import Booth, BoothApplication  # noqa: F401
from app.events.judging_models import Criterion, Judge, JudgingState, Presenter, Score, ScoreSheet  # noqa: F401
from app.events.meeting_models import (  # noqa: F401
    Meeting,
    MeetingHold,
    MeetingRequest,
    MeetingSettings,
    MeetingSlot,
    MeetingTable,
    MeetingWindow,
)
from app.events.models import Attendee, Event, EventSession, Registration, TicketCategory  # noqa: F401
from app.lists.models import CatalogList, CatalogListItem  # noqa: F401
from app.matching.models import Match, MatchFeedback, MatchState, PostingVector, SearchOutbox  # noqa: F401
from app.notifications.models import MailOutbox, Notification, NotificationSettings  # noqa: F401
from app.organizations.models import Invitation, Organization, OrgGroup, TierRecord  # noqa: F401
from app.postings.models import Attachment, Posting, PostingMode  # noqa: F401
