"""Tickets (signed QR payloads, short codes) and the check-in desk."""
