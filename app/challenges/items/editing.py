"""Writing a challenge item: its text, 考核指标, funding and payment plan, 揭榜条件, mode and review settings;
and promoting a published 揭榜挂帅 need into a 榜单 (the item keeps that posting, its ref and its matches).

The rules across fields are here, raised as ValidationFailed with a Chinese message per field: the plan sums to
100 %, at least one indicator, M ≤ N (揭榜挂帅: both 1), the work ends after the deadline. Once an item is in
review, its funding, mode, plan and indicators are what applicants answered and experts score against: they stay.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.challenges.items.models import ChallengeBatch, ChallengeIndicator, ChallengeItem, PaymentTranche
from app.challenges.items.services import go_live, sync_posting
from app.challenges.items.status import current_status
from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus, TrancheTrigger
from app.core.clock import local_today
from app.core.enums import OrgType, PostingKind, PostingStatus, Tier
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change
from app.core.validators import split_list
from app.extensions import db
from app.postings.models import Posting
from app.postings.schema import MAX_KEYWORD_LENGTH, MAX_KEYWORDS

I = ItemStatus  # noqa: E741
SCALARS = (
    "title",
    "goal",
    "background",
    "industry",
    "keywords",
    "complete_by",
    "funding_wan",
    "mode",
    "teams_stage1",
    "teams_kept",
    "eligible_org_types",
    "eligible_regions",
    "min_tier",
    "required_certificates",
    "other_conditions",
    "consortium_allowed",
    "max_partners",
    "ip_terms",
    "experts_per_application",
    "blind_review",
)
# What applicants answered and experts score against: fixed once the item is in review.
LOCKED = {
    "funding_wan": "支持经费",
    "mode": "揭榜方式",
    "teams_stage1": "首阶段支持团队数",
    "teams_kept": "保留团队数",
    "tranches": "付款计划",
    "indicators": "考核指标",
}
INDICATOR_KEYS = ("name", "target", "unit", "verification")


def _blank(row: dict) -> bool:
    return not any(v not in (None, "") for v in row.values())


def _indicator_rows(rows: list[dict], errors: dict) -> list[tuple]:
    kept = []
    for n, row in enumerate(rows, start=1):
        if _blank(row):
            continue
        if not row.get("name") or not row.get("target"):
            errors.setdefault("indicators", f"第 {n} 行考核指标需要同时填写指标名称和目标值")
        kept.append(tuple(row.get(k) or None for k in INDICATOR_KEYS))
    if not kept:
        errors.setdefault("indicators", "至少填写一项考核指标（指标名称和目标值）")
    return kept


def _tranche_rows(rows: list[dict], mode: ChallengeMode, errors: dict) -> list[tuple]:
    kept = []
    for n, row in enumerate(rows, start=1):
        if _blank(row):
            continue
        if not row.get("name") or not row.get("percent") or not row.get("trigger"):
            errors.setdefault("tranches", f"第 {n} 行付款计划需要同时填写款项名称、比例和支付节点")
            continue
        trigger = TrancheTrigger(row["trigger"])
        if trigger == TrancheTrigger.GATE and mode != ChallengeMode.HORSE_RACE:
            errors.setdefault("tranches", "只有赛马制项目有“赛马阶段评估”节点，请改选其他支付节点")
        kept.append((row["name"], int(row["percent"]), trigger))
    total = sum(percent for _, percent, _ in kept)
    if "tranches" not in errors and total != 100:
        errors["tranches"] = f"付款计划各期比例之和应为 100%（现在是 {total}%）"
    return kept


def _list_errors(data: dict, errors: dict) -> None:
    if not data["keywords"]:
        errors["keywords"] = "请填写关键词：揭榜项目以研发需求的形式进入搜索和匹配，关键词是必填项"
    elif len(data["keywords"]) > MAX_KEYWORDS:
        errors["keywords"] = f"关键词最多 {MAX_KEYWORDS} 个"
    elif any(len(k) > MAX_KEYWORD_LENGTH for k in data["keywords"]):
        errors["keywords"] = f"每个关键词不超过 {MAX_KEYWORD_LENGTH} 个字"
    if any(len(c) > 100 for c in data["required_certificates"]):
        errors["required_certificates"] = "每项资质名称不超过 100 个字"


def clean_item(batch: ChallengeBatch, raw: dict) -> tuple[dict, list[tuple], list[tuple]]:
    """The item's columns, indicator rows and plan rows from the form's data; every problem at once."""
    errors: dict[str, str] = {}
    data = {name: raw.get(name) for name in SCALARS}
    data["mode"] = mode = ChallengeMode(raw["mode"])
    data["funding_wan"] = Decimal(raw["funding_wan"]).quantize(Decimal("0.01"))
    data["keywords"] = split_list(raw.get("keywords"))
    data["required_certificates"] = split_list(raw.get("required_certificates"))
    data["eligible_org_types"] = [OrgType(v).value for v in raw.get("eligible_org_types") or []]
    data["eligible_regions"] = list(raw.get("eligible_regions") or [])
    data["min_tier"] = Tier(raw["min_tier"]) if raw.get("min_tier") else None
    data["consortium_allowed"] = bool(raw.get("consortium_allowed"))
    data["blind_review"] = bool(raw.get("blind_review"))
    _list_errors(data, errors)
    if mode == ChallengeMode.SINGLE:
        data["teams_stage1"] = data["teams_kept"] = 1
    elif data["teams_stage1"] < 2:
        errors["teams_stage1"] = "赛马制首阶段至少支持 2 支团队"
    elif data["teams_kept"] > data["teams_stage1"]:
        errors["teams_kept"] = "阶段评估后保留的团队数（M）不能多于首阶段支持的团队数（N）"
    if data["consortium_allowed"] and data["max_partners"] < 1:
        errors["max_partners"] = "允许联合体揭榜时，成员上限至少为 1"
    if data["complete_by"] <= batch.closes_on:
        errors["complete_by"] = f"完成时限应晚于榜单征集截止日期（{batch.closes_on:%Y-%m-%d}）"
    indicators = _indicator_rows(raw.get("indicators") or [], errors)
    tranches = _tranche_rows(raw.get("tranches") or [], mode, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return data, indicators, tranches


def _write_rows(item: ChallengeItem, indicators: list[tuple], tranches: list[tuple]) -> None:
    """Rows are updated in place by position: applications and contracts refer to them by id."""
    for rows, owned, make in (
        (indicators, item.indicators, lambda: ChallengeIndicator()),
        (tranches, item.tranches, lambda: PaymentTranche()),
    ):
        keys = INDICATOR_KEYS if owned is item.indicators else ("name", "percent", "trigger")
        for position, values in enumerate(rows, start=1):
            if position > len(owned):
                owned.append(make())
            row = owned[position - 1]
            row.position = position
            for key, value in zip(keys, values, strict=True):
                setattr(row, key, value)
        del owned[len(rows) :]


def _snapshot(item: ChallengeItem) -> dict:
    return {
        "funding_wan": item.funding_wan,
        "mode": item.mode,
        "teams_stage1": item.teams_stage1,
        "teams_kept": item.teams_kept,
        "tranches": [(t.name, t.percent, t.trigger) for t in item.tranches],
        "indicators": [tuple(getattr(i, k) for k in INDICATOR_KEYS) for i in item.indicators],
    }


def _check_locked(item: ChallengeItem, data: dict, indicators: list, tranches: list) -> None:
    now = {**{k: data[k] for k in LOCKED if k in data}, "tranches": tranches, "indicators": indicators}
    before = _snapshot(item)
    changed = [name for name in LOCKED if now[name] != before[name]]
    if changed:
        labels = "、".join(LOCKED[name] for name in changed)
        message = f"项目已进入评审，{labels}不能再修改（文字说明仍可修改）"
        raise ValidationFailed(message, errors={name: message for name in changed})


def create_item(batch: ChallengeBatch, actor, raw: dict, posting: Posting | None = None) -> ChallengeItem:
    """A new item of a draft batch, or of a published one still collecting (it then goes live at once)."""
    today = local_today()
    if batch.status == BatchStatus.WITHDRAWN:
        raise InvalidTransition("已撤回的榜单不能再添加项目")
    if batch.status == BatchStatus.PUBLISHED and batch.closes_on < today:
        raise InvalidTransition("榜单征集已截止，不能再添加项目")
    data, indicators, tranches = clean_item(batch, raw)
    item = ChallengeItem(batch=batch, status=I.DRAFT, position=len(batch.items) + 1, posting=posting, **data)
    _write_rows(item, indicators, tranches)
    db.session.add(item)
    db.session.flush()
    reason = f"由需求 #{posting.id} 转为揭榜项目" if posting is not None else "新建项目"
    record_change("challenge_item", item.id, None, I.DRAFT, actor, reason)
    if batch.status == BatchStatus.PUBLISHED:
        go_live(item, actor)
    db.session.flush()
    return item


def update_item(item: ChallengeItem, actor, raw: dict) -> ChallengeItem:
    """Edit an item. Text may change while it collects and later; funding, mode, plan and indicators only until
    the deadline. A collecting item's posting follows."""
    if item.status == I.WITHDRAWN or item.batch.status == BatchStatus.WITHDRAWN:
        raise InvalidTransition("已撤榜的项目不能修改")
    data, indicators, tranches = clean_item(item.batch, raw)
    if current_status(item) not in (I.DRAFT, I.COLLECTING):
        _check_locked(item, data, indicators, tranches)
    for name, value in data.items():
        setattr(item, name, value)
    _write_rows(item, indicators, tranches)
    db.session.flush()
    if item.status == I.COLLECTING:
        sync_posting(item, actor)
    return item


