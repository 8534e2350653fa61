"""The check-in desk in headless Chromium, on an event day: the organiser types a short code, sees who it is
and the counts move; the same code again says 已于 … 签到. Screenshots of the ticket and the desk at desktop and phone widths."""

from __future__ import annotations

import pytest
import segno

from app.core.enums import TicketType
from app.events.checkin.tickets import sign_ticket
from app.extensions import db
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, screenshot, watch_csp
from tests.e2e.test_journey_foundation import log_in
from tests.events.helpers import event_under_way
from tests.factories import RegistrationFactory, TicketCategoryFactory

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desk_setup(live_server):
    with live_server.app_context():
        event = event_under_way(title="2026 内蒙古稀土新材料博览会", venue="包头市稀土高新区会展中心")
        visitors = TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
        exhibitors = TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR)
        registration = RegistrationFactory(event=event, ticket_category=exhibitors, seats=2)
        RegistrationFactory(event=event, ticket_category=visitors, seats=3)
        registration.attendees[0].name = "乌日娜"
        db.session.commit()
        return {
            "event_id": event.id,
            "organiser": event.organiser.email,
            "code": registration.attendees[0].short_code,
            "token": registration.attendees[0].ticket_token,
            "payload": sign_ticket(registration.attendees[0].ticket_token),
        }


def test_organiser_checks_an_attendee_in_by_short_code(live_server, new_page, desk_setup, csp_violations):
    base = live_server.live_url
    page = new_page(DESKTOP)
    log_in(page, base, desk_setup["organiser"])
    page.goto(f"{base}/events/{desk_setup['event_id']}/checkin")
    counts = page.locator("#desk-counts")
    assert "0 / 5" in counts.inner_text()

    code = desk_setup["code"]
    page.fill("#desk-code", f"{code[:4].lower()}-{code[4:].lower()}")
    page.press("#desk-code", "Enter")
    result = page.locator("#desk-result")
    result.filter(has_text="乌日娜").wait_for()
    assert "签到成功" in result.inner_text() and "参展商" in result.inner_text()
    counts.filter(has_text="1 / 5").wait_for()
    assert "1 / 2" in counts.inner_text()  # the exhibitors' row
    page.locator("#desk-recent").filter(has_text="乌日娜").wait_for()
    screenshot(page, "checkin-desk-desktop")

    page.fill("#desk-code", code)
    page.click("#desk-form button[type=submit]")
    result.filter(has_text="已于").wait_for()
    assert "1 / 5" in counts.inner_text()

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#desk-recent [data-undo]").first.click()
    result.filter(has_text="已撤销 乌日娜 的签到").wait_for()
    counts.filter(has_text="0 / 5").wait_for()

    phone = new_page(PHONE)
    log_in(phone, base, desk_setup["organiser"])
    phone.goto(f"{base}/events/{desk_setup['event_id']}/checkin")
    phone.fill("#desk-code", "ZZZZ-ZZZZ")
    phone.press("#desk-code", "Enter")
    phone.locator("#desk-result").filter(has_text="没有这个签到码").wait_for()
    screenshot(phone, "checkin-desk-phone")
    assert csp_violations == []  # the desk's script, styles and polling all within the policy


def test_ticket_page_at_desktop_and_phone_widths(live_server, new_page, desk_setup):
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport)
        page.goto(f"{live_server.live_url}/events/tickets/{desk_setup['token']}")
        qr = page.locator("svg.ticket-qr")
        assert qr.is_visible()
        assert qr.bounding_box()["width"] <= viewport["width"]
        screenshot(page, f"ticket-{name}")
    assert decode_qr_in_page(page) == desk_setup["payload"]
    page.goto(f"{live_server.live_url}/events/tickets/{desk_setup['token']}/print")
    page.emulate_media(media="print")
    assert not page.locator("button:has-text('打印')").is_visible()
    assert page.locator("svg.ticket-qr").is_visible()
    screenshot(page, "ticket-print")


DECODE_QR = """async (jsqrUrl) => {
  await new Promise((ok, fail) => { const s = document.createElement('script'); s.src = jsqrUrl;
    s.onload = ok; s.onerror = fail; document.head.append(s); });
  const svg = new XMLSerializer().serializeToString(document.querySelector('svg.ticket-qr'));
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 400;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 400, 400); ctx.drawImage(img, 0, 0, 400, 400);
  const code = window.jsQR(ctx.getImageData(0, 0, 400, 400).data, 400, 400);
  return code && code.data;
}"""


def decode_qr_in_page(page) -> str | None:
    """Read the ticket's QR code with the vendored jsQR, as the desk does without BarcodeDetector."""
    return page.evaluate(DECODE_QR, "/static/vendor/jsqr/jsQR.js")


def qr_video(path, payload: str, width: int = 640, height: int = 480) -> None:
    """A one-frame Y4M video of the ticket's QR code, for Chromium's fake camera."""
    matrix = segno.make(payload, error="m").matrix
    scale = min(width, height) // (len(matrix) + 8)
    left, top = (width - len(matrix) * scale) // 2, (height - len(matrix) * scale) // 2
    luma = bytearray(b"\xeb" * width * height)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * width + left + x * scale
                    luma[start : start + scale] = b"\x10" * scale
    chroma = b"\x80" * (width // 2) * (height // 2) * 2
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\nFRAME\n".encode() + luma + chroma)


def test_organiser_checks_in_by_showing_the_qr_to_the_camera(
    live_server, browser, desk_setup, tmp_path, csp_violations
):
    video = tmp_path / "ticket.y4m"
    qr_video(video, desk_setup["payload"])
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        page = camera.new_context(viewport=PHONE, locale="zh-CN").new_page()
        page.set_default_timeout(15_000)
        watch_csp(page, csp_violations)
        log_in(page, live_server.live_url, desk_setup["organiser"])
        page.goto(f"{live_server.live_url}/events/{desk_setup['event_id']}/checkin")
        page.click("#desk-camera")
        page.locator("#desk-result").filter(has_text="乌日娜").wait_for()
        assert "签到成功" in page.inner_text("#desk-result")
        page.wait_for_timeout(3500)  # the camera keeps seeing the code: it is posted once, not again and again
        assert page.locator("#desk-log li").count() == 1
        assert csp_violations == []  # the camera (Permissions-Policy camera=(self)) and jsQR load within the policy
    finally:
        camera.close()
