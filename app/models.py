"""Import every model module so metadata (and Alembic autogenerate) sees all tables."""

from app.auth.models import User  # noqa: F401
from app.core.models import StatusChange  # noqa: F401
from app.lists.models import CatalogList, CatalogListItem  # noqa: F401
from app.matching.models import Match, MatchFeedback, MatchState, PostingVector, SearchOutbox  # noqa: F401
from app.organizations.models import Invitation, Organization, OrgGroup, TierRecord  # noqa: F401
from app.postings.models import Attachment, Posting, PostingMode  # noqa: F401
