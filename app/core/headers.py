"""Security headers on every response, through Flask-Talisman: a Content-Security-Policy under which no inline
script or style runs (pages load app/static/*.js and *.css only; behaviour is wired by data-attributes), no
framing, no MIME sniffing, a same-origin referrer, the camera for this site only (the check-in desk's QR
scanner) and nothing else the browser could hand out; in production the HTTPS redirect and HSTS (README 配置:
FORCE_HTTPS, HSTS_SECONDS)."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # Bootstrap's icons (navbar toggler, selects, checkboxes) are data: SVGs
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PERMISSIONS_POLICY = {
    "camera": "(self)",  # the check-in desk scans tickets' QR codes
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "browsing-topics": "()",
}

# A view marked with this answers plain http even when FORCE_HTTPS redirects the rest: the health probe,
# which the load balancer sends to gunicorn directly.
http_allowed = Talisman()(force_https=False)


def init_headers(app: Flask) -> None:
    """One Talisman per app: it keeps its options on itself, and tests build apps of several configs."""
    force_https = app.config.get("FORCE_HTTPS")
    if force_https is None:
        # TLS ends at the reverse proxy; only when PROXY_HOPS says one is in front does the app know (from its
        # X-Forwarded-Proto) whether the visitor used https, so only then can it redirect without a loop.
        force_https = app.config.get("PROXY_HOPS", 0) > 0
    hsts_seconds = app.config.get("HSTS_SECONDS", 0)
    app.extensions["talisman"] = Talisman(
        app,
        force_https=bool(force_https) and not app.testing,
        strict_transport_security=hsts_seconds > 0,
        strict_transport_security_max_age=hsts_seconds,
        strict_transport_security_include_subdomains=False,  # intranet neighbours may still be plain http
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
