"""Import every model module so metadata (and Alembic autogenerate) sees all tables."""

from app.auth.models import User  # noqa: F401
from app.challenges.applications.models import (  # noqa: F401
    ApplicationAttachment,
    ChallengeApplication,
    ChallengeInvite,
    ConsortiumPartner,
)
from app.challenges.delivery.models import (  # noqa: F401
    AcceptanceCheck,
    ChallengeContract,
    ChallengePayment,
    ContractMilestone,
    MilestoneFile,
    MilestoneReport,
)
from app.challenges.items.models import (  # noqa: F401
    ChallengeBatch,
    ChallengeIndicator,
    ChallengeItem,
    ChallengeQuestion,
    PaymentTranche,
)
from app.challenges.notice.models import ChallengeNotice, ChallengeObjection, ObjectionFile, WorkdayOverride  # noqa: F401
from app.challenges.review.models import ChallengeExpert, ReviewAssignment, ReviewCriterion, ReviewScore  # noqa: F401
from app.core.job_locks import JobLock  # noqa: F401
from app.core.mail import MailOutbox  # noqa: F401
from app.core.models import StatusChange  # noqa: F401
from app.core.outbox import SearchOutbox  # noqa: F401
from app.core.pagecache import ContentVersion  # noqa: F401
from app.docking.models import DockingEvent, DockingFile, DockingFollowUp, DockingRecord, DockingRequest  # noqa: F401
from app.events.booths.models import Booth, BoothApplication  # noqa: F401
from app.events.judging.models import (  # noqa: F401
    Criterion,
    Judge,
    JudgeInvitation,
    JudgingState,
    Presenter,
    Score,
    ScoreSheet,
)
from app.events.meetings.models import (  # noqa: F401
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
from app.matching.models import Match, MatchFeedback, MatchState  # noqa: F401
from app.notifications.models import Notification, NotificationSettings  # noqa: F401
from app.organizations.models import BusinessLicence, Invitation, Organization, OrgGroup, TierRecord  # noqa: F401
from app.organizations.profile import OrganizationCertificate, OrganizationProfile  # noqa: F401
from app.policies.marks import CalculatorUse, PolicyMark, PolicyNotice  # noqa: F401
from app.policies.models import Policy, PolicyAttachment, PolicyItem  # noqa: F401
from app.policies.vectors import PolicyItemVector  # noqa: F401
from app.postings.models import Attachment, Posting, PostingMode  # noqa: F401
from app.search.models import PostingVector  # noqa: F401
