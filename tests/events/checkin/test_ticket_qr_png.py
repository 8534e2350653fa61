"""The ticket's QR code as a PNG download (下载二维码图片): for whoever holds the ticket link, the same signed
payload as the page's QR code, a Chinese file name; no PNG for a ticket that admits nobody or a wrong token."""

from __future__ import annotations

import struct
import zlib
from urllib.parse import unquote

import pytest
import segno

from app.core.enums import EventStatus, RegistrationStatus
from app.events.checkin.tickets import sign_ticket
from tests.factories import RegistrationFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The chunks of a PNG (IDAT joined), each CRC checked: a truncated or corrupted file fails here."""
    assert data[:8] == PNG_SIGNATURE
    chunks, pos = {}, 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    assert b"IEND" in chunks
    return chunks


def unfilter(kind: int, line: bytes, prior: bytes) -> bytes:
    """Undo a PNG row filter (one byte per pixel step, as for any bit depth below 8)."""
    out = bytearray()
    for i, value in enumerate(line):
        left, up, corner = out[i - 1] if i else 0, prior[i], prior[i - 1] if i else 0
        if kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
        else:
            predictor = [0, left, up, (left + up) // 2][kind]
        out.append((value + predictor) & 0xFF)
    return bytes(out)


def dark_pixels(data: bytes) -> list[list[bool]]:
    """The picture as rows of dark (True) / light pixels, for a non-interlaced PNG of 1-bit grey or
    palette pixels (what segno writes)."""
    chunks = png_chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 1 and colour in (0, 3) and interlace == 0
    palette = chunks.get(b"PLTE")
    raw, stride, rows = zlib.decompress(chunks[b"IDAT"]), (width + 7) // 8, []
    previous = bytes(stride)
    for y in range(height):
        line = unfilter(raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)], previous)
        previous = line
        bits = [(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
        if palette:  # index → the red channel of that palette entry
            bits = [palette[3 * b] for b in bits]
            rows.append([v < 128 for v in bits])
        else:
            rows.append([v == 0 for v in bits])
    return rows


def qr_modules(pixels: list[list[bool]], scale: int, border: int) -> list[list[bool]]:
    size = len(pixels) // scale - 2 * border
    return [[pixels[(border + r) * scale][(border + c) * scale] for c in range(size)] for r in range(size)]


def test_the_holder_downloads_the_tickets_qr_code_as_a_png(client, attendee):
    resp = client.get(f"/events/tickets/{attendee.ticket_token}/qr.png")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "image/png"
    pixels = dark_pixels(resp.data)
    assert len(pixels) == len(pixels[0]) >= 300  # big enough to print and to scan from another screen
    expected = segno.make(sign_ticket(attendee.ticket_token), error="m")
    assert qr_modules(pixels, scale=10, border=4) == [[bool(m) for m in row] for row in expected.matrix]
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_the_png_has_a_chinese_file_name_with_an_ascii_fallback(client, attendee):
    disposition = client.get(f"/events/tickets/{attendee.ticket_token}/qr.png").headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    utf8_name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert utf8_name == f"入场二维码-{attendee.event.title}-{attendee.name}.png"
    fallback = disposition.split("filename=", 1)[1].split(";")[0]
    assert fallback.isascii() and fallback.strip('"').endswith(".png")


def test_the_ticket_page_links_to_the_png(client, attendee):
    html = client.get(f"/events/tickets/{attendee.ticket_token}").get_data(as_text=True)
    assert f'href="/events/tickets/{attendee.ticket_token}/qr.png"' in html and "下载二维码图片" in html


@pytest.mark.parametrize("token", ["nope", "x" * 65])
def test_a_wrong_ticket_link_gets_no_png(client, attendee, token):
    assert client.get(f"/events/tickets/{token}/qr.png").status_code == 404


def test_anothers_ticket_cannot_be_guessed_from_ones_own(client, attendee, event, db):
    other = RegistrationFactory(event=event).attendees[0]
    db.session.commit()
    own = client.get(f"/events/tickets/{attendee.ticket_token}/qr.png").data
    assert client.get(f"/events/tickets/{attendee.ticket_token[:-1]}/qr.png").status_code == 404
    assert client.get(f"/events/tickets/{other.ticket_token}/qr.png").data != own


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_a_ticket_that_admits_nobody_has_no_png_and_no_link(client, db, event, status):
    held = RegistrationFactory(event=event, status=status).attendees[0]
    db.session.commit()
    assert client.get(f"/events/tickets/{held.ticket_token}/qr.png").status_code == 404
    assert "下载二维码图片" not in client.get(f"/events/tickets/{held.ticket_token}").get_data(as_text=True)


def test_a_cancelled_events_ticket_has_no_png(client, db, event, attendee):
    event.status = EventStatus.CANCELLED
    db.session.commit()
    assert client.get(f"/events/tickets/{attendee.ticket_token}/qr.png").status_code == 404
