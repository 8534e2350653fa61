"""Ranking metrics and their files (search.evaluation), checked against hand-computed values, and the
labelled set in tests/data/eval that `flask matching evaluate` and search/evaluate_offline.py use."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from search.evaluation import (
    evaluate,
    ndcg_at,
    parse_qrels,
    parse_run_jsonl,
    precision_at,
    read_qrels,
    recall_at,
    reciprocal_rank,
)

EVAL = Path(__file__).parents[1] / "data" / "eval"
JUDGED = {"a": 3, "b": 2, "c": 0, "d": 1}
RANKED = ["c", "a", "x", "b", "d"]  # x is unjudged


def test_ndcg_uses_exponential_gain_and_the_ideal_of_all_judged_targets():
    dcg = 7 / math.log2(3) + 3 / math.log2(5) + 1 / math.log2(6)  # a at 2, b at 4, d at 5
    ideal = 7 + 3 / math.log2(3) + 1 / math.log2(4)  # a, b, d in the first three places
    assert ndcg_at(RANKED, JUDGED) == pytest.approx(dcg / ideal)
    assert ndcg_at(RANKED, JUDGED) == pytest.approx(0.64894, abs=1e-5)


def test_ndcg_counts_only_the_first_k_places():
    assert ndcg_at(RANKED, JUDGED, k=2) == pytest.approx((7 / math.log2(3)) / (7 + 3 / math.log2(3)))
    assert ndcg_at(["a", "b", "d"], JUDGED) == pytest.approx(1.0)


def test_recall_counts_grade_two_and_up_within_the_cutoff():
    assert recall_at(RANKED, JUDGED, k=20) == 1.0
    assert recall_at(RANKED, JUDGED, k=3) == 0.5
    assert recall_at(RANKED, {"a": 1}) is None


def test_mrr_is_one_over_the_rank_of_the_first_relevant_target():
    assert reciprocal_rank(RANKED, JUDGED) == 0.5
    assert reciprocal_rank(["c", "d"], JUDGED) == 0.0


def test_precision_at_five_counts_relevant_targets_over_five():
    assert precision_at(RANKED, JUDGED) == pytest.approx(0.4)
    assert precision_at(["a"], JUDGED) == pytest.approx(0.2)


def test_a_target_listed_twice_counts_once_at_its_first_place():
    assert precision_at(["a", "a", "a"], JUDGED) == pytest.approx(0.2)
    assert ndcg_at(["c", "a", "a"], JUDGED) == ndcg_at(["c", "a"], JUDGED)


def test_means_skip_undefined_values_and_missing_queries_score_zero():
    qrels = {
        "q1": JUDGED,
        "q2": {"m": 3},  # the run has nothing for q2
        "q3": {"n": 1},  # no grade ≥ 2: recall and MRR undefined here
        "q4": {"z": 0},  # nothing relevant at all: not evaluated
    }
    run = {"q1": RANKED, "q3": ["n"], "extra": ["a"]}
    result = evaluate(run, qrels)
    assert sorted(result.per_query) == ["q1", "q2", "q3"]
    assert result.missing == ["q2"]
    assert result.per_query["q3"] == {"ndcg@10": 1.0, "recall@20": None, "mrr": None, "p@5": 0.0}
    assert result.mean["ndcg@10"] == pytest.approx((0.6489437 + 0 + 1) / 3)
    assert result.mean["recall@20"] == pytest.approx((1 + 0) / 2)
    assert result.mean["mrr"] == pytest.approx((0.5 + 0) / 2)
    assert result.mean["p@5"] == pytest.approx((0.4 + 0 + 0) / 3)
    assert result.summary().endswith("(3 queries)")


# --- files ----------------------------------------------------------------------------------------


def test_qrels_skip_comments_blank_lines_and_the_header():
    text = "# judged by hand\nsource_ref\ttarget_ref\tgrade\n\nN1\tA1\t3\nN1\tA2\t0\nP1\tC1\t2\n"
    assert parse_qrels(text) == {"N1": {"A1": 3, "A2": 0}, "P1": {"C1": 2}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("N1\tA1\t4\n", "line 1: grade '4'"),
        ("N1\tA1\n", "line 1: expected"),
        ("N1\tA1\t3\nN1\tA1\t2\n", "line 2: N1 → A1 is judged twice"),
        ("N1 A1 3\n", "line 1: expected"),
    ],
)
def test_bad_qrels_lines_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        parse_qrels(text)


def test_a_matching_export_is_read_in_rank_order():
    lines = [
        json.dumps({"source_ref": "N1", "target_ref": "A2", "rank": 2, "score": 0.5, "reasons": []}),
        json.dumps({"source_ref": "N1", "target_ref": "A1", "rank": 1, "score": 0.9, "reasons": ["语义相似度 0.83"]}),
        "",
        json.dumps({"source_ref": "P1", "target_ref": "C1", "rank": 1, "score": 1.2, "reasons": []}),
    ]
    assert parse_run_jsonl("\n".join(lines)) == {"N1": ["A1", "A2"], "P1": ["C1"]}


def test_a_broken_export_line_is_named():
    with pytest.raises(ValueError, match="run line 2"):
        parse_run_jsonl('{"source_ref": "N1", "target_ref": "A1", "rank": 1}\n{"source_ref": "N1"}\n')


# --- the labelled set ------------------------------------------------------------------------------


def _corpus() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_labelled_set_judges_45_queries_in_the_two_benchmark_directions():
    kinds = {record["ref"]: record["kind"] for record in _corpus()}
    qrels = read_qrels(EVAL / "qrels.tsv")
    assert Counter(kinds[source] for source in qrels) == {"need": 30, "procurement": 15}
    target_kind = {"need": "achievement", "procurement": "capability"}
    for source, judged in qrels.items():
        assert {kinds[t] for t in judged} == {target_kind[kinds[source]]}, source
        assert len(judged) >= 3, source
        assert max(judged.values()) == 3, source
        assert 0 in judged.values(), f"{source} has no hard negative"


def test_the_labelled_corpus_passes_the_import_checks(db):
    from app.postings.importing.reading import read_records
    from app.postings.importing.validation import validate_records

    with (EVAL / "corpus.jsonl").open("rb") as source:
        checked = validate_records(read_records(source, "jsonl"), today=date(2026, 11, 25))
    assert checked.errors == [] and checked.warnings == []
    assert Counter(row.kind.value for row in checked.good) == {
        "achievement": 150,
        "capability": 80,
        "need": 30,
        "procurement": 15,
    }
