"""Who may edit which policy: the issuing authority's staff within their own places, admins everything, anybody
else finds no page at all (404)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.policy_enums import PolicyScope, PolicyStatus
from app.extensions import db as db_ext
from app.policies.models import Policy
from tests.conftest import login_as
from tests.policies.staff.conftest import make_policy

NEW_POLICY = {
    "title": "包头市数字化转型补助办法",
    "issuer": "包头市工业和信息化局",
    "scope": PolicyScope.LEAGUE_CITY.value,
    "region": "150200",
}


def policy_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Policy))


def test_another_authoritys_policy_is_a_404_on_every_page(db, login, baotou_staff, hohhot_staff):
    policy = make_policy(db, hohhot_staff, region="150100", issuer="呼和浩特市工业和信息化局")
    item = policy.items[0]
    client = login(baotou_staff)
    base = f"/policies/manage/{policy.id}"
    for url in (base, f"{base}/edit", f"{base}/items/new", f"{base}/items/{item.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/publish").status_code == 404
    assert client.post(f"{base}/withdraw", data={"reason": "误发"}).status_code == 404
    assert client.post(f"{base}/items/{item.id}/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == PolicyStatus.DRAFT
    assert len(db.session.get(Policy, policy.id).items) == 1


def test_an_sme_finds_no_staff_pages(db, login, sme_user, baotou_staff):
    policy = make_policy(db, baotou_staff)
    client = login(sme_user)
    for url in (
        "/policies/manage/",
        "/policies/manage/new",
        f"/policies/manage/{policy.id}",
        "/policies/manage/import",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/policies/manage/new", data=NEW_POLICY).status_code == 404
    assert policy_count(db) == 1


def test_the_list_shows_only_the_authoritys_own_policies(db, login, baotou_staff, hohhot_staff):
    make_policy(db, baotou_staff, title="包头市自己的政策")
    make_policy(db, hohhot_staff, title="呼和浩特市的政策", region="150100")
    page = login(baotou_staff).get("/policies/manage/").get_data(as_text=True)
    assert "包头市自己的政策" in page
    assert "呼和浩特市的政策" not in page


def test_an_admin_sees_and_opens_every_policy(db, login, admin, baotou_staff, hohhot_staff):
    first = make_policy(db, baotou_staff, title="包头市自己的政策")
    make_policy(db, hohhot_staff, title="呼和浩特市的政策", region="150100")
    client = login(admin)
    page = client.get("/policies/manage/").get_data(as_text=True)
    assert "包头市自己的政策" in page and "呼和浩特市的政策" in page
    assert client.get(f"/policies/manage/{first.id}").status_code == 200


def test_an_authority_creates_policies_as_itself_for_its_own_place(db, login, baotou_staff):
    response = login(baotou_staff).post("/policies/manage/new", data=NEW_POLICY)
    assert response.status_code == 302
    policy = db.session.scalar(sa.select(Policy))
    assert policy.issuing_org_id == baotou_staff.org_id
    assert policy.status == PolicyStatus.DRAFT


def test_a_league_authority_cannot_publish_for_another_league(db, login, baotou_staff):
    response = login(baotou_staff).post("/policies/manage/new", data={**NEW_POLICY, "region": "150100"})
    assert response.status_code == 200
    assert policy_count(db) == 0


def test_a_league_authority_cannot_publish_for_the_whole_region(db, login, baotou_staff):
    data = {**NEW_POLICY, "scope": PolicyScope.AUTONOMOUS_REGION.value, "region": "150000"}
    assert login(baotou_staff).post("/policies/manage/new", data=data).status_code == 200
    assert policy_count(db) == 0


def test_a_league_authority_may_scope_to_one_of_its_counties(db, login, baotou_staff):
    data = {**NEW_POLICY, "scope": PolicyScope.COUNTY.value, "region": "150203"}  # 昆都仑区
    assert login(baotou_staff).post("/policies/manage/new", data=data).status_code == 302
    assert db.session.scalar(sa.select(Policy.region)) == "150203"


def test_a_regional_authority_may_choose_any_place(db, login, regional_staff):
    data = {**NEW_POLICY, "scope": PolicyScope.AUTONOMOUS_REGION.value, "region": "150000"}
    client = login(regional_staff)
    assert client.post("/policies/manage/new", data=data).status_code == 302
    assert client.post("/policies/manage/new", data={**NEW_POLICY, "region": "152900"}).status_code == 302
    assert sorted(db.session.scalars(sa.select(Policy.region))) == ["150000", "152900"]


def test_a_double_submit_of_new_policy_creates_one(db, login, baotou_staff):
    client = login(baotou_staff)
    data = {**NEW_POLICY, "form_token": "same-form-token-123"}
    first = client.post("/policies/manage/new", data=data)
    second = client.post("/policies/manage/new", data=data)
    assert policy_count(db) == 1
    assert first.headers["Location"] == second.headers["Location"]


def test_the_header_links_staff_pages_only_for_staff(db, login, baotou_staff, sme_user, admin, client):
    assert "/policies/manage/" in login(baotou_staff).get("/").get_data(as_text=True)
    assert "/policies/manage/" in login(admin).get("/").get_data(as_text=True)
    assert "/policies/manage/" not in login(sme_user).get("/").get_data(as_text=True)


def test_forms_need_their_csrf_token(make_app, baotou_staff):
    _db = db_ext
    _db.session.commit()  # the second app reads the user from the same database
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_as(client, baotou_staff)
    assert client.post("/policies/manage/new", data=NEW_POLICY).status_code == 400
    assert policy_count(_db) == 0
