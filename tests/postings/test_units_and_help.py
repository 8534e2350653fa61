"""Units are printed once ("预算 80 万元", never "预算(万元) 80 万元"), and jargon is explained where it is shown:
the nine TRL levels on the form and in tooltips, and what an industry code (GB/T 4754) is."""

from __future__ import annotations

import re

from app.core.enums import PostingKind, PostingStatus
from app.core.glossary import TRL_LEVELS
from app.postings.services import touch_posting
from app.search.sync import drain_outbox
from tests.factories import PostingFactory
from tests.postings.helpers import VALID, act_as

AMOUNT_LABELS = ("预算(万元)", "揭榜奖金(万元)")


def fact(page: str, label: str) -> str | None:
    """The text of a label's value in a <dl> of facts."""
    found = re.search(rf">{re.escape(label)}</dt>\s*<dd[^>]*>([^<]*)</dd>", page)
    return found.group(1) if found else None


def test_an_amount_shows_its_unit_once_on_the_posting(client, db):
    need = PostingFactory(kind=PostingKind.NEED, budget_wan=30, challenge=True, reward_wan=12.5)
    db.session.commit()

    page = client.get(f"/postings/need/{need.id}").text

    assert fact(page, "预算") == "30 万元" and fact(page, "揭榜奖金") == "12.5 万元"
    assert not any(label in page for label in AMOUNT_LABELS)
    assert "万元 万元" not in page and "奖金 12.5 万元" in client.get("/postings/need").text


def test_the_form_labels_the_amount_with_its_unit_and_the_input_has_none(client, db, owner):
    page = act_as(client, owner).get("/postings/need/new").text

    assert "预算(万元)" in page and "揭榜奖金(万元)" in page
    assert "留空或填“面议”" in page  # a challenge may leave its reward to be negotiated


def test_a_challenge_saved_from_the_form_without_a_reward_shows_mianyi(client, db, owner):
    data = {**VALID[PostingKind.NEED], "reward_wan": "面议", "action": "draft"}
    resp = act_as(client, owner).post("/postings/need/new", data=data)

    assert resp.status_code == 302
    assert fact(client.get(resp.headers["Location"]).text, "揭榜奖金") == "面议"


def test_the_achievement_form_explains_all_nine_trl_levels_and_industry_codes(client, db, owner):
    page = act_as(client, owner).get("/postings/achievement/new").text

    for level, text in TRL_LEVELS.items():
        assert f"TRL {level}：{text}" in page  # the select's choices, and the list under it
    assert "<details" in page and "技术成熟度 TRL 1–9 级分别是什么意思" in page
    assert "GB/T 4754-2017" in page and "C32 有色金属冶炼和压延加工业" in page


def test_trl_and_industry_carry_a_tooltip_on_cards_and_the_posting(client, db):
    achievement = PostingFactory(kind=PostingKind.ACHIEVEMENT, trl=6, industry="C32", status=PostingStatus.PUBLISHED)
    db.session.commit()

    cards = client.get("/postings/achievement").text
    detail = client.get(f"/postings/achievement/{achievement.id}").text

    assert re.search(
        r'<abbr class="lq-term" tabindex="0" title="技术成熟度 TRL 6：相关环境中系统或原型演示。[^"]*">TRL 6</abbr>',
        cards,
    )
    assert re.search(r'title="行业代码 C32，按国民经济行业分类（GB/T 4754-2017）">有色金属冶炼和压延加工业<', cards)
    assert fact(detail, "技术成熟度(TRL)") == "TRL 6：相关环境中系统或原型演示"


INDUSTRY_TERM = r'<abbr class="lq-term" tabindex="0" title="行业代码：国民经济行业分类（GB/T 4754-2017）[^"]*">C32</abbr> 有色金属冶炼和压延加工业'


def test_the_industry_code_on_the_posting_page_explains_itself(client, db):
    need = PostingFactory(kind=PostingKind.NEED, industry="C32", status=PostingStatus.PUBLISHED)
    db.session.commit()

    detail = client.get(f"/postings/need/{need.id}").text

    assert re.search(rf">所属行业</dt>\s*<dd[^>]*>{INDUSTRY_TERM}</dd>", detail)


def test_a_search_result_explains_its_trl_level(client, db):
    achievement = PostingFactory(kind=PostingKind.ACHIEVEMENT, title="稀土抛光粉制备", trl=4)
    touch_posting(achievement)
    db.session.commit()
    drain_outbox()

    results = client.get("/search", query_string={"q": "抛光粉"}).text

    assert re.search(r'<abbr class="lq-term" tabindex="0" title="技术成熟度 TRL 4：[^"]*">TRL 4</abbr>', results)
