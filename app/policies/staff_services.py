"""The staff side of the policy service: who may edit which policy, and writing policies and items from forms.

Authority staff (members of an organisation of type 主管部门) edit the policies their organisation issues, and
only for places inside their own: a 盟市 authority for its 盟市 and its 旗县区, an 自治区-level authority for any
place. Platform admins edit every policy. Everybody else — and everybody for a policy they may not edit — sees a
404, the same as for a policy that does not exist.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.clock import local_today
from app.core.enums import OrgType
from app.core.errors import DomainError, FieldError, InvalidTransition, NotFound
from app.core.models import add_once, record_change
from app.core.policy_enums import PolicyScope, PolicyStatus
from app.extensions import db
from app.organizations.models import Organization
from app.policies.models import Policy, PolicyItem
from app.policies.places import AUTONOMOUS_REGION, COUNTIES, LEAGUES, place_level, place_name
from app.policies.rules import validate_rule
from app.policies.services import change_policy_status

EDITABLE = (PolicyStatus.DRAFT, PolicyStatus.PUBLISHED)
REGIONAL_NAMES = ("内蒙古自治区", "自治区")


class DuplicatePolicy(DomainError):
    """The same "new policy" form posted twice: the first policy is the answer."""

    code = "duplicate_submission"

    def __init__(self, policy: Policy):
        super().__init__("这份表单已经提交过，已为您打开先前创建的政策")
        self.policy = policy


def authority_of(user) -> Organization | None:
    """The 主管部门 the user works for, or None."""
    org = getattr(user, "org", None) if getattr(user, "is_authenticated", False) else None
    return org if org is not None and org.org_type == OrgType.AUTHORITY else None


def is_policy_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_platform_admin or authority_of(user)))


def is_regional(org: Organization) -> bool:
    """An 自治区-level authority: no 盟市 of its own (region empty or 150000) or a name that says so."""
    return org.region in (None, "", AUTONOMOUS_REGION) or org.name.startswith(REGIONAL_NAMES)


def allowed_places(user) -> list[str] | None:
    """The place codes the user may scope a policy to; None means every place (admins, 自治区 authorities)."""
    if user.is_platform_admin:
        return None
    org = authority_of(user)
    if org is None:
        return []
    if is_regional(org):
        return None
    if org.region not in LEAGUES:
        return []
    return [org.region, *(code for code in COUNTIES if code.startswith(org.region[:4]))]


def place_choices(user) -> list[tuple[str, str]]:
    """(code, name) of every place the user may choose, largest first."""
    allowed = allowed_places(user)
    every = [AUTONOMOUS_REGION, *LEAGUES, *COUNTIES]
    return [(code, place_name(code)) for code in every if allowed is None or code in allowed]


def check_place(user, scope: PolicyScope, region: str) -> None:
    """The scope and the region must agree, and the region must be one the user may publish for."""
    if place_level(region) is None:
        raise FieldError("region", "请选择内蒙古自治区、盟市或旗县区")
    if place_level(region) != scope.value:
        raise FieldError("region", f"地区“{place_name(region)}”与适用层级“{scope.label}”不一致")
    allowed = allowed_places(user)
    if allowed is not None and region not in allowed:
        raise FieldError("region", f"您只能为本机构所在地区发布政策，不能选择“{place_name(region)}”")


def may_edit(user, policy: Policy) -> bool:
    if not is_policy_staff(user):
        return False
    if user.is_platform_admin:
        return True
    return policy.issuing_org_id == user.org_id


def staff_policies(user, status: str | None = None, scope: str | None = None, text: str | None = None):
    """The select of the policies the user may edit, newest first, narrowed by the list filters."""
    query = sa.select(Policy).order_by(Policy.id.desc())
    if not user.is_platform_admin:
        org = authority_of(user)
        query = query.where(Policy.issuing_org_id == (org.id if org else -1))
    if status and PolicyStatus.from_any(status):
        query = query.where(Policy.status == PolicyStatus.from_any(status))
    if scope and PolicyScope.from_any(scope):
        query = query.where(Policy.scope == PolicyScope.from_any(scope))
    if text and text.strip():
        like = f"%{text.strip()[:100]}%"
        query = query.where(sa.or_(Policy.title.like(like), Policy.issuer.like(like), Policy.doc_number.like(like)))
    return query


def get_policy(policy_id: int, user) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None or not may_edit(user, policy):
        raise NotFound()
    return policy


def get_item(policy_id: int, item_id: int, user) -> PolicyItem:
    policy = get_policy(policy_id, user)
    item = db.session.get(PolicyItem, item_id)
    if item is None or item.policy_id != policy.id:
        raise NotFound()
    return item


def ensure_editable(policy: Policy) -> None:
    if policy.status not in EDITABLE:
        raise InvalidTransition(f"“{policy.status.label}”的政策不能再修改")


def _apply(policy: Policy, user, data: dict) -> None:
    scope = PolicyScope(data["scope"])
    check_place(user, scope, data["region"])
    if data.get("effective_on") and data.get("expires_on") and data["effective_on"] > data["expires_on"]:
        raise FieldError("expires_on", "失效日期不能早于生效日期")
    for key, value in data.items():
        setattr(policy, key, value.strip() if isinstance(value, str) else value)
    policy.scope = scope


def authority_choices() -> list[tuple[str, str]]:
    """The 主管部门 on the platform, for an admin choosing a policy's issuing organisation."""
    orgs = db.session.scalars(
        sa.select(Organization).where(Organization.org_type == OrgType.AUTHORITY).order_by(Organization.name)
    )
    return [(str(org.id), org.name) for org in orgs]


