from flask import Blueprint, abort

bp = Blueprint("organizations", __name__)


@bp.get("/mine")
def dashboard():
    abort(501)