def delete_draft_item(item: ChallengeItem, actor) -> None:
    """A draft item that never went public may be deleted (its promoted posting, if any, stays as it was)."""
    if item.status != I.DRAFT:
        raise InvalidTransition("只有尚未发布的草稿项目可以删除；已发布的项目请撤回榜单")
    record_change("challenge_item", item.id, I.DRAFT, "deleted", actor, f"删除草稿项目《{item.title}》")
    batch = item.batch
    batch.items.remove(item)
    for position, other in enumerate(batch.items, start=1):
        other.position = position
    db.session.flush()


# --- promoting a need -------------------------------------------------------------------------


def promotable_postings(org_id: int | None) -> list[Posting]:
    """An organisation's published 揭榜挂帅 needs not yet on any 榜单."""
    if org_id is None:
        return []
    linked = sa.select(ChallengeItem.posting_id).where(ChallengeItem.posting_id.is_not(None))
    return db.session.scalars(
        sa.select(Posting)
        .where(
            Posting.org_id == org_id,
            Posting.kind == PostingKind.NEED,
            Posting.challenge.is_(True),
            Posting.status == PostingStatus.PUBLISHED,
            Posting.id.not_in(linked),
        )
        .order_by(Posting.published_at.desc(), Posting.id.desc())
    ).all()


