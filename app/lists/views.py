from flask import Blueprint, abort

bp = Blueprint("lists", __name__)


@bp.get("/")
def index():
    abort(501)
