"""The rubric engine (app/core/rubric.py) that event judging and challenge review share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.core.errors import FieldError, ValidationFailed
from app.core.rubric import CriterionInput, parse_half_points, parse_rubric, rank_rows, tally, weighted


@dataclass
class C:
    id: int
    weight: int
    max_score: int


RUBRIC = [C(1, 60, 10), C(2, 40, 20)]


def test_a_weighted_score_is_the_sum_of_score_over_max_times_weight():
    # 7.5/10 × 60 + 10/20 × 40 = 45 + 20
    assert weighted({1: 15, 2: 20}, RUBRIC) == 65


def test_a_sheet_with_a_criterion_missing_has_no_weighted_score():
    assert weighted({1: 15}, RUBRIC) is None


def test_the_result_is_the_mean_of_the_scorers_who_scored_every_criterion():
    row = tally("subject", ["a", "b", "c"], {"a": {1: 20, 2: 40}, "b": {1: 10, 2: 20}, "c": {1: 20}}, RUBRIC)
    assert (row.result, row.complete, row.scorer_count) == (Decimal("75.00"), 2, 3)
    assert row.per_scorer == {"a": Decimal("100.00"), "b": Decimal("50.00"), "c": None}


def test_results_are_rounded_half_up_to_cents():
    rubric = [C(1, 100, 3)]
    # 1/3 × 100 = 33.333…, 2/3 × 100 = 66.666…
    assert tally("x", ["a"], {"a": {1: 2}}, rubric).result == Decimal("33.33")
    assert tally("x", ["a"], {"a": {1: 4}}, rubric).result == Decimal("66.67")


def test_equal_results_share_a_rank_and_the_next_rank_skips_and_unscored_come_last():
    rows = [
        tally(name, ["a"], sheets, RUBRIC)
        for name, sheets in [
            ("w", {"a": {1: 10, 2: 20}}),
            ("x", {"a": {1: 20, 2: 40}}),
            ("y", {}),
            ("z", {"a": {1: 10, 2: 20}}),
            ("v", {"a": {1: 0, 2: 0}}),
        ]
    ]
    ranked = rank_rows(rows, order=lambda r: r.subject)
    assert [(r.subject, r.rank, r.tied) for r in ranked] == [
        ("x", 1, False),
        ("w", 2, True),
        ("z", 2, True),
        ("v", 4, False),
        ("y", None, False),
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("10.5", "0 到 10"), ("-1", "0 到 10"), ("7.3", "0.5 的整数倍"), ("七", "请填写数字"), ("nan", "请填写数字")],
)
def test_a_score_outside_zero_to_max_in_half_points_is_refused_with_its_reason(typed, message):
    with pytest.raises(FieldError) as err:
        parse_half_points(typed, "创新性", 10, "c1")
    assert message in err.value.message and err.value.field == "c1"


def test_a_score_in_half_points_is_kept_exactly_and_blank_means_not_scored():
    assert parse_half_points(" 7.5 ", "创新性", 10, "c1") == 15
    assert parse_half_points("", "创新性", 10, "c1") is None


def test_rubric_weights_must_sum_to_exactly_100():
    with pytest.raises(ValidationFailed, match="之和须为 100，现在是 90"):
        parse_rubric([CriterionInput("技术", "60", "30"), CriterionInput("团队", "30", "20")])
    assert parse_rubric(
        [CriterionInput("技术", "60", "30"), CriterionInput("团队", "40", "20"), CriterionInput("", "", "")]
    ) == [
        ("技术", 60, 30),
        ("团队", 40, 20),
    ]
