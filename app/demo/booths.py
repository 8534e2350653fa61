"""The 博览会's floor: four zones of booths laid out by the organiser, exhibitors (registered on the 参展商
ticket) applying with the postings they will show, most booths assigned, two applications still waiting
and one declined with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app.auth.models import User
from app.core.enums import BoothSize, EventType
from app.demo.dating import dated
from app.demo.events import event_of, organiser
from app.events.booths.models import Booth
from app.events.booths.services import (
    BoothRequest,
    apply_for_booth,
    assign_booth,
    create_booths,
    reject_application,
    showcase_choices,
)

ZONES = [  # numbers, zone (its letter first, so the floor list reads A to D), size, area m²
    ("A01-A08", "A区 稀土新材料", BoothSize.STANDARD, "9"),
    ("B01-B06", "B区 绿色农畜产品", BoothSize.STANDARD, "9"),
    ("C01-C04", "C区 新能源装备", BoothSize.SPECIAL, "36"),
    ("D01-D04", "D区 数字经济", BoothSize.STANDARD, "9"),
]
# exhibitor org key → (preferred zone, the booth it got: a number, "" while waiting, or "reject: reason")
EXHIBITORS = {
    "ruifeng": ("A区 稀土新材料", "A01"),
    "xinci": ("A区 稀土新材料", "A03"),
    "jingyan": ("A区 稀土新材料", "A04"),
    "yikang": ("B区 绿色农畜产品", "B02"),
    "lingbei": ("B区 绿色农畜产品", "B03"),
    "guangjie": ("C区 新能源装备", "C01"),
    "beijiang-dairy": ("B区 绿色农畜产品", ""),
    "qingqing": ("C区 新能源装备", ""),
    "yunmu": ("D区 数字经济", "reject: 申请的展示内容以软件服务为主，请改报同期举办的数字经济专场路演。"),
}


def seed_booths(now: datetime, people: dict[str, User]) -> dict[str, int]:
    event, by = event_of(EventType.EXPO), organiser()
    booths: dict[str, Booth] = {}
    with dated(now - timedelta(days=20), now):
        for spec, zone, size, area in ZONES:
            booths.update((b.number, b) for b in create_booths(event, spec, zone, size, Decimal(area), None, by))
    applied, decided = now - timedelta(days=9), now - timedelta(days=3)
    for key, (zone, outcome) in EXHIBITORS.items():
        user = people[key]
        showing = [p.id for p in showcase_choices(user.org_id)[:2]]
        with dated(applied, now):
            application = apply_for_booth(event, user, BoothRequest(zone, None, "希望靠近主通道。", showing))
        if not outcome:
            continue
        with dated(decided, now):
            if outcome.startswith("reject: "):
                reject_application(event, application.id, outcome.removeprefix("reject: "), by)
            else:
                assign_booth(event, application.id, booths[outcome].id, by)
    assigned = sum(1 for _, outcome in EXHIBITORS.values() if outcome and not outcome.startswith("reject"))
    return {"booths": len(booths), "booth_applications": len(EXHIBITORS), "booths_assigned": assigned}
