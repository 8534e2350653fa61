"""Application factory: extensions, search, signal receivers, blueprints, error handlers, CLI groups.

The factory imports the packages it wires inside its functions: importing any `app.*` module runs this
file first, and a model or a service imported on its own (by Alembic, a benchmark, a test) should not
load every view of the platform.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask.logging import default_handler

from config import config_for

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app. `config` may be a config class, an APP_ENV name, or a dict of overrides."""
    overrides: dict = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    cfg = config_for(config) if config is None or isinstance(config, str) else config
    if hasattr(cfg, "validate"):
        cfg.validate()

    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "app" / "static"),
        instance_path=os.environ.get("INSTANCE_PATH", str(BASE_DIR / "instance")),
    )
    app.config.from_object(cfg)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config.get("APP_ENV") != "testing":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        # The root handler above already prints the app's records; Flask's own handler would print them twice.
        app.logger.removeHandler(default_handler)

    if app.config.get("PROXY_HOPS"):
        # Behind nginx: trust X-Forwarded-For/Proto from that many proxies, so rate limits see real clients.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    from app.core.pagecache import init_page_cache

    init_page_cache(app)
    from app.search.setup import init_search

    init_search(app)
    from app.policies.related import init_policy_search

    init_policy_search(app)  # policy items in search (outbox hook, drain source) and the 相关政策 template global
    _connect_receivers()
    from app.core.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before the blueprints add their rules
    _register_blueprints(app)
    _register_cli(app)

    from app.core.web import init_web

    init_web(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from app.core.models import render_migration_item

    migrate.init_app(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    from app.core.headers import init_headers

    init_headers(app)  # first: its https redirect comes before any other check
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"

    from app import models  # noqa: F401  (register every model with SQLAlchemy)
    from app.auth.sessions import load_user

    login_manager.user_loader(load_user)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from app.core.sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)


def _connect_receivers() -> None:
    """Answers that travel upward through signals (see the README's 代码结构): connected once per process."""
    from app.docking.services import answer_contact_shared
    from app.organizations.contact import contact_shared
    from app.organizations.profile import profile_changed
    from app.organizations.profile_gaps import profile_blocks
    from app.policies.push import on_profile_changed
    from app.policies.views import answer_profile_blocks

    contact_shared.connect(answer_contact_shared)
    profile_blocks.connect(answer_profile_blocks)
    profile_changed.connect(on_profile_changed)


def _register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.challenges.applications.views import bp as challenge_applications_bp
    from app.challenges.delivery.views import bp as challenge_delivery_bp
    from app.challenges.items.manage import bp as challenge_manage_bp
    from app.challenges.items.views import bp as challenges_bp
    from app.challenges.notice.views import bp as challenge_notice_bp
    from app.challenges.review.views import bp as challenge_review_bp
    from app.docking.views import bp as docking_bp
    from app.events.booths.views import bp as booths_bp
    from app.events.checkin.views import bp as checkin_bp
    from app.events.judging.views import bp as judging_bp
    from app.events.meetings.views import bp as meetings_bp
    from app.events.registration.views import bp as registration_bp
    from app.events.statistics import bp as event_statistics_bp
    from app.events.views import bp as events_bp
    from app.home.views import bp as home_bp
    from app.lists.views import bp as lists_bp
    from app.matching.views import bp as matches_bp
    from app.notifications.views import bp as notifications_bp
    from app.organizations.profile_views import bp as org_profile_bp
    from app.organizations.views import bp as orgs_bp
    from app.policies.figures import bp as policy_figures_bp
    from app.policies.staff import bp as policy_staff_bp
    from app.policies.views import bp as policies_bp
    from app.postings.views import bp as postings_bp
    from app.search.views import bp as search_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(orgs_bp, url_prefix="/orgs")
    app.register_blueprint(postings_bp, url_prefix="/postings")
    app.register_blueprint(lists_bp, url_prefix="/lists")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(search_bp)  # /search and /admin/search/…
    app.register_blueprint(matches_bp, url_prefix="/matches")
    app.register_blueprint(events_bp, url_prefix="/events")
    app.register_blueprint(registration_bp, url_prefix="/events")  # register, 我的报名, approvals
    app.register_blueprint(checkin_bp, url_prefix="/events")  # tickets, check-in desk
    app.register_blueprint(booths_bp, url_prefix="/events")  # expo booths
    app.register_blueprint(meetings_bp, url_prefix="/events")  # 1:1 meetings (对接洽谈)
    app.register_blueprint(judging_bp, url_prefix="/events")  # roadshow and competition scoring
    app.register_blueprint(event_statistics_bp, url_prefix="/events")  # 活动统计 for organisers
    app.register_blueprint(docking_bp, url_prefix="/docking")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(policies_bp, url_prefix="/policies")  # library, 可申报政策, 政策计算器
    app.register_blueprint(policy_staff_bp, url_prefix="/policies/manage")  # staff: policies, rules, preview
    app.register_blueprint(policy_figures_bp)  # /policies/figures: 政策兑现统计 for authorities and admins
    app.register_blueprint(org_profile_bp, url_prefix="/orgs")  # 企业画像
    # 揭榜挂帅 / 赛马制: public pages, the issuer's desk, 揭榜, review, 公示, delivery
    for challenge_bp in (
        challenges_bp,
        challenge_manage_bp,
        challenge_applications_bp,
        challenge_review_bp,
        challenge_notice_bp,
        challenge_delivery_bp,
    ):
        app.register_blueprint(challenge_bp, url_prefix="/challenges")


def _register_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
