"""Roadshow and competition judging: rubric, judges, line-up, scores and results."""
