"""Blind review leaks nothing: on every page, form error and download an expert can reach, the applicant's,
the partners' and the team members' names, linked posting titles and file names never appear."""

from __future__ import annotations

import io
from urllib.parse import unquote

from openpyxl import load_workbook

from app.challenges.applications.models import ApplicationAttachment
from app.challenges.applications.services import attachment_path
from app.challenges.review.assignment import assign_experts
from app.challenges.review.services import criteria
from app.core.challenge_enums import ReviewStage
from app.core.enums import PostingKind
from tests.challenges.review.helpers import LEAD_NAME, PARTNER_NAME, TEAM, screened, world
from tests.conftest import as_user
from tests.factories import PostingFactory

REVIEW = ReviewStage.REVIEW
FILE_NAME = "包头稀土永磁_技术方案书.pdf"
POSTING_TITLE = "晶界扩散高矫顽力磁体专利技术"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _blind_world(db, blind=True):
    w = world(db, blind=blind, experts=2)
    posting = PostingFactory(org=w.lead, kind=PostingKind.ACHIEVEMENT, title=POSTING_TITLE)
    w.application.linked_posting_ids = [posting.id]
    # the applicant names itself and its team in its own words
    w.application.summary = f"由{LEAD_NAME}牵头、{PARTNER_NAME}参与，{TEAM[0]['name']}教授团队负责。"
    attachment = ApplicationAttachment(
        application_id=w.application.id,
        original_name=FILE_NAME,
        stored_name="blind-test-file.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
    )
    db.session.add(attachment)
    screened(db, w.application, w.other_application)
    path = attachment_path(attachment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user, n=1)
    db.session.commit()
    return w, report.made[0]


def _secrets(w):
    names = [LEAD_NAME, PARTNER_NAME, w.group.name, POSTING_TITLE, FILE_NAME, "包头稀土永磁"]
    return names + [m["name"] for m in TEAM]


def _expert_reach(client, w, row):
    """Every response an expert can get about this application, in the order they meet them."""
    base = f"/challenges/reviews/{row.id}"
    rubric = criteria(w.item, REVIEW)
    bad = {f"c{rubric[0].id}": "99", f"c{rubric[1].id}": "5", "comment": "好"}
    good = {f"c{rubric[0].id}": "20", f"c{rubric[1].id}": "15", "comment": "方案扎实"}
    yield "通知", client.get("/notifications/")
    yield "任务列表", client.get("/challenges/reviews")
    yield "声明页", client.get(base)
    yield "声明后", client.post(f"{base}/declare", data={"confirm": "y"}, follow_redirects=True)
    yield "评分出错", client.post(f"{base}/scores", data=bad)
    yield "评分后", client.post(f"{base}/scores", data=good, follow_redirects=True)
    yield "任务列表（已评分）", client.get("/challenges/reviews")
    yield "附件下载", client.get(f"{base}/files/1")


def test_nothing_an_expert_can_reach_names_the_applicant_in_a_blind_review(db, client):
    w, row = _blind_world(db)
    as_user(client, row.expert.user)
    seen = []
    for what, response in _expert_reach(client, w, row):
        assert response.status_code in (200, 422), what
        text = response.get_data(as_text=not response.mimetype.startswith("application/pdf"))
        text = text if isinstance(text, str) else ""
        headers = unquote(str(response.headers))
        for secret in _secrets(w):
            assert secret not in text, f"{what}: {secret}"
            assert secret not in headers, f"{what}: {secret}"
        seen.append(what)
    download = client.get(f"/challenges/reviews/{row.id}/files/1")
    assert "附件1.pdf" in unquote(download.headers["Content-Disposition"]) and download.data == PDF
    page = client.get(f"/challenges/reviews/{row.id}").text
    assert "申报单位A" in page and "<title>评审 · 申报单位A" in page
    assert "方案扎实" in page  # the page still works: the expert's own words are there


def test_without_blind_review_the_expert_sees_who_applied(db, client):
    w, row = _blind_world(db, blind=False)
    as_user(client, row.expert.user)
    client.post(f"/challenges/reviews/{row.id}/declare", data={"confirm": "y"})
    page = client.get(f"/challenges/reviews/{row.id}").text
    assert LEAD_NAME in page and FILE_NAME in page and TEAM[0]["name"] in page
    download = client.get(f"/challenges/reviews/{row.id}/files/1")
    assert FILE_NAME in unquote(download.headers["Content-Disposition"])


def test_the_issuer_still_sees_names_on_its_desk_and_the_blind_score_sheet_has_codes_only(db, client):
    w, row = _blind_world(db)
    as_user(client, w.issuer_user)
    results = client.get(f"/challenges/manage/items/{w.item.id}/results").text
    assert LEAD_NAME in results
    sheet = client.get(f"/challenges/manage/items/{w.item.id}/export/scores")
    cells = [str(c.value) for ws in load_workbook(io.BytesIO(sheet.data)) for r in ws.iter_rows() for c in r]
    assert "申报单位A" in cells
    assert not any(LEAD_NAME in c or PARTNER_NAME in c for c in cells)