def promotable_posting(user, posting_id: int) -> Posting:
    """A need this user may promote: a published 揭榜挂帅 need of their organisation (platform admins: any) not on
    a 榜单 yet; anything else is not found."""
    posting = db.session.get(Posting, posting_id)
    ok = (
        posting is not None
        and posting.kind == PostingKind.NEED
        and posting.challenge
        and posting.status == PostingStatus.PUBLISHED
        and (user.is_platform_admin or user.org_id == posting.org_id)
    )
    if not ok:
        raise NotFound()
    if db.session.scalar(sa.select(ChallengeItem.id).where(ChallengeItem.posting_id == posting.id)):
        raise InvalidTransition("该需求已经在榜单中")
    return posting


def promote_batches(posting: Posting) -> list[ChallengeBatch]:
    """Batches of the posting's owner that can take a new item: drafts, and published ones still collecting."""
    today = local_today()
    batches = db.session.scalars(
        sa.select(ChallengeBatch)
        .where(ChallengeBatch.issuer_org_id == posting.org_id, ChallengeBatch.status != BatchStatus.WITHDRAWN)
        .order_by(ChallengeBatch.created_at.desc(), ChallengeBatch.id.desc())
    ).all()
    return [b for b in batches if b.status == BatchStatus.DRAFT or b.closes_on >= today]


def prefill_from_posting(posting: Posting) -> dict:
    """The item editor's starting values from a need: its text, keywords, industry, reward → funding, IP terms."""
    return {
        "title": posting.title,
        "goal": posting.body,
        "industry": posting.industry,
        "keywords": "；".join(posting.keywords or []),
        "funding_wan": posting.reward_wan,
        "ip_terms": posting.ip_terms,
    }
