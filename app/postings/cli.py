"""`flask catalog import|export`: the file contract of app.postings.importing on the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.enums import PostingKind, PostingStatus
from app.extensions import db
from app.postings.importing.exporting import write_export
from app.postings.importing.reading import UnreadableFile, format_of, read_records
from app.postings.importing.validation import validate_records
from app.postings.importing.writing import import_records

catalog_cli = AppGroup("catalog", help="成果与需求的导入导出")


@catalog_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="导入即发布（否则为草稿）")
@click.option("--verified", is_flag=True, help="新建的机构直接标记为已认证")
@click.option("--skip-invalid", is_flag=True, help="跳过有错误的行，导入其余各行")
@click.option("--dry-run", is_flag=True, help="只校验并统计，不写入数据库")
def import_command(path: Path, publish: bool, verified: bool, skip_invalid: bool, dry_run: bool) -> None:
    """导入 .jsonl / .csv / .xlsx 文件：先校验整个文件，有错误时不导入任何数据。"""
    if format_of(path) is None:
        raise click.BadParameter("只支持 .jsonl、.csv、.xlsx 文件", param_hint="PATH")
    try:
        records = list(read_records(path))
    except UnreadableFile as err:
        raise click.ClickException(err.message) from err
    with click.progressbar(records, label="校验") as bar:
        good, errors, warnings = validate_records(bar)
    for issue in warnings:
        click.echo(f"警告 {issue}", err=True)
    for issue in errors:
        click.echo(f"错误 {issue}", err=True)
    if errors and not skip_invalid:
        lines = len({issue.line for issue in errors})
        click.echo(
            f"{lines} 行有错误（共 {len(errors)} 处），未导入任何数据。改正后重试，或加 --skip-invalid 只导入正确的行。"
        )
        raise SystemExit(1)
    with click.progressbar(length=len(good), label="导入") as bar:
        summary = import_records(good, publish=publish, verified=verified, actor=None, progress=bar.update)
    if dry_run:
        db.session.rollback()
        click.echo(f"试运行，未写入：{summary}")
        return
    db.session.commit()
    skipped = f"；跳过有错误的 {len({issue.line for issue in errors})} 行" if errors else ""
    click.echo(f"导入完成：{summary}{skipped}")


@catalog_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(PostingKind.values()), help="只导出一类")
@click.option("--status", type=click.Choice(PostingStatus.values()), help="只导出某一状态，如 published")
def export_command(path: Path, kind: str | None, status: str | None) -> None:
    """导出为 .jsonl / .csv / .xlsx（按扩展名），格式与导入相同，可原样再导入。"""
    if format_of(path) is None:
        raise click.BadParameter("只支持 .jsonl、.csv、.xlsx 文件", param_hint="PATH")
    count = write_export(path, PostingKind(kind) if kind else None, PostingStatus(status) if status else None)
    click.echo(f"已导出 {count} 条到 {path}")
