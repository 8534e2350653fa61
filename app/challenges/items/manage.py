"""发榜方：榜单与挑战项目的编辑、发布与撤回."""

from flask import Blueprint

bp = Blueprint("challenge_manage", __name__)
