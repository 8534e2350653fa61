"""形式审查、专家库、评审分配与打分: the `challenge_review` blueprint. Its routes live in desk_views.py (the
issuer's screening, setup, results and exports; the admins' expert pool) and expert_views.py (the experts'
list, declaration, application and score sheet)."""

from app.challenges.review import desk_views, expert_views
from app.challenges.review.blueprint import bp

__all__ = ["bp", "desk_views", "expert_views"]
