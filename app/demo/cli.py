"""`flask demo seed`: realistic Chinese demo data for an empty database."""

from __future__ import annotations

import unicodedata

import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.demo.data.orgs import ACCOUNTS, DEMO_PASSWORD, ORGS
from app.demo.data.policies import AUTHORITIES
from app.demo.services import DEFAULT_SEED, database_has_data, seed_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="演示数据")

KIND_LABELS = (
    ("achievement", "科技成果"),
    ("need", "研发需求"),
    ("procurement", "采购需求"),
    ("capability", "企业能力/产品"),
)


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="数据库已有数据时什么也不做（make run 使用）。")
@click.option(
    "--seed", "seed", type=int, default=DEFAULT_SEED, show_default=True, help="随机种子：同一种子生成同样的数据。"
)
def seed_command(if_empty: bool, seed: int) -> None:
    """向空数据库导入演示数据：机构、账号和四类信息。"""
    if if_empty and database_has_data():
        click.echo("数据库中已有机构或用户，跳过演示数据导入。")
        return
    try:
        counts = seed_demo(seed)
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"{exc.message}如只想在空库时导入，请加 --if-empty。", err=True)
        raise click.exceptions.Exit(1) from exc
    db.session.commit()
    click.echo(summary(counts))
    click.echo()
    click.echo(accounts_table())


def summary(counts: dict[str, int]) -> str:
    postings = "，".join(f"{label} {counts.get(kind, 0)} 条" for kind, label in KIND_LABELS)
    return (
        f"演示数据已导入：机构 {counts['organizations']} 个（待认证 {counts['pending_organizations']} 个），"
        f"集团 {counts['groups']} 个，用户 {counts['users']} 个，梯度培育记录 {counts['tier_records']} 条；\n"
        f"{postings}（其中待审核 {counts.get('submitted', 0)} 条，草稿 {counts.get('draft', 0)} 条，"
        f"已退回 {counts.get('rejected', 0)} 条）；\n"
        f"活动 {counts.get('events', 0)} 场（报名 {counts.get('event_registrations', 0)} 家），"
        f"对接请求 {counts.get('docking_requests', 0)} 条，对接记录 {counts.get('docking_records', 0)} 条；\n"
        f"对接会洽谈 {counts.get('meetings', 0)} 场（洽谈邀请 {counts.get('meeting_requests', 0)} 条），"
        f"大赛评委 {counts.get('judges', 0)} 位、参赛企业 {counts.get('presenters', 0)} 家、"
        f"评分表 {counts.get('score_sheets', 0)} 份，博览会展位 {counts.get('booths', 0)} 个"
        f"（已分配 {counts.get('booths_assigned', 0)} 个），年度清单 {counts.get('lists', 0)} 份；\n"
        f"惠企政策 {counts.get('policies', 0)} 份（申报事项 {counts.get('policy_items', 0)} 项，"
        f"发布部门账号 {counts.get('authorities', 0)} 个，可申报政策通知 {counts.get('policy_notices', 0)} 条，"
        f"截止提醒 {counts.get('policy_reminders', 0)} 条）。"
    )


def accounts_table() -> str:
    names = {o.key: o.name for o in [*ORGS, *AUTHORITIES]}
    rows = [("角色", "登录邮箱", "密码", "所属机构")]
    rows += [(a.role, a.email, DEMO_PASSWORD, names.get(a.org_key, "—")) for a in ACCOUNTS]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(["演示账号（所有账号密码相同）：", *lines])


def _width(text: str) -> int:
    """Display width in a terminal: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
