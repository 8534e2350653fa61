"""The yardstick of the page section (pages_bench.py): a bare Flask + Flask-SQLAlchemy app over the SAME
database file and search index as the platform, each page one query (home: two) and a tiny Jinja template.
Whatever the platform's page costs beyond this is the platform's own work (sessions, CSRF, headers, nav,
templates, permission checks, extra queries).

Served by gunicorn: `gunicorn 'tests.benchmarks.bare_app:create_app()'` with BARE_DATABASE_URL (the app's
database) and BARE_SEARCH_PATH (the embedded search index file) in the environment.
"""

from __future__ import annotations

import os
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, abort, render_template, request
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from search.analysis import cjk_bigrams


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1>{% for n, c in counts %}<span>{{ n }} {{ c }}</span>{% endfor %}
<ul>{% for row in rows %}<li><a href="/p/{{ row.id }}">{{ row.title }}</a> · {{ row.org }}</li>{% endfor %}</ul>
{% if body %}<p>{{ body }}</p>{% endif %}</body></html>"""


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Posting(db.Model):
    __tablename__ = "postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str]
    status: Mapped[str]
    title: Mapped[str]
    body: Mapped[str]
    published_at: Mapped[datetime | None]
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    org = relationship(Organization, lazy="joined", innerjoin=True)


class Event(db.Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    status: Mapped[str]
    venue: Mapped[str | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


def _page(title: str, rows, counts=(), body: str = ""):
    return render_template("page.html", title=title, rows=rows, counts=counts, body=body)


def _listed(postings) -> list[dict]:
    return [{"id": p.id, "title": p.title, "org": p.org.name} for p in postings]


def _published():
    return sa.select(Posting).where(Posting.status == "published")


def home():
    """Counts per kind, and the latest five of each kind in one windowed query."""
    counts = db.session.execute(
        sa.select(Posting.kind, sa.func.count()).where(Posting.status == "published").group_by(Posting.kind)
    ).all()
    ranked = (
        sa.select(
            Posting.id,
            sa.func.row_number().over(partition_by=Posting.kind, order_by=Posting.published_at.desc()).label("n"),
        )
        .where(Posting.status == "published")
        .subquery()
    )
    latest = db.session.scalars(sa.select(Posting).join(ranked, ranked.c.id == Posting.id).where(ranked.c.n <= 5))
    return _page("首页", _listed(latest), counts)


def postings(kind: str):
    stmt = _published().where(Posting.kind == kind).order_by(Posting.published_at.desc(), Posting.id.desc())
    return _page("列表", _listed(db.session.scalars(stmt.limit(20))))


def detail(kind: str, posting_id: int):
    posting = db.session.scalar(_published().where(Posting.kind == kind, Posting.id == posting_id))
    if posting is None:
        abort(404)
    return _page(posting.title, _listed([posting]), body=posting.body)


def events():
    stmt = (
        sa.select(Event)
        .where(Event.status.in_(("published", "closed", "finished")), Event.ends_at >= datetime.now())
        .order_by(Event.starts_at, Event.id)
        .limit(20)
    )
    rows = [{"id": e.id, "title": e.title, "org": e.venue or ""} for e in db.session.scalars(stmt)]
    return _page("活动", rows)


def search():
    """One FTS5 query over every kind's live table: the typed text's CJK bigrams, any of them, bm25 order."""
    terms = [f'"{b}"' for b in dict.fromkeys(cjk_bigrams(request.args.get("q", ""))) if '"' not in b]
    if not terms:
        return _page("搜索", [])
    with db.engines["search"].connect() as conn:
        stems = conn.execute(sa.text("SELECT kind, live FROM lianqiao_indices WHERE live IS NOT NULL")).all()
        match = "{title_bi body_bi} : (" + " OR ".join(terms) + ")"
        selects = [
            f"SELECT d.id, json_extract(d.source, '$.title') AS title, bm25({t}_fts) AS score FROM {t}_fts "
            f"CROSS JOIN {t}_docs d ON d.id = {t}_fts.rowid WHERE {t}_fts MATCH :m AND d.status = 'published'"
            for t in (f"lianqiao_{kind}_{int(gen)}" for kind, gen in stems)
        ]
        sql = f"SELECT id, title FROM ({' UNION ALL '.join(selects)}) ORDER BY score LIMIT 20"
        rows = conn.execute(sa.text(sql), {"m": match}).all()
    return _page("搜索", [{"id": r.id, "title": r.title, "org": ""} for r in rows])


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once per worker, as a file template is
    app.config.update(
        SQLALCHEMY_DATABASE_URI=os.environ["BARE_DATABASE_URL"],
        SQLALCHEMY_BINDS={"search": f"sqlite:///{os.environ['BARE_SEARCH_PATH']}"},
    )
    db.init_app(app)
    app.add_url_rule("/", view_func=home)
    app.add_url_rule("/postings/<kind>", view_func=postings)
    app.add_url_rule("/postings/<kind>/<int:posting_id>", view_func=detail)
    app.add_url_rule("/events/", view_func=events)
    app.add_url_rule("/search", view_func=search)
    return app
