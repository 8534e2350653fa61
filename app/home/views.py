from flask import Blueprint, render_template

from app.core.headers import http_allowed
from app.extensions import db
from app.postings.queries import home_summary

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home/index.html", **home_summary())


@bp.get("/healthz")
@http_allowed
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
