"""为什么推荐 on every match of the labelled set (tests/data/eval, run lexically as in test_runs.py): no
boilerplate, no piece of a word, no common word, at most five words, no figure for the semantic side, and
field signals that name their field and value. The dense side on the same set: test_runs.py (slow)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from app.core.enums import Tier
from app.core.industries import industry_name
from app.core.regions import region_name
from app.matching.models import Match
from app.matching.reasons import COMMON_MIN_DF, FIELD_LABELS, MAX_TERMS, reason_stopwords, render_reasons
from app.postings.models import Posting
from app.search.backend import get_search
from search.evaluation import read_qrels
from tests.matching.helpers import EVAL, import_eval


@pytest.fixture
def eval_run(app, db, runner):
    """(every stored match, each posting's whole words per field, how many postings use each word)."""
    import_eval(runner)
    assert runner.invoke(args=["matching", "run"]).exit_code == 0
    analyzer = get_search().primary.analyzer
    postings = {p.id: p for p in db.session.scalars(sa.select(Posting))}
    words = {
        pid: {
            name: set(analyzer.query_tokens(text))
            for name, text in zip(FIELD_LABELS, (" ".join(p.keywords or []), p.title, p.body), strict=True)
        }
        for pid, p in postings.items()
    }
    df = Counter(word for fields in words.values() for word in set().union(*fields.values()))
    return list(db.session.scalars(sa.select(Match))), postings, words, df


def test_every_shared_word_on_the_labelled_set_is_a_distinctive_whole_word_of_both_postings(eval_run):
    matches, postings, words, df = eval_run
    stopwords, common = reason_stopwords(), max(COMMON_MIN_DF, len(postings) / 10)
    shown = Counter()
    assert len(matches) > 500
    for match in matches:
        terms = match.reasons["terms"]
        assert len(terms) <= MAX_TERMS
        source, target = words[match.source_id], words[match.target_id]
        for term in terms:
            word, source_word = term["term"], term["source_term"]
            assert word not in stopwords and source_word not in stopwords, term
            assert term["fields"] == [name for name in FIELD_LABELS if word in target[name]], term
            assert term["fields"] and any(source_word in field for field in source.values()), term
            assert len(word) > 1 and not word.isdigit() and df[word] <= common, (term, df[word])
            shown[word] += 1
    assert {"钕铁硼", "羊绒", "稀土"} <= set(shown)
    # What is left still tells: every labelled exact solution that was found shows a shared word.
    qrels = read_qrels(EVAL / "qrels.tsv")
    solutions = [m for m in matches if qrels.get(postings[m.source_id].ref, {}).get(postings[m.target_id].ref) == 3]
    assert len(solutions) >= 40 and all(m.reasons["terms"] for m in solutions)


def test_the_labelled_set_shows_no_figure_for_the_semantic_side(eval_run):
    matches = eval_run[0]
    for match in matches:
        assert match.reasons["semantic"] is None  # the model is off in tests: nothing is claimed
        for line in render_reasons(match.reasons):
            assert not re.search(r"语义.*\d|相似度", line), line


def _expected_signal(code: str, source: Posting, target: Posting) -> str | None:
    """What a field signal must say about these two postings: its field and the value."""
    achievement = source if source.trl is not None else target
    return {
        "same_division": f"同属 {target.industry} {industry_name(target.industry)}",
        "same_section": f"同属 {(target.industry or '')[:1]} {industry_name((target.industry or '')[:1])}（门类）",
        "trl_ready": f"技术成熟度 TRL {achievement.trl}，可直接落地应用",
        "trl_joint": f"技术成熟度 TRL {achievement.trl}，适合合作开发",
        "trl_early": f"技术成熟度 TRL {achievement.trl}，距离落地应用尚远",
        "same_city": f"同在{region_name(target.region)}，供货便利",
        "same_province": f"同在自治区内，对方在{region_name(target.region)}",
    }.get(code)


def test_field_signals_on_the_labelled_set_name_their_field_and_value(eval_run):
    matches, postings = eval_run[:2]
    seen = set()
    tiers = {f"梯度培育：{tier.label}" for tier in Tier}
    for match in matches:
        source, target = postings[match.source_id], postings[match.target_id]
        for signal in match.reasons["signals"] + match.reasons["cautions"]:
            seen.add(signal["code"])
            expected = _expected_signal(signal["code"], source, target)
            if signal["code"] == "tier":
                assert signal["text"] in tiers
            elif expected is not None:
                assert signal["text"] == expected
    assert {"same_division", "trl_ready", "same_city", "tier"} <= seen
