"""No dead link: a link shown to a viewer works for that viewer.

The demo is seeded once (SQLite); then, for each demo role, a crawler starts from the pages the navigation
offers and follows internal links breadth-first to depth 2, collecting every <a href> and <form action>.
GET links and GET forms (submitted with no parameters) are fetched, redirects followed; a POST form's action
must name a route that takes POST. Any 403, 404, 405 or 5xx is listed as (role, page, link, status).

To stay quick, pages that differ only in their ids (/postings/need/12, /postings/need/57) or query strings
count as one shape: a few of each shape are fetched, not all. Downloads (exports, .ics, attachments) are
checked against the route map only, and logging out is never followed.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from app import create_app
from app.auth.models import User
from app.demo.services import seed_demo
from app.extensions import db as _db
from tests.conftest import TEST_CLOCK, as_user

pytestmark = pytest.mark.slow

ROLES = {
    "visitor": None,
    "admin": "admin@lianqiao.demo",
    "organiser": "organiser@lianqiao.demo",
    "university": "university@lianqiao.demo",
    "institute": "institute@lianqiao.demo",
    "sme": "sme@lianqiao.demo",
    "large": "large@lianqiao.demo",
    "authority": "authority@lianqiao.demo",  # 主管部门 staff: policy management and 政策兑现统计
    "judge": "judge2@lianqiao.demo",  # a 大赛 judge without an organisation
}
MAX_DEPTH = 3
MAX_PAGES = 300  # per role
PER_SHAPE = 2  # pages fetched per URL shape
NEVER = re.compile(r"/auth/logout")
DOWNLOAD = re.compile(
    r"\.(xlsx|csv|ics|pdf|png|zip)(\?|$)|/exports?\b|/download|/files/|/attachments?/|/licence\b|format="
)
DEAD = (403, 404, 405)


class Links(HTMLParser):
    """Every <a href> and <form action> (with its method) on a page."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, bool]] = []  # (A | FORM-GET | POST…, url, in the navigation bar)
        self.nav = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self.nav += 1
        elif tag == "a" and attrs.get("href"):
            self.found.append(("A", attrs["href"], self.nav > 0))
        elif tag == "form":
            method = (attrs.get("method") or "GET").upper()
            self.found.append(("FORM-GET" if method == "GET" else method, attrs.get("action") or "", self.nav > 0))

    def handle_endtag(self, tag):
        if tag == "nav" and self.nav:
            self.nav -= 1


@dataclass
class Crawl:
    role: str
    client: object
    adapter: object
    dead: list[tuple[str, str, str, object]] = field(default_factory=list)
    fetched: int = 0

    def run(self) -> None:
        """Home and the pages its navigation bar offers are the start (depth 0); then breadth-first."""
        seen: set[str] = set()
        shapes: dict[str, int] = {}
        queue = deque([("（首页）", "/", "GET", 0)])
        while queue and self.fetched < MAX_PAGES:
            page, url, method, depth = queue.popleft()
            if method != "GET":
                self._check_route(page, url, method)
                continue
            if url in seen or NEVER.search(url):
                continue
            seen.add(url)
            if DOWNLOAD.search(url):
                self._check_route(page, url, "GET")
                continue
            shape = _shape(url)
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            html, final = self._fetch(page, url)
            if html is None or depth >= MAX_DEPTH:
                continue
            for link_method, link, in_nav in _links(html, final):
                queue.append((url, link, link_method, 0 if url == "/" and in_nav else depth + 1))

    def _fetch(self, page: str, url: str) -> tuple[str | None, str]:
        """The page's HTML (None for anything else or a failure) and the URL it ended on after redirects."""
        self.fetched += 1
        try:
            resp = self.client.get(url, follow_redirects=True)
        except Exception as exc:  # noqa: BLE001 — the Testing config raises what would be a 500
            _db.session.rollback()
            self._report(page, url, f"500 {exc!r:.160}")
            return None, url
        status, kind = resp.status_code, resp.content_type or ""
        final = resp.request.path + (f"?{resp.request.query_string.decode()}" if resp.request.query_string else "")
        resp.close()
        if status in DEAD or status >= 500:
            self._report(page, url, status)
            return None, final
        return (resp.get_data(as_text=True) if kind.startswith("text/html") else None), final

    def _check_route(self, page: str, url: str, method: str) -> None:
        path = urlsplit(url).path
        try:
            self.adapter.match(path, method=method)
        except RequestRedirect:
            return
        except MethodNotAllowed:
            self._report(page, url, f"{method} 不被接受")
        except NotFound:
            self._report(page, url, "无此路由")

    def _report(self, page: str, url: str, status) -> None:
        self.dead.append((self.role, page, url, status))


def _shape(url: str) -> str:
    """/postings/need/57?page=2 → /postings/need/#?page: ids and query values do not make a new kind of page.
    Event ids stay: the six demo events differ in the tools they show (meetings, booths, judging)."""
    parts = urlsplit(url)
    path = re.sub(r"(?<!/events)/\d+(?=/|$|\.)", "/#", parts.path)
    keys = sorted(q.split("=", 1)[0] for q in parts.query.split("&") if q)
    return path + ("?" + "&".join(keys) if keys else "")


def _links(html: str, base: str) -> list[tuple[str, str, bool]]:
    """(method, path?query) of the page's internal links and forms; a GET form is submitted with no
    parameters, and a form without an action submits to its own page."""
    parser = Links()
    parser.feed(html)
    out = []
    for kind, raw, in_nav in parser.found:
        raw = raw.strip()
        if raw.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
            continue
        parts = urlsplit(urljoin("http://localhost" + base, raw))
        if parts.netloc != "localhost" or parts.path.startswith("/static/"):
            continue
        if kind == "A":
            out.append(("GET", parts.path + (f"?{parts.query}" if parts.query else ""), in_nav))
        else:
            out.append(("GET" if kind == "FORM-GET" else kind, parts.path, in_nav))
    return out


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("dead-links")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'demo.db'}", "UPLOAD_DIR": str(root)})
    with time_machine.travel(TEST_CLOCK, tick=True), app.app_context():
        _db.create_all()
        seed_demo()
        _db.session.commit()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_a_demo_user_sees_works_for_them(demo_app, role):
    with demo_app.app_context():
        client = demo_app.test_client()
        email = ROLES[role]
        user = _db.session.scalar(sa.select(User).where(User.email == email)) if email else None
        as_user(client, user)
        crawl = Crawl(role, client, demo_app.url_map.bind("localhost"))
        crawl.run()
        _db.session.remove()
    assert crawl.fetched > 10
    listing = "\n".join(f"{r} | {page} | {link} | {status}" for r, page, link, status in crawl.dead)
    assert not crawl.dead, f"{len(crawl.dead)} 个失效链接（角色 | 所在页面 | 链接 | 状态）：\n{listing}"


def test_the_crawler_reports_a_dead_page_and_a_form_posting_nowhere(demo_app):
    """The crawl above can fail: a page that is not there and a form action no route takes are both listed."""
    with demo_app.app_context():
        crawl = Crawl("visitor", demo_app.test_client(), demo_app.url_map.bind("localhost"))
        crawl._fetch("/a-page", "/postings/need/999999")
        crawl._check_route("/a-page", "/postings/need/999999/nowhere", "POST")
        crawl._check_route("/a-page", "/search", "POST")
        _db.session.remove()
    assert [(link, status) for _, _, link, status in crawl.dead] == [
        ("/postings/need/999999", 404),
        ("/postings/need/999999/nowhere", "无此路由"),
        ("/search", "POST 不被接受"),
    ]
