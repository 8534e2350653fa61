"""Labels mean the same on every list: 高 only where a suggestion is likely relevant (calibrated on the
labelled set), nothing shown below the floor, and "新的高分匹配" only for 高. The real e5 model is on here:
the absolute measure the calibration rests on is the cosine."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.core.models import utcnow
from app.matching.calibration import FLOOR, HIGH, label_of
from app.matching.jobs import notify_new_matches
from app.matching.models import Match
from tests.factories import OrgFactory, UserFactory
from tests.matching.helpers import K, posting, publish


@pytest.fixture
def semantic_app(make_app, db):
    """An app with the model on, its context pushed after the database fixture's (so it is current_app)."""
    app = make_app(EMBEDDINGS=True)
    with app.app_context():
        yield app


def scores_of(db, source) -> list[float]:
    return list(db.session.scalars(sa.select(Match.score).where(Match.source_id == source.id)))


def test_an_irrelevant_only_list_shows_no_high_and_sends_no_notification(semantic_app, db):
    owner = UserFactory()
    need = posting(
        K.NEED,
        "矿卡轮胎磨损太快，一年换好几轮",
        keywords=["矿卡", "轮胎"],
        body="露天煤矿的矿用自卸车轮胎被碎石割伤，磨得快，想找耐磨耐割的轮胎或修补办法。",
        org=owner.org,
    )
    others = OrgFactory()
    unrelated = [
        posting(
            K.ACHIEVEMENT,
            "矿用自卸车电传动系统",
            keywords=["电传动", "矿用自卸车"],
            body="交流电传动，牵引电机与变流器。",
            org=others,
        ),
        posting(
            K.ACHIEVEMENT, "羊绒无损分梳工艺", keywords=["羊绒", "分梳"], body="提高羊绒长度，降低损伤。", org=others
        ),
        posting(K.ACHIEVEMENT, "奶酪快速成熟发酵剂", keywords=["奶酪"], body="缩短成熟周期，风味稳定。", org=others),
    ]
    publish(db, need, *unrelated)
    scores = scores_of(db, need)
    assert scores and max(scores) < HIGH
    assert notify_new_matches(utcnow(), HIGH) == 0


def test_a_posting_written_for_the_need_is_labelled_high_and_announced(semantic_app, db):
    owner, supplier = UserFactory(), UserFactory()
    need = posting(
        K.NEED,
        "电机磁钢用的镝铽太贵，想少用又怕高温退磁",
        keywords=["磁钢", "镝铽", "退磁"],
        body="新能源汽车驱动电机用烧结钕铁硼磁钢，重稀土镝铽成本高，想少放重稀土，电机跑热了也不退磁。",
        org=owner.org,
    )
    answer = posting(
        K.ACHIEVEMENT,
        "低重稀土烧结钕铁硼晶界扩散技术",
        keywords=["钕铁硼", "晶界扩散", "镝", "铽", "矫顽力"],
        body="镝铽在磁体晶界扩散代替整体添加，重稀土用量降低60%，矫顽力提高，150℃以上不退磁，用于驱动电机磁钢。",
        org=supplier.org,
    )
    filler = posting(K.ACHIEVEMENT, "羊绒无损分梳工艺", keywords=["羊绒"], body="提高羊绒长度。", org=OrgFactory())
    publish(db, need, answer, filler)
    best = db.session.scalars(sa.select(Match).where(Match.source_id == need.id).order_by(Match.rank)).first()
    assert best.target_id == answer.id and label_of(best.score).label == "高"
    assert notify_new_matches(utcnow(), HIGH) >= 1


def test_a_match_below_the_floor_is_exported_but_not_shown(app, db, login, runner, tmp_path):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", keywords=["钕铁硼"], body="需要磁钢。", org=owner.org, ref="N-1")
    target = posting(
        K.ACHIEVEMENT, "钕铁硼磁钢技术", keywords=["钕铁硼"], body="磁钢技术。", org=OrgFactory(), ref="A-1"
    )
    publish(db, need, target)
    db.session.execute(sa.update(Match).where(Match.source_id == need.id).values(score=FLOOR / 2))
    db.session.commit()
    page = login(owner).get(f"/postings/need/{need.id}").get_data(as_text=True)
    assert "为您推荐" in page and target.title not in page and "暂时没有足够相关的推荐" in page
    out = tmp_path / "run.jsonl"
    assert runner.invoke(args=["matching", "export", str(out)]).exit_code == 0
    row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert (row["target_ref"], row["shown"], row["label"]) == ("A-1", False, "一般")
