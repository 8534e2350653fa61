"""Hybrid fusion of a lexical and a dense ranked list (search.fusion), checked against hand-computed
scores."""

from __future__ import annotations

import pytest

from search.fusion import SEMANTIC_CLOSE, SEMANTIC_HIGH, fuse, min_max, semantic_reason

LEXICAL = [(1, 10.0), (2, 5.0), (3, 0.0)]
DENSE = [(3, 0.9), (2, 0.8), (4, 0.5)]


def order(hits):
    return [hit.id for hit in hits]


def test_weighted_fusion_combines_min_max_normalised_scores():
    # lexical → {1: 1, 2: 0.5, 3: 0}; dense → {3: 1, 2: 0.75, 4: 0}
    hits = {hit.id: hit.score for hit in fuse(LEXICAL, DENSE, alpha=0.5)}
    assert hits == pytest.approx({1: 0.5, 2: 0.625, 3: 0.5, 4: 0.0})


def test_equal_fused_scores_are_broken_by_best_rank_then_lexical_presence_then_id():
    assert order(fuse(LEXICAL, DENSE, alpha=0.5)) == [2, 1, 3, 4]  # 1 and 3 tie at 0.5: both best rank 1
    # 7 and 8 tie on score and best rank; 8 was found lexically, so it goes first despite its id
    assert order(fuse([(8, 1.0)], [(7, 1.0)], alpha=0.5)) == [8, 7]
    # 9 and 4 tie on everything but the id
    assert order(fuse([(9, 2.0), (4, 1.0)], [(4, 0.9), (9, 0.1)], alpha=0.5)) == [4, 9]


def test_alpha_zero_is_lexical_only_and_one_is_dense_only():
    assert order(fuse(LEXICAL, DENSE, alpha=0.0))[:3] == [1, 2, 3]
    assert order(fuse(LEXICAL, DENSE, alpha=1.0))[:2] == [3, 2]


def test_fused_hits_keep_both_component_scores_and_ranks():
    hit = next(h for h in fuse(LEXICAL, DENSE, alpha=0.5) if h.id == 2)
    assert (hit.lexical, hit.dense, hit.lexical_rank, hit.dense_rank) == (5.0, 0.8, 2, 2)
    only_dense = next(h for h in fuse(LEXICAL, DENSE) if h.id == 4)
    assert only_dense.lexical is None and only_dense.lexical_rank is None


def test_the_semantic_reason_says_how_close_in_words_and_never_shows_the_cosine():
    assert semantic_reason(0.95) == "语义高度相近"
    assert semantic_reason(SEMANTIC_HIGH) == "语义高度相近"
    assert semantic_reason(0.91) == "语义相近"
    assert semantic_reason(SEMANTIC_CLOSE) == "语义相近"
    # The median cosine of unrelated postings (0.86) is a high-looking figure that says nothing.
    assert semantic_reason(0.862) is None and semantic_reason(None) is None
    hits = {h.id: h for h in fuse(LEXICAL, [(1, 0.93)])}
    assert hits[1].semantic_reason == "语义高度相近"
    assert hits[2].semantic_reason is None


def test_reciprocal_rank_fusion_sums_one_over_k_plus_rank():
    hits = fuse([("a", 9.0), ("b", 3.0)], [("b", 0.7), ("c", 0.6)], method="rrf", rrf_k=60)
    scores = {hit.id: hit.score for hit in hits}
    assert scores == pytest.approx({"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 62})
    assert order(hits) == ["b", "a", "c"]


def test_without_dense_results_the_lexical_order_stands():
    assert order(fuse(LEXICAL, [])) == [1, 2, 3]


def test_a_list_of_equal_scores_normalises_to_one():
    assert min_max({1: 0.4, 2: 0.4}) == {1: 1.0, 2: 1.0}
    assert min_max({}) == {}


def test_a_repeated_id_keeps_its_first_place():
    hit = fuse([(1, 3.0), (2, 2.0), (1, 1.0)], [])[0]
    assert (hit.id, hit.lexical, hit.lexical_rank) == (1, 3.0, 1)


def test_fusion_is_deterministic():
    runs = [fuse(list(reversed(DENSE)), LEXICAL, method=m) for m in ("weighted", "rrf") for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert runs[3] == runs[4] == runs[5]


def test_limit_cuts_the_fused_list():
    assert order(fuse(LEXICAL, DENSE, limit=2)) == order(fuse(LEXICAL, DENSE))[:2]


@pytest.mark.parametrize(("options", "message"), [({"alpha": 1.5}, "alpha"), ({"method": "max"}, "unknown fusion")])
def test_bad_settings_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        fuse(LEXICAL, DENSE, **options)
