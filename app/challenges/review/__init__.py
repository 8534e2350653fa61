"""形式审查 and expert review of challenge applications (see app/challenges/__init__.py):
models (pool, assignments, rubric, scores, closed rounds), conflicts (conflict-of-interest rule), services
(stages, rubric, closing, access and blind review), screening, experts (pool), assignment (automatic and manual,
declarations), scoring (score sheets, ranked results by app/core/rubric.py), exports, defence (答辩 link),
forms, and the `challenge_review` blueprint (blueprint, views, desk_views, expert_views)."""