def set_issuing_org(policy: Policy, user, org_id: str | None) -> None:
    """Authority staff always issue as their own organisation; an admin may name any 主管部门 (or none)."""
    if not user.is_platform_admin:
        policy.issuing_org_id = authority_of(user).id
        return
    if not org_id:
        policy.issuing_org_id = None
        return
    org = db.session.get(Organization, int(org_id)) if str(org_id).isdigit() else None
    if org is None or org.org_type != OrgType.AUTHORITY:
        raise FieldError("issuing_org_id", "发文机构应为平台上的主管部门")
    policy.issuing_org_id = org.id


def create_policy(user, data: dict, form_token: str | None = None, issuing_org_id: str | None = None) -> Policy:
    """A draft issued by the user's authority (an admin chooses the issuing 主管部门, or none)."""
    if form_token and (existing := _by_token(form_token)):
        raise DuplicatePolicy(existing)
    policy = Policy(status=PolicyStatus.DRAFT, form_token=form_token)
    set_issuing_org(policy, user, issuing_org_id)
    _apply(policy, user, data)
    if first := add_once(policy, form_token):
        raise DuplicatePolicy(first)
    record_change("policy", policy.id, None, PolicyStatus.DRAFT, user, "创建草稿")
    return policy


def _by_token(form_token: str) -> Policy | None:
    return db.session.scalar(sa.select(Policy).where(Policy.form_token == form_token))


def update_policy(policy: Policy, user, data: dict, issuing_org_id: str | None = None) -> Policy:
    ensure_editable(policy)
    if user.is_platform_admin:
        set_issuing_org(policy, user, issuing_org_id)
    _apply(policy, user, data)
    db.session.flush()
    return policy


def save_item(policy: Policy, item: PolicyItem | None, data: dict, rule) -> PolicyItem:
    """Write an item and its rule together; a rule validate_rule refuses raises RuleError and nothing changes."""
    ensure_editable(policy)
    if data.get("opens_on") and data.get("closes_on") and data["opens_on"] > data["closes_on"]:
        raise FieldError("closes_on", "申报截止日期不能早于开始日期")
    low, high = data.get("amount_min_wan"), data.get("amount_max_wan")
    if low is not None and high is not None and low > high:
        raise FieldError("amount_max_wan", "最高金额不能低于最低金额")
    rule = validate_rule(rule)  # RuleError before anything is touched
    target = item or PolicyItem(policy=policy)
    target.rules = rule
    for key, value in data.items():
        setattr(target, key, value.strip() if isinstance(value, str) else value)
    db.session.add(target)
    db.session.flush()
    return target


def delete_item(item: PolicyItem) -> None:
    ensure_editable(item.policy)
    if item.policy.status == PolicyStatus.PUBLISHED and len(item.policy.items) == 1:
        raise InvalidTransition("已发布的政策至少保留一个申报事项；如不再适用，请撤回政策")
    db.session.delete(item)
    db.session.flush()


def publish_policy(policy: Policy, user) -> Policy:
    """A draft with at least one item goes live; without a 发布日期 it takes today's (Beijing)."""
    if policy.status == PolicyStatus.DRAFT and not policy.items:
        raise InvalidTransition("请先添加至少一个申报事项，再发布政策")
    change_policy_status(policy, PolicyStatus.PUBLISHED, user)
    policy.published_on = policy.published_on or local_today()
    return policy


def withdraw_policy(policy: Policy, user, reason: str) -> Policy:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "请填写撤回原因")
    return change_policy_status(policy, PolicyStatus.WITHDRAWN, user, reason[:500])


def restrict_import(user, parsed: list, where) -> list[str]:
    """An authority's upload: every policy is issued by its own organisation and lies inside its places.
    Problems as "<where>：…" sentences; an admin's upload keeps what the file says."""
    if user.is_platform_admin:
        return []
    org, problems = authority_of(user), []
    for entry in parsed:
        entry.fields["issuing_org_id"] = org.id
        try:
            check_place(user, entry.fields["scope"], entry.fields["region"])
        except FieldError as err:
            problems.append(f"{where(entry.line)}：{err.message}")
    return problems
