"""`flask policy import|evaluate`: the policy library from files, and the 政策计算器 for one firm."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.errors import NotFound
from app.extensions import db
from app.policies.fields import FIELDS
from app.policies.services import evaluate_org, find_org, import_policies
from app.policies.spreadsheet import check_path

policy_cli = AppGroup("policy", help="惠企政策：导入政策、为企业测算可申报事项")


@policy_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="没有写明状态（status）的政策导入即发布（否则为草稿）")
def import_command(path: Path, publish: bool) -> None:
    """导入 .jsonl（每行一条政策，含申报事项与申报条件）或 .xlsx（“政策”与“申报事项”两个工作表）文件：
    先校验整个文件，有任何错误则不导入任何数据。"""
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".xlsx"):
        raise click.BadParameter("只支持 .jsonl 或 .xlsx 文件", param_hint="PATH")
    parsed, errors = check_path(path)
    if errors:
        for problem in errors:
            click.echo(f"错误 {problem}", err=True)
        click.echo(f"文件有 {len(errors)} 处错误，未导入任何数据。改正后重试。", err=True)
        raise SystemExit(1)
    count = import_policies(parsed, publish=publish)
    db.session.commit()
    items = sum(len(p.items) for p in parsed)
    click.echo(f"导入完成：{count} 条政策，{items} 个申报事项")


@policy_cli.command("evaluate")
@click.argument("org")
@click.option("--json", "as_json", is_flag=True, help="每个可申报事项输出一行 JSON")
def evaluate_command(org: str, as_json: bool) -> None:
    """为机构 ORG（机构编号或统一社会信用代码）逐一测算当前可申报的事项：符合 / 可能符合 / 不符合。"""
    try:
        firm = find_org(org)
    except NotFound as err:
        raise click.ClickException(err.message) from err
    results = evaluate_org(firm)
    for item, result in results:
        if as_json:
            line = {
                "policy": item.policy.title,
                "item": item.title,
                "verdict": result.verdict.label,
                "reasons": result.reasons,
                "missing": result.missing,
            }
            click.echo(json.dumps(line, ensure_ascii=False))
            continue
        click.echo(f"【{result.verdict.label}】{item.policy.title} · {item.title}")
        for reason in result.reasons:
            click.echo(f"    {reason}")
        if result.missing:
            click.echo(f"    待补充：{'、'.join(FIELDS[name].label for name in result.missing)}")
    if not as_json and not results:
        click.echo("当前没有开放申报的事项")
