"""Whatever a user can type or send, every page answers with a message, never a server error, and nothing
changes on a refusal."""

from __future__ import annotations

import pytest

from app.core.challenge_enums import PartnerStatus
from tests.challenges.applications.helpers import application_of, complete_form, post_apply
from tests.conftest import as_user

ODD_FORMS = [
    {"budget-0-amount_wan": "NaN"},
    {"budget-0-amount_wan": "Infinity"},
    {"budget-0-amount_wan": "1e9"},
    {"milestones-0-months": "9" * 30},
    {"partners-0-org_name": "包头稀土研究院", "partners-0-part": "检测", "partners-0-budget_share": "-1"},
    {"partners-0-org_name": "包头稀土研究院", "partners-0-part": "长" * 301},
    {"partners-0-org_name": "包头稀土研究院"},
    {"technical_plan": "长" * 20001},
    {"indicator_plans-0-plan": "长" * 20001},
    {"team-0-role": "长" * 101},
    {"team-29999-name": "远处的一行"},
]


@pytest.mark.parametrize("overrides", ODD_FORMS)
def test_odd_apply_input_is_refused_with_a_message_and_saves_nothing(client, world, overrides):
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item, **overrides))
    if resp.status_code == 302:  # accepted as typed (a far-away row index is just a row)
        assert application_of(world.item, world.sme) is not None
        return
    assert resp.status_code == 422 and "请按红色提示修改" in resp.text
    assert application_of(world.item, world.sme) is None


def test_an_unknown_action_only_saves_a_draft(client, world):
    post_apply(client, world.sme_user, world.item, complete_form(world.item, action="hack"))
    assert application_of(world.item, world.sme).status.value == "draft"


def test_odd_partner_answers_and_invites_never_fail(client, world):
    data = complete_form(world.item, **{"partners-0-org_name": world.institute.name, "partners-0-part": "检测"})
    post_apply(client, world.sme_user, world.item, dict(data, action="save"))
    application = application_of(world.item, world.sme)
    as_user(client, world.institute_user)
    for payload in ({}, {"answer": ""}, {"answer": "确认"}, {"answer": ["confirm", "decline"]}):
        assert client.post(f"/challenges/applications/{application.id}/partner", data=payload).status_code < 500
    url = f"/challenges/manage/items/{world.item.id}/invites"
    as_user(client, world.issuer_user)
    for payload in (
        {},
        {"org_id": "abc"},
        {"org_id": "99999999999"},
        {"org_id": "999999"},
        {"org_name": "x" * 300},
        {"org_id": str(world.sme.id), "message": "长" * 501},
    ):
        resp = client.post(url, data=payload)
        assert resp.status_code == 422, payload
    assert application_of(world.item, world.sme).partners[0].status in (PartnerStatus.INVITED, PartnerStatus.CONFIRMED)
