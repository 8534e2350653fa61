"""`flask jobs run|list|run-once`: the scheduled jobs of app/jobs.py from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.job_locks import lock_rows
from app.core.web import local_time
from app.jobs import JOBS
from app.scheduling import SKIPPED, UnknownJob, build_scheduler, find_job, next_run_time, run_job

jobs_cli = AppGroup("jobs", help="定时任务：调度进程、任务列表、立即运行")


def _schedule_text(job) -> str:
    args = " ".join(f"{k}={v}" for k, v in job.schedule.items())
    return f"{'每隔' if job.trigger == 'interval' else 'cron(UTC)'} {args}"


@jobs_cli.command("run")
def run_command() -> None:
    """启动调度进程（前台运行，Ctrl+C 停止）；与 Web 服务分开运行。"""
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo(f"定时任务调度已启动，共 {len(JOBS)} 个任务（时区 UTC）")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("调度已停止")


@jobs_cli.command("list")
def list_command() -> None:
    """列出每个任务的计划、说明、下次运行时间和上次运行结果（北京时间）。"""
    locks = lock_rows()
    for job in JOBS:
        lock = locks.get(job.id)
        click.echo(f"{job.id}  [{_schedule_text(job)}]  {job.description}")
        click.echo(f"    下次运行：{local_time(next_run_time(job, last_started=lock and lock.last_started_at))}")
        if lock is None or lock.last_started_at is None:
            click.echo("    上次运行：从未运行")
            continue
        finished = local_time(lock.last_finished_at) or "运行中"
        click.echo(f"    上次运行：{local_time(lock.last_started_at)} → {finished}  结果：{lock.last_result or '-'}")
        if lock.last_error:
            click.echo(f"    上次错误：{lock.last_error.strip().splitlines()[-1]}")


@jobs_cli.command("run-once")
@click.argument("name")
def run_once_command(name: str) -> None:
    """立即运行一个任务（同样受任务锁保护），并打印结果。"""
    try:
        job = find_job(name)
    except UnknownJob as err:
        click.echo(str(err), err=True)
        sys.exit(2)
    outcome = run_job(job)
    if outcome.status == SKIPPED:
        click.echo(f"{job.id}：已跳过（另一个进程正在运行该任务）")
    elif outcome.status == "error":
        click.echo(f"{job.id} 运行出错：{outcome.result}", err=True)
        sys.exit(1)
    else:
        click.echo(f"{job.id}：{outcome.result}")
