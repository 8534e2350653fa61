"""Whether two organisations may see each other's contact details beyond their public pages.

Contact details are never public. What opens them is a relationship that features above this layer
own (today: an accepted docking request), so organisations and postings ask through a signal instead of
importing those features: each feature connects one receiver (create_app connects them), and two
organisations share contact details when any receiver answers True.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: one organisation's id; keyword `other`: the other's. A receiver returns True to open contact.
contact_shared = _signals.signal("contact-shared")


def orgs_share_contact(org_a: int | None, org_b: int | None) -> bool:
    """True when some feature links the two organisations closely enough (e.g. an accepted docking request)."""
    if org_a is None or org_b is None:
        return False
    return any(answer for _, answer in contact_shared.send(org_a, other=org_b))
