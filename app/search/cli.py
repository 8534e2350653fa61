"""`flask search reindex|status|seed-dictionary`: the search index from the command line.

`flask search drain` is declared by app/matching/cli.py and joins this group in app/cli.py: a drain
ends with recomputing the changed postings' matches, which is the matching layer's work.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from app.extensions import db
from app.search.dictionary import seed_dictionary
from app.search.sources import all_kinds
from app.search.sync import reindex, sync_status
from search.documents import INDEX_KINDS

search_cli = AppGroup("search", help="搜索索引：同步、重建、状态")


@contextmanager
def _bar(label: str, total: int):
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        yield bar.update


@search_cli.command("reindex")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(INDEX_KINDS), help="只重建这一类（可重复）")
def reindex_command(kinds: tuple[str, ...]) -> None:
    """从数据库重建索引：写入新索引后切换别名，重建期间搜索照常可用。"""
    outcomes = reindex(kinds=[k for k in all_kinds() if k.value in kinds] or None, progress=_bar)
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
