"""Tickets: the QR code, the short code people can type at the desk, and what a ticket shows.

The codes themselves are made with the attendee (app.events.models.new_ticket_codes).

The QR code carries the token *signed* with the app's SECRET_KEY (salt "ticket"), so the desk refuses a
forged or altered code by its signature alone, before it asks the database anything.
"""

from __future__ import annotations

import io
import re

import segno
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, Signer
from markupsafe import Markup

from app.core.enums import EventStatus, RegistrationStatus
from app.core.errors import NotFound
from app.events.models import SHORT_CODE_LENGTH, Attendee, Registration
from app.extensions import db

# What a typed short code looks like: 8 letters and digits. Codes are made from SHORT_CODE_ALPHABET only
# (no 0/O, 1/I/L), but ABCD1234 is still a code in form: one that does not exist, not a malformed one.
_SHORT_CODE = re.compile(f"[A-Z0-9]{{{SHORT_CODE_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-_—–]+")
TOKEN_SALT = "ticket"
# What a ticket of a registration that is not (yet, or any more) confirmed says instead of showing a QR code.
UNCONFIRMED_TEXT = {
    RegistrationStatus.WAITLISTED: "候补中：有空位时将自动转正，届时此处显示入场二维码。",
    RegistrationStatus.PENDING: "待审核：主办方审核通过后，此处显示入场二维码。",
    RegistrationStatus.REJECTED: "报名未通过，此票无效。",
    RegistrationStatus.CANCELLED: "报名已取消，此票无效。",
}
DEFAULT_TICKET_LABEL = "普通票"


def normalise_short_code(text: str) -> str | None:
    """The short code as typed at the desk, case and spaces/dashes ignored; None when it is not 8 letters
    and digits."""
    code = _SEPARATORS.sub("", text or "").upper()
    return code if _SHORT_CODE.fullmatch(code) else None


def format_short_code(code: str) -> str:
    """ABCD-EFGH: easier to read aloud (the desk ignores the dash)."""
    return f"{code[:4]}-{code[4:]}"


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def sign_ticket(token: str) -> str:
    """The QR payload for a ticket token."""
    return _signer().sign(token).decode()


def unsign_ticket(payload: str) -> str | None:
    """The ticket token inside a scanned payload, or None when the signature does not match."""
    try:
        return _signer().unsign(payload.strip()).decode()
    except (BadSignature, UnicodeError, ValueError):
        return None


def looks_signed(text: str) -> bool:
    """A scanned payload (token + "." + signature), as opposed to a typed short code."""
    return "." in text.strip()


def qr_svg(payload: str) -> Markup:
    """The QR code as inline SVG, drawn on the server (no network, no script)."""
    qr = segno.make(payload, error="m")
    svg = qr.svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True, svgclass="ticket-qr")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="入场二维码" ', 1))


def qr_png(payload: str) -> bytes:
    """The same QR code as a PNG to save or share (segno writes PNG itself): 10 px modules, a 4-module
    quiet zone as the standard asks, about 450 px wide, sharp when printed."""
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def ticket_label(registration: Registration) -> str:
    category = registration.ticket_category
    return category.label if category is not None else DEFAULT_TICKET_LABEL


def ticket_state(attendee: Attendee) -> str | None:
    """None when the ticket admits its holder; otherwise why it does not (shown instead of the QR code)."""
    if attendee.event.status == EventStatus.CANCELLED:
        return "活动已取消，此票作废。"
    return UNCONFIRMED_TEXT.get(attendee.registration.status)


def get_ticket(token: str) -> Attendee:
    """The attendee holding this ticket token; the token itself is the key (256 random bits)."""
    if not token or len(token) > 64:
        raise NotFound()
    attendee = db.session.scalar(sa.select(Attendee).where(Attendee.ticket_token == token))
    if attendee is None:
        raise NotFound()
    return attendee
