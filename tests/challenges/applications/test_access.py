"""Who sees an application: the lead's members, confirmed partners' members and the issuer's desk (once
submitted); everyone else gets a 404, and anonymous visitors are sent to log in."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.challenges.applications.helpers import PDF, application_of, complete_form, post_apply
from tests.conftest import as_user
from tests.factories import AdminFactory


@pytest.fixture
def application(client, world):
    data = complete_form(
        world.item,
        **{"partners-0-org_name": world.institute.name, "partners-0-part": "性能检测与表征"},
    )
    post_apply(client, world.sme_user, world.item, data, files=[("检测报告.pdf", PDF)])
    return application_of(world.item, world.sme)


def status_for(client, user, url):
    return as_user(client, user).get(url).status_code


def test_the_leads_members_see_the_application_and_its_files(client, world, application):
    url = f"/challenges/applications/{application.id}"
    page = as_user(client, world.sme_colleague).get(url).text
    assert "高丰度稀土永磁体晶界扩散制备技术" in page and "王建国" in page and "检测报告.pdf" in page
    file = client.get(f"{url}/attachments/{application.attachments[0].id}")
    assert file.status_code == 200 and file.data == PDF


def test_another_organisation_gets_a_404_for_the_page_and_the_files(client, world, application):
    url = f"/challenges/applications/{application.id}"
    assert status_for(client, world.outsider_user, url) == 404
    assert status_for(client, world.outsider_user, f"{url}/attachments/{application.attachments[0].id}") == 404
    assert as_user(client, world.outsider_user).post(f"{url}/withdraw").status_code == 404


def test_a_partner_sees_the_application_only_once_it_has_confirmed(client, world, application):
    url = f"/challenges/applications/{application.id}"
    assert status_for(client, world.institute_user, url) == 404
    client.post(f"{url}/partner", data={"answer": "confirm"})
    assert status_for(client, world.institute_user, url) == 200
    assert client.post(f"{url}/withdraw").status_code == 404  # only the lead withdraws


def test_the_issuer_and_platform_admins_see_an_application_once_submitted(client, world, application):
    url = f"/challenges/applications/{application.id}"
    assert application.status.value == "draft"  # the partner has not confirmed yet
    assert status_for(client, world.issuer_user, url) == 404
    as_user(client, world.institute_user).post(f"{url}/partner", data={"answer": "confirm"})
    data = complete_form(
        world.item, **{"partners-0-org_name": world.institute.name, "partners-0-part": "性能检测与表征"}
    )
    post_apply(client, world.sme_user, world.item, data)
    assert application_of(world.item, world.sme).status.value == "submitted"
    assert status_for(client, world.issuer_user, url) == 200
    admin = AdminFactory()
    db.session.commit()
    assert as_user(client, admin).get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, world, application):
    as_user(client, None)
    for url in (
        f"/challenges/applications/{application.id}",
        f"/challenges/items/{world.item.id}/apply",
        "/challenges/applications/mine",
        f"/challenges/manage/items/{world.item.id}/invites",
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"], url


def test_an_unknown_application_is_a_404(client, world):
    assert status_for(client, world.sme_user, "/challenges/applications/999999") == 404


def test_the_blind_body_hides_names(app, world, application):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% include "challenges/applications/_body.html" %}', application=application, blind=True
        )
    assert "高丰度稀土永磁体晶界扩散制备技术" in html
    for name in ("包头市稀宝永磁有限公司", "包头稀土研究院", "王建国", "检测报告.pdf"):
        assert name not in html
    assert "成员 1" in html and "合作单位 1" in html and "附件 1（PDF）" in html
