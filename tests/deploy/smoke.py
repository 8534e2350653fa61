"""The deployment smoke test's HTTP part: a new deployment (README 生产部署) used as people use it.

Run by tests/deploy/run.sh once gunicorn (4 workers) and `flask jobs run` are up in production mode:

    python -m tests.deploy.smoke --base http://127.0.0.1:8000 --site https://lianqiao.smoke.test \
        --smtp-port 8025 --redis redis://127.0.0.1:6390/0 --state STATE.json

Each step asserts what a person would see; the first failure stops the run with its reason. What later steps
need (ids, the organisation's account) is written to STATE.json for the checks after the restore (checks.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from tests.deploy.client import Browser, Page
from tests.deploy.mailsink import MailSink

ADMIN_EMAIL = "admin@example.gov.cn"  # README 生产部署: flask users create-admin admin@example.gov.cn
FALLBACK_NOTICE = "搜索服务暂不可用"  # app/search/searching.py: the page fell back to the embedded index
NEED_TITLE = "羊绒分梳车间粉尘大，寻求高效除尘与短绒回收方案"
SEARCH_WORDS = "短绒回收"
BEIJING = timezone(timedelta(hours=8))


def step(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def wait_for(what: str, probe, timeout: float, every: float = 1.0):
    """Call `probe` until it returns something true; that value, or a failure naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def up(browser: Browser) -> bool:
    try:
        return browser.get("/healthz").status == 200
    except OSError:
        return False


def check_home_and_cookies(visitor: Browser) -> None:
    """The home page answers; the session cookie is Secure, HttpOnly and SameSite=Lax behind the proxy."""
    home = visitor.get("/")
    expect(home.status == 200, f"home page: HTTP {home.status}")
    expect("联桥" in home.text, "home page: no 联桥 in it")
    login = visitor.get("/auth/login")  # the CSRF token lives in the session: the cookie is set here
    expect(login.status == 200, f"login page: HTTP {login.status}")
    session = [c for c in visitor.set_cookies if c.startswith("session=")]
    expect(bool(session), f"no session cookie; got {visitor.set_cookies}")
    flags = {part.strip().lower() for part in session[-1].split(";")[1:]}
    expect({"secure", "httponly", "samesite=lax"} <= flags, f"session cookie flags: {session[-1]}")


def check_shared_login_throttle(base: str, site: str, redis_url: str) -> None:
    """Failed logins on one address are counted (LOGIN_MAX_FAILURES, default 5); the next attempt is refused
    with 429. The count lives in Redis, shared by the four workers: with memory:// each worker would count on its
    own and a guesser could spread attempts over them."""
    import redis

    stranger = Browser(base, site, "203.0.113.77")
    form = stranger.get("/auth/login").form(having="password")
    guess = {"email": "guess@example.gov.cn", "password": "wrong-Pass1"}
    statuses = [stranger.submit(form, guess, follow=False).status for _ in range(6)]
    expect(statuses == [200] * 5 + [429], f"six failed logins on one address answered {statuses}")
    keys = redis.Redis.from_url(redis_url).keys("LIMITS*")
    expect(bool(keys), "no login counters in Redis: RATELIMIT_STORAGE_URI is not in use")


def log_in(browser: Browser, email: str, password: str) -> Browser:
    form = browser.get("/auth/login").form(having="password")
    page = browser.submit(form, {"email": email, "password": password})
    expect(page.history[:1] == [302], f"login as {email}: stayed on the form (HTTP {page.status})")
    return browser


