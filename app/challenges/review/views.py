"""形式审查、专家库、评审分配与打分."""

from flask import Blueprint

bp = Blueprint("challenge_review", __name__)
