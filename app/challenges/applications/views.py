"""揭榜申报、联合体确认与揭榜邀请."""

from flask import Blueprint

bp = Blueprint("challenge_applications", __name__)
