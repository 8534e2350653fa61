from datetime import datetime

from flask import Blueprint, current_app, render_template, send_from_directory, session
from flask_login import current_user

from app.core.enums import PostingKind
from app.core.headers import http_allowed
from app.core.models import utcnow
from app.core.pagecache import public_page
from app.extensions import db
from app.home.start import home_context, is_today

bp = Blueprint("home", __name__)
# When this member last opened the home page on this device: matches first suggested after it are "new".
SEEN_KEY = "home_seen_at"


@bp.app_template_global()
def publish_kinds() -> list[PostingKind]:
    """The kinds the signed-in user may publish for their organisation (the 发布 menu); none without one.
    Every organisation may publish every kind (a university buys, an SME offers its capabilities)."""
    if not current_user.is_authenticated or current_user.org_id is None:
        return []
    return list(PostingKind)


def _previous_visit() -> datetime | None:
    try:
        return datetime.fromisoformat(session.get(SEEN_KEY, ""))
    except (TypeError, ValueError):
        return None


@bp.get("/")
@public_page()
def index():
    since = None
    if current_user.is_authenticated and current_user.org_id is not None:
        since = _previous_visit()
        session[SEEN_KEY] = utcnow().isoformat()
    return render_template("home/index.html", is_today=is_today, **home_context(current_user, since))


@bp.get("/favicon.ico")
@http_allowed
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; answer with the site's SVG icon, not a 404."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.get("/healthz")
@http_allowed
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
