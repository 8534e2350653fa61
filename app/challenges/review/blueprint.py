"""The `challenge_review` blueprint object, shared by the desk, pool and expert route modules (views.py
gathers them)."""

from flask import Blueprint

bp = Blueprint("challenge_review", __name__)
