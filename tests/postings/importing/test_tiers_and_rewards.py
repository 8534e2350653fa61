"""Catalog import: the usual spellings of 梯度培育 tiers map to the enum, an unknown one refuses the file (with its
row number) and nothing is written; a 揭榜挂帅 row without a reward amount imports with a warning and shows 面议."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.core.enums import Tier
from app.postings.models import Posting
from tests.conftest import login_as
from tests.factories import AdminFactory
from tests.postings.importing.helpers import run_import, state, write_jsonl


def capability(ref: str = "C-1", **fields) -> dict:
    record = {
        "kind": "capability",
        "ref": ref,
        "org": "包头稀土新材料有限公司",
        "org_type": "sme",
        "title": "烧结钕铁硼磁体批量供货",
        "keywords": ["钕铁硼", "磁体"],
        "industry": "C32",
        "region": "包头市",
        "description": "年产烧结钕铁硼毛坯 3000 吨。",
    }
    record.update(fields)
    return record


def challenge(ref: str = "N-1", **fields) -> dict:
    record = {
        "kind": "need",
        "ref": ref,
        "org": "鄂尔多斯羊绒制品有限公司",
        "org_type": "sme",
        "title": "揭榜挂帅：羊绒分梳降耗",
        "keywords": ["羊绒", "分梳"],
        "industry": "C17",
        "region": "鄂尔多斯市",
        "description": "分梳设备降低能耗 20%。",
        "challenge": True,
    }
    record.update(fields)
    return record


SPELLINGS = [
    ("专精特新小巨人", Tier.LITTLE_GIANT),
    ("专精特新“小巨人”", Tier.LITTLE_GIANT),
    ('专精特新"小巨人"', Tier.LITTLE_GIANT),
    ("小巨人", Tier.LITTLE_GIANT),
    ("国家级专精特新小巨人", Tier.LITTLE_GIANT),
    ("专精特新中小企业", Tier.SPECIALIZED),
    ("专精特新", Tier.SPECIALIZED),
    ("创新型中小企业", Tier.INNOVATIVE),
    ("创新型", Tier.INNOVATIVE),
]


@pytest.mark.parametrize("spelling, tier", SPELLINGS)
def test_each_usual_spelling_of_a_tier_imports_as_that_tier(runner, db, tmp_path, spelling, tier):
    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [capability(tier=spelling)]))

    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Posting.tier)) == tier


def test_an_unknown_tier_refuses_the_whole_file_with_its_row_number(runner, db, tmp_path):
    records = [capability("C-1", tier="小巨人"), capability("C-2", tier="国家队"), challenge()]

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", records))

    assert result.exit_code == 1
    assert "错误 第2行 tier（梯度培育层级）：梯度培育层级“国家队”无法识别" in result.output
    assert "错误 第1行" not in result.output and "未导入任何数据" in result.output
    assert state(db) == {"postings": 0, "versions": 0, "outbox": 0, "changes": 0, "orgs": 0}


@pytest.mark.parametrize("reward", [None, "面议", "待定", " 面议 "])
def test_a_challenge_without_a_reward_amount_imports_with_a_warning(runner, db, tmp_path, reward):
    record = challenge() if reward is None else challenge(reward_wan=reward)

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [record]))

    assert result.exit_code == 0, result.output
    assert "警告 第1行 reward_wan（揭榜奖金(万元)）：揭榜挂帅未填写奖金金额，导入后显示为“面议”" in result.output
    posting = db.session.scalar(sa.select(Posting))
    assert posting.challenge and posting.reward_wan is None


def test_a_challenge_with_a_reward_amount_imports_without_a_warning(runner, db, tmp_path):
    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [challenge(reward_wan="50万元")]))

    assert result.exit_code == 0 and "警告" not in result.output
    assert db.session.scalar(sa.select(Posting.reward_wan)) == 50


def test_a_reward_that_is_neither_an_amount_nor_negotiable_is_still_an_error(runner, db, tmp_path):
    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [challenge(reward_wan="很多")]))

    assert result.exit_code == 1 and "第1行 reward_wan" in result.output and state(db)["postings"] == 0


def test_a_negotiable_reward_is_shown_as_mianyi_on_the_posting_and_its_card(runner, client, db, tmp_path):
    run_import(runner, write_jsonl(tmp_path / "a.jsonl", [challenge(reward_wan="面议")]), "--publish", "--verified")
    posting = db.session.scalar(sa.select(Posting))

    detail = client.get(f"/postings/need/{posting.id}").text
    listing = client.get("/postings/need").text

    assert re.search(r"揭榜奖金</dt>\s*<dd[^>]*>面议</dd>", detail)
    assert "奖金 面议" in listing


def test_the_web_preview_shows_the_negotiable_reward_warning(client, db, tmp_path, app):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    admin = AdminFactory()
    db.session.commit()
    login_as(client, admin)
    path = write_jsonl(tmp_path / "a.jsonl", [challenge(reward_wan="待定"), capability(tier="专精特新“小巨人”")])
    client.post(
        "/admin/import",
        data={"file": (io.BytesIO(path.read_bytes()), "a.jsonl")},
        content_type="multipart/form-data",
    )

    page = client.get("/admin/import/preview").text

    assert "全部 2 行校验通过" in page and "揭榜挂帅未填写奖金金额" in page
    assert db.session.scalar(sa.select(sa.func.count(Posting.id))) == 0  # nothing written before confirming
