"""任务书、里程碑、拨付、赛马阶段评估与验收."""

from flask import Blueprint

bp = Blueprint("challenge_delivery", __name__)
