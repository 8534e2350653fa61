"""The public library: published policies with their open items, filtered by region, benefit, window and text."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem
from tests.policies.firm.conftest import make_policy


def listed(client, query: str = "") -> list[str]:
    soup = BeautifulSoup(client.get(f"/policies/{query}").text, "html.parser")
    return sorted(card.select_one("h2").text.strip() for card in soup.select("[data-policy]"))


@pytest.fixture
def library(db):
    make_policy(db)  # 包头市: subsidies closing 12-20 / 12-31, a reward with no end
    region = Policy(
        title="自治区稳岗返还政策",
        issuer="内蒙古自治区人力资源和社会保障厅",
        scope=PolicyScope.AUTONOMOUS_REGION,
        region="150000",
        status=PolicyStatus.PUBLISHED,
        items=[PolicyItem(title="稳岗返还", benefit_type=BenefitType.OTHER, closes_on=date(2026, 12, 8))],
    )
    hohhot = Policy(
        title="呼和浩特市首台套奖励办法",
        issuer="呼和浩特市工业和信息化局",
        scope=PolicyScope.LEAGUE_CITY,
        region="150100",
        status=PolicyStatus.PUBLISHED,
        items=[PolicyItem(title="首台套奖励", benefit_type=BenefitType.REWARD, closes_on=date(2026, 11, 30))],
    )
    draft = make_policy(db, title="尚未发布的草稿", status=PolicyStatus.DRAFT)
    db.session.add_all([region, hohhot, draft])
    db.session.commit()


BAOTOU, REGION, HOHHOT = "包头市支持专精特新企业发展若干措施", "自治区稳岗返还政策", "呼和浩特市首台套奖励办法"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [BAOTOU, REGION, HOHHOT]),
        ("?region=150200", [BAOTOU, REGION]),  # a 盟市 sees its own and the 自治区's policies
        ("?benefit=reward", [BAOTOU, HOHHOT]),
        ("?state=closing", [REGION]),  # closes within 7 days
        ("?state=open", [BAOTOU, REGION]),
        ("?state=closed", [HOHHOT]),
        ("?q=首台套", [HOHHOT]),
        ("?q=研发投入", [BAOTOU]),  # an item's title
        ("?q=100%25", []),  # a LIKE wildcard is just a character
        ("?region=xx&benefit=nope&state=later", [BAOTOU, REGION, HOHHOT]),  # tampered filters are ignored
    ],
)
def test_filters(client, library, query, expected):
    assert listed(client, query) == sorted(expected)


def test_a_card_lists_only_the_open_items(client, library):
    soup = BeautifulSoup(client.get("/policies/?q=首台套").text, "html.parser")
    assert "当前均不在申报期" in soup.select_one("[data-policy]").text
    baotou = BeautifulSoup(client.get("/policies/?region=150200&q=专精特新").text, "html.parser")
    assert "即日 至 2026-12-20" in baotou.text and "常年受理" in baotou.text


def test_the_main_navigation_links_the_library(client):
    assert 'href="/policies/">政策</a>' in client.get("/").text
