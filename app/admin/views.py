from flask import Blueprint, abort

bp = Blueprint("admin", __name__)


@bp.get("/")
def index():
    abort(501)