def credit_code(seed: int) -> str:
    from app.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

    body = "91150600" + "".join(CREDIT_CODE_ALPHABET[(seed // 31**i) % 31] for i in range(9))
    return body + credit_code_check_char(body)


def register_organisation(org: Browser, email: str, password: str) -> str:
    """A stranger registers an SME and its first account: a confirmation link is mailed to the address."""
    name = f"鄂尔多斯市绒联科技有限公司{secrets.randbelow(10**4):04d}"
    form = org.get("/auth/register").form(having="credit_code")
    fields = {
        "name": name,
        "org_type": "sme",
        "credit_code": credit_code(secrets.randbelow(31**9)),
        "region": "150600",
        "industry": "C17",
        "contact_name": "王晓燕",
        "contact_phone": "13904770001",
        "user_name": "王晓燕",
        "email": email,
        "phone": "13904770001",
        "password": password,
        "confirm": password,
    }
    page = org.submit(form, fields)
    expect(page.path == "/auth/login" and email in page.text, f"registration ended on {page.path}")
    return name


def verify_organisation(admin: Browser) -> None:
    queue = admin.get("/orgs/admin/verification")
    verify = [f for f in queue.forms() if re.search(r"/orgs/admin/\d+/verify$", f.action)]
    expect(len(verify) == 1, f"verification queue: {len(verify)} organisations waiting, expected the new one")
    page = admin.submit(verify[0])
    expect("已通过" in page.text, "verifying the organisation: no confirmation")


def post_need(org: Browser, action: str, title: str) -> Page:
    form = org.get("/postings/need/new").form(having="title")
    fields = {
        "title": title,
        "keywords": "羊绒；除尘；短绒回收",
        "industry": "C17",
        "region": "150600",
        "description": "分梳车间粉尘浓度高，现有布袋除尘效果差，短绒随粉尘排走。希望找到能回收短绒的高效除尘方案。",
        "budget_wan": "40",
        "action": action,
    }
    return org.submit(form, fields)


def publish_need(org: Browser, admin: Browser) -> int:
    """The organisation submits a need (and keeps another as a draft); the admin approves it."""
    page = post_need(org, "submit", NEED_TITLE)
    found = re.fullmatch(r"/postings/need/(\d+)", page.path)
    expect(found is not None and "待审核" in page.text, f"submitting the need ended on {page.path}")
    need_id = int(found.group(1))
    draft = post_need(org, "draft", "羊绒车间除尘方案（草稿，不公开）")
    expect("草稿" in draft.text, "saving a draft need: no draft status shown")
    queue = admin.get("/postings/admin/moderation")
    approved = admin.submit(queue.form(action=f"/postings/need/{need_id}/approve"))
    expect("审核通过" in approved.text, "approving the need: no confirmation")
    return need_id


def find_in_search(visitor: Browser, need_id: int, timeout: float = 60) -> float:
    """The published need is found at /search on the engine (not the fallback index); seconds it took."""
    started = time.monotonic()

    def probe() -> bool:
        page = visitor.get("/search?" + urlencode({"q": SEARCH_WORDS}))
        expect(page.status == 200, f"/search: HTTP {page.status}")
        expect(FALLBACK_NOTICE not in page.text, "/search answered from the fallback index: the engine is down")
        return f"/postings/need/{need_id}" in page.text

    wait_for(f"need {need_id} at /search?q={SEARCH_WORDS}", probe, timeout)
    return time.monotonic() - started


def local_input(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


def create_event(admin: Browser) -> int:
    """The admin (an organiser too) creates a matchmaking event with a 观众 ticket and publishes it."""
    starts = datetime.now(BEIJING).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=30)
    form = admin.get("/events/new").form(having="event_type")
    fields = {
        "event_type": "docking",
        "title": "2026 羊绒产业产学研对接会（冒烟测试）",
        "description": "上午发布科技成果与企业技术需求，下午一对一洽谈。",
        "starts_at": local_input(starts),
        "ends_at": local_input(starts + timedelta(hours=8)),
        "venue": "鄂尔多斯市东胜区科技创新中心",
        "region": "150600",
        "capacity": "50",
        "tickets-0-enabled": "y",
        "tickets-0-name": "观众",
        "tickets-0-quota": "50",
    }
    page = admin.submit(form, fields)
    found = re.fullmatch(r"/events/(\d+)/manage", page.path)
    expect(found is not None, f"creating the event ended on {page.path} (HTTP {page.status})")
    event_id = int(found.group(1))
    published = admin.submit(page.form(action=f"/events/{event_id}/publish"))
    expect("已发布" in published.text, "publishing the event: no confirmation")
    return event_id


def register_for_event(org: Browser, event_id: int) -> str:
    """The organisation registers one attendee with the 观众 ticket; returns the ticket's check-in code."""
    form = org.get(f"/events/{event_id}/register").form(having="ticket_category")
    fields = {
        "ticket_category": form.option("ticket_category", "观众"),
        "attendees-0-name": "王晓燕",
        "attendees-0-phone": "13904770001",
        "attendees-0-position": "总经理",
    }
    mine = org.submit(form, fields)
    expect(mine.path == "/events/mine", f"registering ended on {mine.path} (HTTP {mine.status})")
    found = re.search(r"/events/registrations/(\d+)/tickets", mine.text)
    expect(found is not None, "我的报名: no link to the e-tickets")
    tickets = org.get(found.group(0))
    codes = re.findall(r'class="ticket-code"[^>]*>\s*([A-Z0-9]{4}-[A-Z0-9]{4})', tickets.text)
    expect(len(codes) == 1, f"e-tickets: expected one check-in code, found {codes}")
    return codes[0]


def check_in(admin: Browser, event_id: int, code: str) -> None:
    """Off the event day the desk asks before admitting; it admits the ticket once; a second scan says it is
    already checked in."""
    desk = admin.get(f"/events/{event_id}/checkin")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', desk.text)
    expect(desk.status == 200 and csrf is not None, f"check-in desk: HTTP {desk.status}")
    scan = f"/events/{event_id}/checkin/scan"
    # The smoke event is weeks ahead: the desk asks first, then admits on the organiser's confirmation.
    warned = admin.post_json(scan, {"code": code}, csrf.group(1))
    expect(warned.json().get("code") == "not_event_day", f"off-day scan: HTTP {warned.status} {warned.text}")
    first = admin.post_json(scan, {"code": code, "confirm": 1}, csrf.group(1))
    expect(first.status == 200 and first.json().get("ok") is True, f"check-in: HTTP {first.status} {first.text}")
    again = admin.post_json(scan, {"code": code}, csrf.group(1))
    expect(again.json().get("code") == "already", f"second scan: HTTP {again.status} {again.text}")


def confirm_address(org: Browser, sink: MailSink, site: str, email: str, timeout: float) -> float:
    """The jobs process (the only sender) mails the confirmation link, under SITE_URL; opening it confirms the
    address. Returns how long the mail took."""
    started = time.monotonic()
    prefix = f"{site}/auth/confirm/"
    mail = wait_for(f"a mail to {email} with a link {prefix}…", lambda: sink.find(email, prefix), timeout, every=2)
    link = re.search(re.escape(prefix) + r"\S+", mail[2]).group(0)
    confirmed = org.get(link[len(site) :])
    expect(confirmed.status == 200, f"opening the confirmation link: HTTP {confirmed.status}")
    return time.monotonic() - started


def run(args: argparse.Namespace) -> dict:
    admin_password = os.environ["SMOKE_ADMIN_PASSWORD"]
    org_email, org_password = "wang@rongyi-smoke.cn", "Rongyi-2026"
    with MailSink(args.smtp_port) as sink:
        visitor = Browser(args.base, args.site, "198.51.100.10")
        wait_for("gunicorn answering /healthz", lambda: up(visitor), args.start_timeout)
        step("up: home page and production cookies")
        check_home_and_cookies(visitor)
        step("failed logins throttled through Redis")
        check_shared_login_throttle(args.base, args.site, args.redis)
        admin = log_in(Browser(args.base, args.site, "198.51.100.11"), ADMIN_EMAIL, admin_password)
        org = Browser(args.base, args.site, "198.51.100.12")
        step("organisation registers; meanwhile the admin publishes an event")
        register_organisation(org, org_email, org_password)
        event_id = create_event(admin)
        seconds = confirm_address(org, sink, args.site, org_email, args.mail_timeout)
        step(f"confirmation mail from the jobs process opened ({seconds:.0f} s); the admin verifies the organisation")
        log_in(org, org_email, org_password)
        verify_organisation(admin)
        need_id = publish_need(org, admin)
        seconds = find_in_search(visitor, need_id)
        step(f"need {need_id} submitted, approved and found at /search after {seconds:.1f} s")
        code = register_for_event(org, event_id)
        check_in(admin, event_id, code)
        step(f"event {event_id}: registered and checked in ticket {code}")
    return {"need_id": need_id, "event_id": event_id, "org_email": org_email, "org_password": org_password}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.deploy.smoke")
    parser.add_argument("--base", required=True, help="where gunicorn listens, e.g. http://127.0.0.1:8000")
    parser.add_argument("--site", required=True, help="SITE_URL, the address people use (https://…)")
    parser.add_argument("--smtp-port", type=int, required=True, help="MAIL_PORT: the sink listens there")
    parser.add_argument("--redis", required=True, help="RATELIMIT_STORAGE_URI")
    parser.add_argument("--state", required=True, type=Path, help="JSON written for checks.py")
    parser.add_argument("--start-timeout", type=float, default=90)
    parser.add_argument("--mail-timeout", type=float, default=150)
    args = parser.parse_args(argv)
    started = time.monotonic()
    state = run(args)
    args.state.write_text(json.dumps(state))
    step(f"smoke passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
