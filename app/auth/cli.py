"""`flask users …`: platform accounts from the command line. Each command commits once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import services
from app.core.enums import PlatformRole
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="账号管理")


def _run(action):
    try:
        result = action()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    return result


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="姓名")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码", help="不填则提示输入")
def create_admin(email, name, password):
    """创建平台管理员（不属于任何机构）。"""
    user = _run(lambda: services.create_platform_admin(email, name, password))
    click.echo(f"已创建平台管理员 {user.email}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(PlatformRole.values(), case_sensitive=False))
def set_role(email, role):
    """设置平台角色：admin（平台管理员）、organiser（活动组织者）或 none。"""
    platform_role = PlatformRole(role.lower())
    user = _run(lambda: services.set_platform_role(email, platform_role))
    click.echo(f"{user.email} 的平台角色已设为“{platform_role.label}”")
