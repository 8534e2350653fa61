"""Matches: which counterparts each published posting is shown, why, and what owners said about them.

- scoring.py: one source against its candidates (lexical + dense from the search layer, fused), with
  context.py (what a run shares), targets.py, signals.py (field signals), feedback.py (不相关 steering)
- reasons.py: "为什么推荐", stored on each match and rendered for people
- computing.py, parallel.py, services.py: storing a batch, full runs on several processes, the
  recompute after a drain, feedback, and the reads of pages, exports and evaluation
- jobs.py: the drain → recompute chain and the notices of strong new matches; cli.py, views.py

It reads the index through app.search (one layer down) and never the other way round.
"""
