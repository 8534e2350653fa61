"""The `flask users` commands: create a platform admin, set a platform role."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import PlatformRole
from tests.auth.helpers import count
from tests.factories import UserFactory


def test_cli_create_admin_makes_a_platform_admin_without_an_org(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "Root@Example.cn", "--name", "平台管理员", "--password", "admin-pass-1"]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.email == "root@example.cn"))
    assert admin.platform_role == PlatformRole.ADMIN and admin.org_id is None
    assert admin.check_password("admin-pass-1")

    duplicate = runner.invoke(
        args=["users", "create-admin", "root@example.cn", "--name", "x", "--password", "admin-pass-1"]
    )
    assert duplicate.exit_code != 0 and "该邮箱已注册" in duplicate.output


def test_cli_create_admin_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "ops@example.cn", "--name", "运维"], input="ops-pass-123\nops-pass-123\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "ops@example.cn")).check_password("ops-pass-123")


def test_cli_create_admin_refuses_a_weak_password(runner, db):
    result = runner.invoke(args=["users", "create-admin", "ops@example.cn", "--name", "运维", "--password", "123"])
    assert result.exit_code != 0 and "密码至少需要" in result.output
    assert count(db, User) == 0


def test_cli_set_role(runner, db):
    user = UserFactory()
    db.session.commit()
    assert runner.invoke(args=["users", "set-role", user.email, "organiser"]).exit_code == 0
    db.session.refresh(user)
    assert user.platform_role == PlatformRole.ORGANISER
    assert runner.invoke(args=["users", "set-role", user.email, "none"]).exit_code == 0
    db.session.refresh(user)
    assert user.platform_role == PlatformRole.NONE
    missing_user = runner.invoke(args=["users", "set-role", "ghost@example.cn", "admin"])
    assert missing_user.exit_code != 0 and "没有邮箱为 ghost@example.cn 的账号" in missing_user.output
