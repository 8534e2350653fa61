"""The posting page as its owner sees it: the owner's actions come before the details and the recommendations;
on a phone the recommendations past the third wait behind a "查看全部 N 条推荐" toggle (Bootstrap collapse)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.core.enums import PostingKind, PostingStatus
from tests.conftest import as_user
from tests.factories import OrgFactory, PostingFactory, UserFactory
from tests.home.conftest import match


def owner_page(client, posting, user):
    response = as_user(client, user).get(f"/postings/{posting.kind.value}/{posting.id}")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def with_matches(db, n: int):
    owner = UserFactory()
    need = PostingFactory(org=owner.org, kind=PostingKind.NEED, title="益生菌冻干存活率提升需求")
    for i in range(n):
        db.session.add(match(need, PostingFactory(org=OrgFactory(), title=f"冻干保护技术{i}"), score=0.9 - i / 100))
    db.session.commit()
    return owner, need


def test_the_owners_actions_come_before_the_details_and_the_recommendations(client, db):
    owner, need = with_matches(db, 2)
    soup = owner_page(client, need, owner)
    actions = soup.select_one("#owner-actions")
    assert [b.get_text(strip=True) for b in actions.select("a, button")] == ["编辑", "关闭"]
    later = soup.select_one("#recommendations")
    assert later is not None and actions in later.find_all_previous()
    assert soup.select_one("dl") in actions.find_all_next()


def test_a_returned_posting_offers_to_resubmit_at_the_top(client, db):
    owner = UserFactory()
    posting = PostingFactory(org=owner.org, status=PostingStatus.REJECTED, reject_reason="请补充技术指标")
    db.session.commit()
    labels = [
        b.get_text(strip=True)
        for b in owner_page(client, posting, owner).select("#owner-actions a, #owner-actions button")
    ]
    assert labels == ["编辑", "重新提交审核"]


def test_recommendations_past_the_third_wait_behind_a_toggle_on_phones(client, db):
    owner, need = with_matches(db, 5)
    section = owner_page(client, need, owner).select_one("#recommendations")
    items = section.select("li.list-group-item")
    assert len(items) == 5
    assert ["collapse" in item.get("class", []) for item in items] == [False, False, False, True, True]
    assert all("d-md-block" in item["class"] for item in items[3:])  # wider screens show them all
    toggle = section.select_one("[data-bs-toggle=collapse]")
    assert "查看全部 5 条推荐" in toggle.get_text() and toggle["data-bs-target"] == ".rec-more"
    assert toggle["aria-controls"].split() == [item["id"] for item in items[3:]]


def test_three_recommendations_need_no_toggle(client, db):
    owner, need = with_matches(db, 3)
    section = owner_page(client, need, owner).select_one("#recommendations")
    assert section.select_one("[data-bs-toggle=collapse]") is None
    assert not section.select("li.collapse")


def test_other_organisations_see_neither_actions_nor_recommendations(client, db):
    owner, need = with_matches(db, 4)
    soup = owner_page(client, need, UserFactory())
    assert soup.select_one("#owner-actions") is None and soup.select_one("#recommendations") is None
