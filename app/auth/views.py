from flask import Blueprint, abort, redirect, url_for
from flask_login import logout_user

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    abort(501)


@bp.route("/register", methods=["GET", "POST"])
def register():
    abort(501)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("home.index"))
