from flask import Blueprint, abort

bp = Blueprint("postings", __name__)


@bp.get("/<kind>")
def index(kind):
    abort(501)


@bp.get("/<kind>/<int:posting_id>")
def detail(kind, posting_id):
    abort(501)
