"""可申报政策 and the policy page: each verdict with its reasons, 不符合 hidden until asked for, the missing
facts named with a link, and filling one in turning 可能符合 into 符合 at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup

from app.core.policy_enums import BenefitType, PolicyStatus
from app.policies.firm import my_items
from app.policies.marks import PolicyMark
from app.policies.models import PolicyItem
from tests.conftest import as_user
from tests.policies.firm.conftest import item_named, make_policy


def card(html: str, item_id: int):
    return BeautifulSoup(html, "html.parser").select_one(f"#item-{item_id}")


def verdict_of(html: str, item_id: int) -> str:
    return card(html, item_id).select_one("[data-verdict]")["data-verdict"]


def test_each_open_item_gets_its_verdict_and_reasons(client, policy, firm_user):
    page = as_user(client, firm_user).get("/policies/mine").text
    digital, rd, big = (item_named(policy, t) for t in ("中小企业数字化转型补助", "研发投入后补助", "龙头企业奖励"))
    assert verdict_of(page, digital.id) == "eligible"
    assert "为中小企业 ✓" in card(page, digital.id).text
    assert verdict_of(page, rd.id) == "maybe"
    assert "研发投入占比未填写，无法判断是否不低于 3% ？" in card(page, rd.id).text
    fill = card(page, rd.id).select_one("a[data-fill=rd_ratio]")
    assert fill.text == "研发投入占比" and fill["href"].startswith("/orgs/mine/profile?next=")
    assert verdict_of(page, big.id) == "ineligible"
    assert "从业人数 120 人，少于 1000 人 ✗" in card(page, big.id).text


def test_ineligible_items_are_hidden_until_the_toggle_is_used(client, policy, firm_user):
    big = item_named(policy, "龙头企业奖励")
    soup = BeautifulSoup(as_user(client, firm_user).get("/policies/mine").text, "html.parser")
    hidden = soup.select_one("#ineligible-list")
    assert "show" not in hidden["class"] and hidden.select_one(f"#item-{big.id}")
    assert "显示不符合的事项（1）" in soup.select_one("#ineligible").text
    shown = BeautifulSoup(client.get("/policies/mine?all=1").text, "html.parser").select_one("#ineligible-list")
    assert "show" in shown["class"]


def test_items_are_sorted_by_closing_date_then_benefit_amount(db, firm_user):
    def item(title, closes_on, amount):
        return PolicyItem(title=title, benefit_type=BenefitType.REWARD, closes_on=closes_on, amount_max_wan=amount)

    make_policy(
        db,
        items=[
            item("长期受理", None, 500),
            item("年底小额", date(2026, 12, 31), 10),
            item("年底大额", date(2026, 12, 31), 50),
            item("月中", date(2026, 12, 15), 5),
        ],
    )
    assert [row.item.title for row in my_items(firm_user.org)] == ["月中", "年底大额", "年底小额", "长期受理"]


def test_filling_the_missing_fact_turns_maybe_into_eligible_and_returns_the_firm(client, policy, firm_user):
    rd = item_named(policy, "研发投入后补助")
    as_user(client, firm_user)
    response = client.post("/orgs/mine/profile", data={"rd_ratio": "4.5", "employees": "120", "next": "/policies/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/policies/mine"
    page = client.get("/policies/mine").text
    assert verdict_of(page, rd.id) == "eligible"
    assert "研发投入占比 4.5%，不低于 3% ✓" in card(page, rd.id).text


def test_the_policy_page_shows_a_member_the_verdict_and_a_visitor_none(client, policy, firm_user):
    rd = item_named(policy, "研发投入后补助")
    public = BeautifulSoup(as_user(client, None).get(f"/policies/{policy.id}").text, "html.parser")
    assert public.select_one(f"#item-{rd.id}") and not public.select("[data-verdict]")
    assert "研发投入占比不低于 3%" in public.select_one(f"#item-{rd.id}").text  # the rule in plain Chinese
    mine = as_user(client, firm_user).get(f"/policies/{policy.id}").text
    assert verdict_of(mine, rd.id) == "maybe"
    assert card(mine, rd.id).select_one("a[data-fill=rd_ratio]")


def test_opening_the_policy_page_records_the_first_view_once(db, client, policy, firm_user):
    as_user(client, firm_user)
    with time_machine.travel(datetime(2026, 12, 4, 3, 0, tzinfo=UTC), tick=False):
        client.get(f"/policies/{policy.id}")
    with time_machine.travel(datetime(2026, 12, 5, 3, 0, tzinfo=UTC), tick=False):
        client.get(f"/policies/{policy.id}")
    marks = db.session.scalars(sa.select(PolicyMark).where(PolicyMark.org_id == firm_user.org_id)).all()
    assert len(marks) == len(policy.items)
    assert {m.first_viewed_at for m in marks} == {datetime(2026, 12, 4, 3, 0)}


def test_a_visitor_opening_the_page_records_nothing(db, client, policy):
    client.get(f"/policies/{policy.id}")
    assert db.session.scalar(sa.select(sa.func.count(PolicyMark.id))) == 0


def test_drafts_and_withdrawn_policies_are_not_found(db, client, firm_user):
    for status in (PolicyStatus.DRAFT, PolicyStatus.WITHDRAWN):
        hidden = make_policy(db, title=f"未公开的政策{status.value}", status=status)
        db.session.commit()
        assert as_user(client, firm_user).get(f"/policies/{hidden.id}").status_code == 404
        assert client.get(f"/policies/items/{hidden.items[0].id}").status_code == 404
