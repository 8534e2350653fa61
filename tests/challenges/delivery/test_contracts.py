"""任务书: signing, the docking record the funnel counts, amounts within the funding, who sees a contract."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.challenges.delivery.models import ChallengeContract
from app.challenges.delivery.services import default_amount, proposed_milestones
from app.core.challenge_enums import ChallengeMode, TrancheTrigger
from app.core.clock import local_today
from app.core.enums import DockingOrigin, DockingRequestStatus, DockingStage, NotificationKind
from app.core.errors import FieldError, InvalidTransition
from app.docking.funnel import FunnelFilters, compute_funnel
from app.docking.models import DockingRecord
from app.notifications.models import Notification
from tests.challenges.delivery.support import awarded, issuer_user, item_in_delivery, member_of, sign
from tests.conftest import as_user
from tests.factories import DockingRecordFactory, DockingRequestFactory, OrgFactory, UserFactory


def test_signing_creates_a_signed_docking_record_with_the_amount_that_the_funnel_counts(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer, funding_wan=120)
    application = awarded(item)

    contract = sign(item, application, issuer, amount=120)

    record = db.session.get(DockingRecord, contract.docking_record_id)
    assert record.stage == DockingStage.SIGNED and record.amount_wan == Decimal("120.00")
    assert record.signed_on == local_today()
    req = record.request
    assert (req.from_org_id, req.to_org_id, req.target_posting_id) == (
        application.org_id,
        issuer.org_id,
        item.posting_id,
    )
    assert req.origin == DockingOrigin.CHALLENGE
    funnel = compute_funnel(FunnelFilters.from_args({}))
    assert dict(funnel.counts)["已签约"] == 1 and funnel.amount_wan == Decimal("120.00")


def test_signing_tells_both_sides(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    contract = sign(item, application, issuer)
    told = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.kind == NotificationKind.CHALLENGE_DELIVERY,
                Notification.key == f"challenge_contract:{contract.id}:signed",
            )
        )
    )
    assert {issuer.id, member_of(application).id} <= told


def test_milestones_are_prefilled_from_the_application_and_one_per_tranche_after_signing(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    rows = proposed_milestones(item, awarded(item), local_today())
    assert "完成小批量试制" in [r.name for r in rows]
    linked = {r.tranche_id for r in rows if r.tranche_id}
    after_signing = {t.id for t in item.tranches if t.trigger != TrancheTrigger.SIGNING}
    assert linked == after_signing
    assert max(r.due_on for r in rows) == item.complete_by


def test_default_amount_is_the_whole_funding_or_an_equal_share_for_horse_race(app, db):
    issuer = issuer_user()
    single = item_in_delivery(issuer, funding_wan=90)
    race = item_in_delivery(issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=100, teams_stage1=3, teams_kept=1)
    assert default_amount(single) == Decimal("90")
    assert default_amount(race) == Decimal("33.33")


def test_contracts_of_an_item_never_add_up_past_its_funding(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer, mode=ChallengeMode.HORSE_RACE, funding_wan=100, teams_stage1=2, teams_kept=1)
    sign(item, awarded(item), issuer, amount=70)
    with pytest.raises(FieldError) as err:
        sign(item, awarded(item, rank=2), issuer, amount=40)
    assert "还可分配 30 万元" in err.value.message


def test_a_team_is_signed_once(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    sign(item, application, issuer)
    with pytest.raises(InvalidTransition):
        sign(item, application, issuer, amount=1)
    assert db.session.scalar(sa.select(sa.func.count(ChallengeContract.id))) == 1


def test_the_sign_page_with_bad_input_says_what_is_wrong_in_chinese_and_changes_nothing(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    db.session.commit()
    c = as_user(client, issuer)
    url = f"/challenges/manage/items/{item.id}/delivery/sign/{application.id}"
    page = c.get(url)
    assert page.status_code == 200 and "中期检查" in page.text
    response = c.post(url, data={"signed_on": "明天", "amount_wan": "abc", "milestones-0-name": "中期检查"})
    assert response.status_code == 422
    assert "请填写签订日期" in response.text and "请填写数字" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ChallengeContract.id))) == 0


def test_the_sign_page_signs_with_the_prefilled_form(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    db.session.commit()
    c = as_user(client, issuer)
    url = f"/challenges/manage/items/{item.id}/delivery/sign/{application.id}"
    data = {"signed_on": local_today().isoformat(), "amount_wan": "100"}
    for i, row in enumerate(proposed_milestones(item, application, local_today())):
        data |= {f"milestones-{i}-name": row.name, f"milestones-{i}-due_on": row.due_on.isoformat()}
        data[f"milestones-{i}-tranche_id"] = str(row.tranche_id or "")
    response = c.post(url, data=data)
    assert response.status_code == 302
    contract = db.session.scalar(sa.select(ChallengeContract))
    assert contract.amount_wan == Decimal("100.00") and len(contract.milestones) == 3
    assert c.get(response.location).status_code == 200


def test_contract_page_is_for_the_team_and_the_issuer_only(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    partner_org = OrgFactory()
    partner_member = UserFactory(org=partner_org)
    application = awarded(item, partners=[partner_org])
    contract = sign(item, application, issuer)
    stranger = UserFactory()
    db.session.commit()
    url = f"/challenges/contracts/{contract.id}"
    assert as_user(client, member_of(application)).get(url).status_code == 200
    assert as_user(client, partner_member).get(url).status_code == 200
    assert as_user(client, issuer).get(url).status_code == 200
    assert as_user(client, stranger).get(url).status_code == 404
    assert as_user(client, stranger).get(f"/challenges/manage/items/{item.id}/delivery").status_code == 404
    assert as_user(client, None).get(url).status_code == 302  # to the login page


def test_desk_lists_awarded_teams_for_the_issuer(app, db, client):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    db.session.commit()
    page = as_user(client, issuer).get(f"/challenges/manage/items/{item.id}/delivery")
    assert page.status_code == 200
    assert application.org.name in page.text and "签订任务书" in page.text


def test_signing_advances_the_winners_open_docking_record_on_the_need_instead_of_a_second_one(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    existing = DockingRecordFactory(
        request__sender=member_of(application), request__target=item.posting, stage=DockingStage.NEGOTIATING
    )
    contract = sign(item, application, issuer, amount=80)
    assert contract.docking_record_id == existing.id
    assert existing.stage == DockingStage.SIGNED and existing.amount_wan == Decimal("80.00")
    assert db.session.scalar(sa.select(sa.func.count(DockingRecord.id))) == 1


def test_signing_accepts_the_winners_pending_request_on_the_need(app, db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    pending = DockingRequestFactory(sender=member_of(application), target=item.posting)
    contract = sign(item, application, issuer)
    record = db.session.get(DockingRecord, contract.docking_record_id)
    assert record.request_id == pending.id and pending.status == DockingRequestStatus.ACCEPTED
    assert record.stage == DockingStage.SIGNED
