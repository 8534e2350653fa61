"""Chinese analysis (jieba search mode, domain dictionary, synonyms) and the posting document."""

from __future__ import annotations

import jieba
import pytest

from search.analysis import (
    Analyzer,
    cjk_bigrams,
    default_analyzer,
    load_dictionary,
    load_stopwords,
    load_synonyms,
    parse_synonym_line,
)
from search.documents import clean_document, prepare_document


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


def test_domain_dictionary_words_are_cut_whole(analyzer):
    assert "储氢合金" in analyzer.tokens("稀土储氢合金的循环寿命")
    assert "储氢合金" not in Analyzer(stopwords=[]).tokens("稀土储氢合金的循环寿命")


def test_search_mode_also_indexes_the_sub_words_of_a_compound(analyzer):
    tokens = analyzer.tokens("稀土永磁材料")
    assert {"稀土永磁", "稀土", "永磁", "材料"} <= set(tokens)


def test_whole_words_are_the_precise_cut_without_the_pieces_search_mode_adds(analyzer):
    assert "马铃" in analyzer.tokens("马铃薯淀粉加工")
    assert analyzer.whole_words("马铃薯淀粉加工") == ("马铃薯", "淀粉", "加工")
    assert analyzer.whole_words("稀土永磁材料") == ("稀土永磁", "材料")
    assert analyzer.whole_words(None) == () and analyzer.whole_words("，。！") == ()


def test_query_side_keeps_one_token_per_concept(analyzer):
    assert analyzer.query_tokens("稀土永磁材料") == ["稀土永磁", "材料"]


def test_output_is_lower_case_without_punctuation_or_stop_words(analyzer):
    assert analyzer.segment("NdFeB磁体，我们的！需要。") == "ndfeb 磁体"


def test_full_width_letters_and_digits_are_normalised(analyzer):
    assert analyzer.segment("ＮｄＦｅＢ　Ｎ５２") == "ndfeb n52"


def test_synonyms_expand_in_both_directions(analyzer):
    assert "稀土永磁" in analyzer.expand("钕铁硼")
    assert "钕铁硼" in analyzer.expand("稀土永磁")
    assert analyzer.expand_query("小巨人 光伏") == [
        ("小巨人", "专精特新小巨人"),
        ("光伏", "光伏发电", "太阳能发电"),
    ]


def test_synonym_members_join_the_dictionary(analyzer):
    assert analyzer.query_tokens("太阳能发电项目") == ["太阳能发电", "项目"]


def test_an_analyzer_is_built_from_plain_data():
    custom = Analyzer(words=[("蒙草抗旱", 2000), "沙地柏"], synonyms=[["沙地柏", "臭柏"]], stopwords=["的"])
    assert custom.query_tokens("蒙草抗旱的沙地柏") == ["蒙草抗旱", "沙地柏"]
    assert custom.expand("臭柏") == ("臭柏", "沙地柏")
    assert custom.expand("沙地柏") == ("沙地柏", "臭柏")


def test_dictionaries_do_not_leak_between_analyzers_or_into_global_jieba():
    with_word = Analyzer(words=["羊绒衫针织机"])
    without = Analyzer()
    assert "羊绒衫针织机" in with_word.tokens("羊绒衫针织机改造")
    assert "羊绒衫针织机" not in without.tokens("羊绒衫针织机改造")
    assert "羊绒衫针织机" not in jieba.lcut("羊绒衫针织机改造")


def test_tokenizer_loads_lazily_once_per_analyzer():
    fresh = Analyzer()
    assert fresh._tokenizer is None
    fresh.tokens("煤化工")
    loaded = fresh._tokenizer
    fresh.tokens("煤制烯烃")
    assert fresh._tokenizer is loaded
    assert default_analyzer() is default_analyzer()


def test_jieba_logs_nothing(capfd):
    Analyzer(words=["新词测试"]).tokens("新词测试一下")
    assert "prefix dict" not in capfd.readouterr().err


def test_default_data_files_hold_the_regional_vocabulary():
    words = {w if isinstance(w, str) else w[0] for w in load_dictionary()}
    assert {"稀土永磁", "钕铁硼", "无毛绒", "煤制烯烃", "绿氢", "肉苁蓉", "智慧牧场", "矿用卡车"} <= words
    groups = load_synonyms()
    assert ["钕铁硼", "稀土永磁", "ndfeb", "钕磁铁"] in groups
    assert len(groups) >= 20
    assert "的" in load_stopwords()


def test_synonym_lines_accept_chinese_and_ascii_separators():
    assert parse_synonym_line("除尘，粉尘治理、降尘, 抑尘") == ["除尘", "粉尘治理", "降尘", "抑尘"]


def test_cjk_bigrams_mirror_the_engine_filter():
    assert cjk_bigrams("风挡防雾 ABC") == ["风挡", "挡防", "防雾", "abc"]
    assert cjk_bigrams("煤") == ["煤"]
    assert cjk_bigrams("NdFeB磁体") == ["ndfeb", "磁体"]


def _doc(**overrides):
    doc = {"id": 7, "kind": "need", "version": 3, "status": "published", "title": "羊绒分梳", "body": "无毛绒收率低"}
    return {**doc, **overrides}


def test_prepared_document_carries_the_segmented_fields(analyzer):
    doc = prepare_document(_doc(keywords=["无毛绒", "分梳"]), analyzer)
    assert doc["title_seg"] == "羊绒 分梳"
    assert doc["keywords_seg"] == "毛绒 无毛绒 分梳"
    assert doc["body_seg"] == "毛绒 无毛绒 收率 低"
    assert {k for k in doc if k.endswith("_seg")} == {"title_seg", "keywords_seg", "body_seg"}


def test_document_fields_are_normalised():
    from datetime import date, datetime
    from decimal import Decimal

    doc = clean_document(
        _doc(
            industry="c17",
            deadline=date(2026, 7, 1),
            published_at=datetime(2026, 1, 2, 3, 4, 5, 678),
            budget_wan=Decimal("12.50"),
            cooperation=("transfer",),
        )
    )
    assert (doc["industry"], doc["industry_section"]) == ("C17", "C")
    assert doc["deadline"] == "2026-07-01"
    assert doc["published_at"] == "2026-01-02T03:04:05"
    assert doc["budget_wan"] == 12.5 and doc["cooperation"] == ["transfer"]


@pytest.mark.parametrize(
    "bad", [{"kind": "event"}, {"version": None}, {"title": ""}, {"industry": "C3"}, {"deadline": "31/12/2026"}]
)
def test_malformed_documents_are_refused(bad):
    with pytest.raises(ValueError):
        clean_document(_doc(**bad))


def test_synonyms_are_kept_in_the_token_form_every_backend_sees():
    custom = Analyzer(synonyms=[["CO2-Capture", "碳捕集"]], stopwords=[])
    assert custom.expand("碳捕集") == ("碳捕集", "co2 capture")
