"""See app/challenges/__init__.py."""
