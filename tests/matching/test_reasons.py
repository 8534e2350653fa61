"""为什么推荐: shared words that discriminate, the semantic side in words, field signals naming field and value.

Rules checked on single pairs here, and on every stored match of the labelled set in test_reasons_on_eval.py.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from app.core.enums import Tier
from app.matching.reasons import (
    MAX_TERMS,
    WordFrequencies,
    build_reasons,
    pick_terms,
    posting_tokens,
    reason_stopwords,
    render_reasons,
    source_terms,
    target_fields,
)
from search.analysis import default_analyzer
from tests.matching.helpers import K, match_between, posting, publish, run_all

BRIEF_BOILERPLATE = (
    "主要 从事 成立 方案 企业 欢迎 考察 合作 客户 团队 完成 实际 技术 产品 服务 项目 研发 生产 工艺 系统"
)
TECHNICAL = "稀土 钕铁硼 永磁 羊绒 分梳 马铃薯 淀粉 检测 废水 节能 光伏 催化剂 乳制品 粉尘 除尘 知识产权 传感器"


def _posting(title: str, body: str = "", keywords: tuple[str, ...] = ()):
    return SimpleNamespace(title=title, body=body, keywords=list(keywords))


def _shared(source, target, frequencies: WordFrequencies | None = None) -> list[dict]:
    analyzer = default_analyzer()
    terms = source_terms(analyzer, posting_tokens(analyzer, source))
    return pick_terms(terms, target_fields(posting_tokens(analyzer, target), frequencies))


def _words(items: list[dict]) -> list[str]:
    return [item["term"] for item in items]


# --- shared words --------------------------------------------------------------------------------


def test_a_shared_word_is_a_whole_word_of_both_postings_never_a_piece_of_a_compound():
    # Search mode indexes 马铃 and 马铃薯 for 马铃薯, and 稀土 inside 稀土永磁: neither piece is a shared word.
    need = _posting("马铃薯淀粉废水", "稀土永磁电机的车间")
    offer = _posting("马铃薯淀粉废水资源化", "稀土抛光粉与马铃")
    words = _words(_shared(need, offer))
    assert sorted(words) == sorted(["马铃薯", "淀粉", "废水"])


def test_boilerplate_is_never_a_shared_word_however_both_postings_repeat_it():
    text = (
        "公司主要从事乳制品，成立十几年了，客户稳定，团队完成过多个项目，欢迎来厂考察，实际效果好可以长期合作。"
        "有意向的老师或企业可以先电话沟通，欢迎实地考察，能解决实际问题就行，方案成熟的话可以直接买技术。"
    )
    need = _posting("需要乳制品方案", text + "希望企业提供技术、产品和服务，研发生产工艺系统。")
    offer = _posting("乳制品技术", text + "我们提供技术、产品和服务，研发生产工艺系统。")
    assert _words(_shared(need, offer)) == ["乳制品"]


def test_the_boilerplate_list_holds_posting_boilerplate_and_no_technical_word():
    stopwords = reason_stopwords()
    assert len(stopwords) >= 100
    assert set(BRIEF_BOILERPLATE.split()) <= stopwords
    assert not set(TECHNICAL.split()) & stopwords
    analyzer = default_analyzer()
    # Each entry is one whole word as jieba cuts it (or one the analyzer already drops): else it never applies.
    assert all(analyzer.query_tokens(word) in ([word], []) for word in stopwords)


def test_a_word_most_postings_use_is_not_shown_but_a_small_catalogue_hides_nothing():
    analyzer = default_analyzer()
    catalogue = [_posting(f"第{i}号检测服务", "第三方检测") for i in range(30)]
    catalogue += [_posting("羊绒分梳检测", "羊绒检测"), _posting("羊绒分梳仪器", "检测羊绒")]
    need, offer = catalogue[-2:]
    frequencies = WordFrequencies.count(posting_tokens(analyzer, p) for p in catalogue)
    assert frequencies.total == 32 and frequencies.df["检测"] == 32 and "检测" in frequencies.hidden
    assert _words(_shared(need, offer, frequencies)) == ["羊绒", "分梳"]
    few = WordFrequencies.count(posting_tokens(analyzer, p) for p in catalogue[-4:])
    assert "检测" not in few.hidden and "检测" in _words(_shared(need, offer, few))


def test_at_most_five_shared_words_those_in_more_fields_then_the_rarer_first():
    analyzer = default_analyzer()
    words = "钕铁硼 磁钢 电机 风电 永磁 矫顽力 晶界 扩散"
    need = _posting("钕铁硼磁钢", words, ("钕铁硼",))
    offer = _posting("钕铁硼磁钢晶界扩散", words, ("钕铁硼",))
    others = [_posting("电机", "风电电机") for _ in range(3)]
    frequencies = WordFrequencies.count(posting_tokens(analyzer, p) for p in [need, offer, *others])
    terms = _shared(need, offer, frequencies)
    assert len(terms) == MAX_TERMS == 5
    assert terms[0] == {"term": "钕铁硼", "source_term": "钕铁硼", "fields": ["keywords", "title", "body"]}
    assert terms[1]["term"] == "磁钢" and terms[1]["fields"] == ["title", "body"]
    assert "电机" not in _words(terms) and "风电" not in _words(terms)  # the commonest go, the rarer stay


def test_a_synonym_counts_when_it_is_a_whole_word_of_the_target_and_says_which_word_it_stands_for():
    need = _posting("益生菌制剂", "益生菌")
    offer = _posting("乳酸菌发酵剂", "乳酸菌")
    assert _shared(need, offer) == [{"term": "乳酸菌", "source_term": "益生菌", "fields": ["title", "body"]}]
    lines = render_reasons(build_reasons(_shared(need, offer), [], None))
    assert lines == ["共同词语：乳酸菌（即“益生菌”）（标题、正文）"]


# --- the semantic side ---------------------------------------------------------------------------


def test_the_semantic_side_is_stored_as_a_level_and_shown_in_words_never_as_a_number():
    close = build_reasons([], [], 0.935)
    assert close["semantic"] == "high"
    assert render_reasons(close) == ["语义高度相近"]
    assert render_reasons(build_reasons([], [], 0.905)) == ["语义相近"]


def test_an_unrelated_pair_shows_no_semantic_reason():
    # 0.862 is the median cosine of pairs nobody judged related on the labelled set.
    unrelated = build_reasons([], [], 0.862)
    assert unrelated["semantic"] is None and render_reasons(unrelated) == []
    assert build_reasons([], [], None)["semantic"] is None


def test_rows_stored_before_still_render_without_their_cosine_or_boilerplate():
    old = {
        "terms": [
            {"term": "合作", "source_term": "合作", "fields": ["body"]},
            {"term": "钕铁硼", "source_term": "钕铁硼", "fields": ["keywords", "title"]},
        ],
        "signals": [{"code": "same_division", "text": "同属行业大类：电气机械和器材制造业", "weight": 0.1}],
        "cautions": [],
        "semantic": 0.9234,
        "feedback": ["同一机构的另一条信息被标为不相关"],
    }
    lines = render_reasons(old)
    assert lines == ["共同词语：钕铁硼（关键词、标题）", "语义高度相近", "同属行业大类：电气机械和器材制造业"]
    assert render_reasons({**old, "semantic": 0.85, "terms": [{"term": "客户", "source_term": "客户"}]}) == lines[2:]


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {},
        {"terms": None, "signals": None},
        {"semantic": "unknown"},
        {"semantic": True},
        {"signals": [{}, "x"]},
        {"terms": ["钕铁硼"]},
    ],
)
def test_odd_stored_reasons_render_as_nothing_rather_than_fail(stored):
    assert render_reasons(stored) == []


# --- field signals -------------------------------------------------------------------------------


def _signal_lines(db, source, target) -> list[str]:
    publish(db, source, target)
    run_all(db)
    return render_reasons(match_between(db, source, target).reasons)


MILK = dict(keywords=["乳酸菌", "发酵乳"], body="低温发酵乳乳酸菌发酵剂国产化。")


def test_field_signals_name_the_industry_by_code_and_name(app, db):
    need = posting(K.NEED, "发酵乳乳酸菌发酵剂需求", industry="C14", **MILK)
    achievement = posting(K.ACHIEVEMENT, "乳酸菌发酵剂制备", industry="C14", **MILK)
    assert "同属 C14 食品制造业" in _signal_lines(db, need, achievement)


def test_field_signals_name_the_trl_and_what_it_means_for_the_need(app, db):
    need = posting(K.NEED, "发酵乳乳酸菌发酵剂需求", budget_wan=None, **MILK)
    achievement = posting(K.ACHIEVEMENT, "乳酸菌发酵剂制备", trl=6, **MILK)
    assert "技术成熟度 TRL 6，适合合作开发" in _signal_lines(db, need, achievement)


def test_field_signals_name_the_city_and_the_tier(app, db):
    procurement = posting(K.PROCUREMENT, "采购乳酸菌发酵剂", region="150200", **MILK)
    capability = posting(K.CAPABILITY, "乳酸菌发酵剂供应", region="150200", tier=Tier.SPECIALIZED, **MILK)
    lines = _signal_lines(db, procurement, capability)
    assert "同在包头市，供货便利" in lines and "梯度培育：专精特新中小企业" in lines
    assert not any(re.search(r"语义.*\d", line) for line in lines)
