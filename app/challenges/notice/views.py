"""立项决定、公示与异议、工作日表."""

from flask import Blueprint

bp = Blueprint("challenge_notice", __name__)
