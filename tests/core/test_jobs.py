"""Scheduled-job rules: every declared job resolves and is scheduled with its guards; the job lock keeps
runs from overlapping and survives crashes; `flask jobs`; and the jobs owned here (posting expiry and
warnings, match recompute and notices, purge)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import scheduling
from app.core.enums import EmailState, NotificationKind, PostingKind, PostingStatus
from app.core.job_locks import JobLock, acquire, release
from app.core.mail import MailOutbox
from app.core.models import StatusChange, utcnow
from app.core.outbox import SearchOutbox
from app.jobs import JOBS, Job
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match
from app.matching.services import stale_ids
from app.notifications.models import Notification
from app.notifications.services import notify
from app.organizations.models import Invitation
from app.postings.jobs import expire_postings
from app.postings.services import touch_posting
from app.scheduling import build_scheduler, find_job, next_run_time, resolve, run_job
from app.search.models import SearchQueryLog
from app.search.sync import drain_outbox
from tests.conftest import race
from tests.factories import OrgFactory, PostingFactory, UserFactory

K = PostingKind
T = datetime(2026, 12, 4, 4, 0)  # 12:00 Beijing


def lock(db, name: str) -> JobLock:
    db.session.expire_all()
    return db.session.get(JobLock, name)


def fake_job(func: str, lock_minutes: int = 10) -> Job:
    return Job("test_job", func, "interval", {"minutes": 1}, "测试", lock_minutes)


calls: list[datetime] = []


def counting_job(now: datetime) -> str:
    calls.append(now)
    return f"第 {len(calls)} 次"


def failing_job(now: datetime) -> str:
    notify(UserFactory(), NotificationKind.SYSTEM, "system:failing", "不该留下")
    raise RuntimeError("数据库连接中断")


# --- the declared list -----------------------------------------------------------------------------


@pytest.mark.parametrize("job", JOBS, ids=[job.id for job in JOBS])
def test_every_declared_job_resolves_to_a_function(job):
    assert callable(resolve(job.func)), f"{job.func} is not importable"


def test_every_job_is_scheduled_once_with_its_guards(app):
    assert len({job.id for job in JOBS}) == len(JOBS)
    scheduled = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert scheduled.keys() == {job.id for job in JOBS}
    for job in scheduled.values():
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 300


def test_cron_hours_are_utc_so_the_digest_runs_at_8_beijing():
    digest = find_job("notifications_digest")
    assert next_run_time(digest, datetime(2026, 12, 4, 1, 0)) == datetime(2026, 12, 5, 0, 0)
    drain = find_job("search_drain")
    assert next_run_time(drain, T, last_started=T - timedelta(seconds=20)) == T + timedelta(seconds=40)
    assert next_run_time(drain, T, last_started=T - timedelta(days=1)) == T  # overdue: now


# --- the lock --------------------------------------------------------------------------------------


def test_an_overlapping_run_is_skipped(app, db):
    assert acquire("x", "host:1:a", T, 10)
    assert not acquire("x", "host:2:b", T + timedelta(minutes=5), 10)
    job = fake_job("tests.core.test_jobs:counting_job")
    assert acquire(job.id, "host:1:a", T, 10)
    calls.clear()
    outcome = run_job(job, T + timedelta(minutes=1))
    assert outcome.status == "skipped" and calls == []


def test_two_schedulers_racing_for_a_new_lock_run_the_job_once(app, db):
    taken = race(app, lambda i: acquire("race", f"host:{i}:x", T, 10))
    assert sorted(taken) == [False, True]
    assert lock(db, "race").locked_by in {"host:0:x", "host:1:x"}


def test_a_stale_lock_is_taken_over_after_lock_minutes(app, db):
    job = fake_job("tests.core.test_jobs:counting_job", lock_minutes=10)
    assert acquire(job.id, "crashed:1:a", T, job.lock_minutes)
    calls.clear()
    assert run_job(job, T + timedelta(minutes=9)).status == "skipped"
    outcome = run_job(job, T + timedelta(minutes=11))
    assert outcome.status == "ok" and outcome.result == "第 1 次"
    row = lock(db, job.id)
    assert row.locked_until is None and row.last_result == "第 1 次" and row.last_error is None


def test_a_run_releases_its_lock_so_the_next_run_goes_ahead(app, db):
    job = fake_job("tests.core.test_jobs:counting_job")
    calls.clear()
    assert run_job(job, T).status == run_job(job, T + timedelta(seconds=1)).status == "ok"
    assert len(calls) == 2
    row = lock(db, job.id)
    assert row.last_started_at == T + timedelta(seconds=1) and row.last_finished_at is not None


def test_a_raising_job_is_rolled_back_records_its_error_and_releases(app, db):
    job = fake_job("tests.core.test_jobs:failing_job")
    outcome = run_job(job, T)
    assert outcome.status == "error" and "数据库连接中断" in outcome.result
    row = lock(db, job.id)
    assert row.locked_until is None and "RuntimeError: 数据库连接中断" in row.last_error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    calls.clear()
    assert run_job(fake_job("tests.core.test_jobs:counting_job"), T).status == "ok"


def test_a_run_that_outlived_its_lock_does_not_release_the_new_owners(app, db):
    assert acquire("x", "slow:1:a", T, 10)
    assert acquire("x", "new:2:b", T + timedelta(minutes=11), 10)
    release("x", "slow:1:a", T + timedelta(minutes=12), "迟到", None)
    row = lock(db, "x")
    assert row.locked_by == "new:2:b" and row.locked_until == T + timedelta(minutes=21)


# --- flask jobs ------------------------------------------------------------------------------------


def test_run_once_an_unknown_job_is_a_clear_error_with_exit_code_2(runner):
    result = runner.invoke(args=["jobs", "run-once", "no_such_job"])
    assert result.exit_code == 2
    assert "没有名为“no_such_job”的定时任务" in result.output and "search_drain" in result.output


def test_run_once_runs_the_job_and_list_shows_its_last_result(runner, db):
    result = runner.invoke(args=["jobs", "run-once", "purge_expired"])
    assert result.exit_code == 0 and "purge_expired：已清理" in result.output
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "purge_expired" in listing and "结果：已清理" in listing and "下次运行" in listing
    assert "从未运行" in listing  # the jobs that did not run yet


def test_jobs_run_starts_the_scheduler_with_every_job(runner, monkeypatch):
    started = []

    def start(scheduler):
        started.append({job.id for job in scheduler.get_jobs()})
        raise KeyboardInterrupt

    monkeypatch.setattr("apscheduler.schedulers.blocking.BlockingScheduler.start", start)
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and f"共 {len(JOBS)} 个任务" in result.output and "调度已停止" in result.output
    assert started == [{job.id for job in JOBS}]


# --- postings_expire -------------------------------------------------------------------------------


def test_expire_postings_run_twice_moves_a_posting_once(app, db):
    past = PostingFactory(kind=K.NEED, deadline=date(2026, 12, 3))
    last_day = PostingFactory(kind=K.PROCUREMENT, deadline=date(2026, 12, 4))
    db.session.commit()
    with time_machine.travel(T, tick=False):  # 2026-12-04 12:00 Beijing: 12-03 has passed, 12-04 has not
        assert run_job(find_job("postings_expire")).result.startswith("已下架 1 条")
        assert run_job(find_job("postings_expire")).result.startswith("已下架 0 条")
    assert past.status == PostingStatus.EXPIRED and last_day.status == PostingStatus.PUBLISHED
    changes = db.session.scalars(sa.select(StatusChange).where(StatusChange.to_status == "expired")).all()
    assert [c.entity_id for c in changes] == [past.id]
    assert db.session.scalar(sa.select(SearchOutbox.entity_id).where(SearchOutbox.version == past.version)) == past.id


def test_owners_are_warned_once_a_week_before_the_deadline(app, db):
    owner = UserFactory()
    soon = PostingFactory(kind=K.NEED, org=owner.org, deadline=date(2026, 12, 11))
    later = PostingFactory(kind=K.NEED, org=owner.org, deadline=date(2026, 12, 12))
    PostingFactory(kind=K.ACHIEVEMENT, org=owner.org)
    db.session.commit()
    expire_postings(T)
    expire_postings(T + timedelta(hours=1))
    db.session.commit()
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.kind, n.key) for n in notes] == [
        (owner.id, NotificationKind.POSTING_EXPIRING, f"posting:{soon.id}:expiring:2026-12-11")
    ]
    assert "7 天后" in notes[0].title
    later.deadline = date(2026, 12, 10)  # a changed deadline is warned about again
    db.session.commit()
    expire_postings(T)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2


# --- matches_changed -------------------------------------------------------------------------------


MAGNET = dict(keywords=["钕铁硼", "永磁电机"], body="新能源汽车驱动电机用高矫顽力钕铁硼磁钢。")


def test_recompute_changed_catches_up_and_announces_strong_new_matches_once(make_app, db):
    app = make_app(MATCH_RECOMPUTE_MAX=1)
    with app.app_context():
        need_owner, supplier = UserFactory(), UserFactory()
        need = PostingFactory(kind=K.NEED, org=need_owner.org, title="钕铁硼磁钢需求", **MAGNET)
        tech = PostingFactory(kind=K.ACHIEVEMENT, org=supplier.org, title="钕铁硼磁钢技术", **MAGNET)
        stale = PostingFactory(kind=K.ACHIEVEMENT, title="羊绒分梳技术", keywords=["羊绒"], body="山羊绒分梳。")
        for posting in (need, tech, stale):
            touch_posting(posting)
        db.session.commit()
        drain_and_rematch()  # indexes all three, recomputes only one (MATCH_RECOMPUTE_MAX=1)
        assert stale_ids(10)

        from app.matching.jobs import recompute_changed

        now = utcnow()
        assert "通知新的高分匹配 2 条" in recompute_changed(now)
        db.session.commit()
        assert stale_ids(10) == []
        assert "通知新的高分匹配 0 条" in recompute_changed(now)
        db.session.commit()
        notes = {(n.user_id, n.key) for n in db.session.scalars(sa.select(Notification))}
        assert notes == {(need_owner.id, f"match:{need.id}:{tech.id}"), (supplier.id, f"match:{tech.id}:{need.id}")}


def test_matches_between_long_published_postings_are_no_news(make_app, db):
    from app.matching.jobs import notify_new_matches

    app = make_app()
    with app.app_context():
        old = utcnow() - timedelta(days=60)
        need = PostingFactory(kind=K.NEED, org=UserFactory().org, published_at=old, **MAGNET)
        tech = PostingFactory(kind=K.ACHIEVEMENT, org=UserFactory().org, published_at=old, **MAGNET)
        for posting in (need, tech):
            touch_posting(posting)
        db.session.commit()
        drain_and_rematch()
        assert notify_new_matches(utcnow(), 0.0) == 0


def test_the_nightly_run_recomputes_every_published_posting(app, db):
    need = PostingFactory(kind=K.NEED, title="钕铁硼磁钢需求", **MAGNET)
    tech = PostingFactory(kind=K.ACHIEVEMENT, title="钕铁硼磁钢技术", **MAGNET)
    for posting in (need, tech):
        touch_posting(posting)
    db.session.commit()
    drain_outbox()
    db.session.execute(sa.delete(Match))
    db.session.commit()
    assert run_job(find_job("matches_nightly")).result == "已为 2 条信息重算匹配"
    pairs = {tuple(row) for row in db.session.execute(sa.select(Match.source_id, Match.target_id))}
    assert pairs == {(need.id, tech.id), (tech.id, need.id)}


# --- purge_expired ---------------------------------------------------------------------------------


def test_purge_deletes_what_has_served_its_purpose_and_keeps_the_rest(app, db):
    from app.admin.jobs import purge_expired

    user = UserFactory()
    org = OrgFactory()
    now = T
    old, recent = now - timedelta(days=200), now - timedelta(days=2)
    db.session.add_all(
        [
            Invitation(org=org, email="a@x.cn", token_hash="a" * 64, expires_at=now - timedelta(days=31)),
            Invitation(org=org, email="b@x.cn", token_hash="b" * 64, expires_at=now - timedelta(days=1)),
            Invitation(org=org, email="c@x.cn", token_hash="c" * 64, expires_at=old, accepted_at=old),  # accepted: kept
            SearchOutbox(entity_type="posting", entity_id=1, version=1, processed_at=old),
            SearchOutbox(entity_type="posting", entity_id=2, version=1, processed_at=recent),
            SearchOutbox(entity_type="posting", entity_id=3, version=1, created_at=old),  # pending: kept
            MailOutbox(to="a@x.cn", subject="s", body="b", created_at=old, email_state=EmailState.SENT),
            MailOutbox(to="b@x.cn", subject="s", body="b", created_at=old),  # pending: kept
            MailOutbox(to="c@x.cn", subject="s", body="b", created_at=recent, email_state=EmailState.SENT),
            Notification(user_id=user.id, kind="system", key="old-read", title="t", created_at=old, read_at=old),
            Notification(user_id=user.id, kind="system", key="old-unread", title="t", created_at=old),
            Notification(user_id=user.id, kind="system", key="new-read", title="t", created_at=recent, read_at=recent),
            SearchQueryLog(text="稀土", results=3, searched_at=now - timedelta(days=400)),
            SearchQueryLog(text="羊绒", results=1, searched_at=recent),
        ]
    )
    db.session.commit()
    assert purge_expired(now) == "已清理 邀请 1，同步记录 1，邮件 1，已读通知 1，搜索记录 1"
    db.session.commit()
    assert purge_expired(now).endswith("邀请 0，同步记录 0，邮件 0，已读通知 0，搜索记录 0")
    assert sorted(db.session.scalars(sa.select(Invitation.email))) == ["b@x.cn", "c@x.cn"]
    assert sorted(db.session.scalars(sa.select(Notification.key))) == ["new-read", "old-unread"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 2


def test_the_runner_passes_now_and_commits(app, db, monkeypatch):
    """What `flask jobs run` does on each tick: the job's changes are committed by the runner."""
    user = UserFactory()
    db.session.commit()

    def job(now):
        notify(user.id, NotificationKind.SYSTEM, f"system:{now:%H%M}", "定时")
        return "ok"

    monkeypatch.setattr(scheduling, "resolve", lambda func: job)
    assert scheduling.run_in_context(app, fake_job("unused:job")).status == "ok"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
