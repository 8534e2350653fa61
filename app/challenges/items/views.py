"""榜单、挑战项目与问答的公开页面."""

from flask import Blueprint

bp = Blueprint("challenges", __name__)
