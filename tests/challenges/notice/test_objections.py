"""异议: only signed-in members of an organisation, only during the 公示期, reasons required, evidence files
checked, one objection per form; the objector is known only to the issuer; the issuer answers each one, and an
upheld objection takes its application out of the round (cancelling it when none is left)."""

from __future__ import annotations

from datetime import datetime

import time_machine
from bs4 import BeautifulSoup

from app.core.challenge_enums import ApplicationStatus as A
from app.core.challenge_enums import ItemStatus, NoticeStatus, ObjectionStatus
from app.extensions import db as _db
from tests.challenges.notice.helpers import (
    PDF,
    REASONS,
    answer,
    notices,
    objections,
    post_objection,
    publish,
    score_applications,
    told,
)
from tests.conftest import as_user


def page(client, user, item):
    return as_user(client, user).get(f"/challenges/items/{item.id}/notice")


def test_a_member_of_an_organisation_objects_during_the_period_and_the_issuer_is_told(client, world):
    w = world
    publish(w, [w.apps[0]])

    resp = post_objection(client, w.objector, w.item, application=w.apps[0])

    assert resp.status_code == 302
    (objection,) = objections()
    assert (objection.org_id, objection.lodged_by_id, objection.application_id) == (
        w.objector_org.id,
        w.objector.id,
        w.apps[0].id,
    )
    assert objection.status == ObjectionStatus.LODGED and objection.reasons == REASONS
    assert any("收到一件异议" in n.title for n in told(w.issuer_user))
    assert "待答复" in client.get(resp.headers["Location"]).text  # the objector sees its own objection


def test_the_objector_is_shown_only_to_the_issuer(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item)

    for viewer in (None, w.outsider, w.users[0]):
        text = page(client, viewer, w.item).text
        assert "共收到异议 1 件" in text
        assert w.objector_org.name not in text and w.objector.name not in text and REASONS not in text

    desk = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/decision").text
    assert w.objector_org.name in desk and w.objector.name in desk and REASONS in desk


def test_the_public_page_names_the_proposed_winner_with_score_rank_and_period(client, world):
    w = world
    publish(w, [w.apps[0]])
    text = page(client, None, w.item).text
    assert w.orgs[0].name in text and w.apps[0].project_title in text
    assert "公示期：2026年12月4日至2026年12月10日（5个工作日）" in text
    assert w.issuer.contact_phone in text
    assert w.orgs[1].name not in text  # only the proposed are public


def test_objections_are_taken_from_publication_until_the_end_of_the_last_day(client, world):
    w = world
    with time_machine.travel(datetime(2026, 12, 5, 2, 0), tick=False):  # Saturday: the period counts from Monday
        publish(w, [w.apps[0]])
        post_objection(client, w.objector, w.item, token="weekend")
        assert len(objections()) == 1
    (notice,) = notices()
    assert (notice.starts_on.day, notice.ends_on.day) == (7, 11)
    with time_machine.travel(datetime(2026, 12, 11, 15, 30), tick=False):  # 12/11 23:30 Beijing, the last day
        post_objection(client, w.objector, w.item, token="in-time")
        assert len(objections()) == 2
    with time_machine.travel(datetime(2026, 12, 11, 16, 30), tick=False):  # 12/12 00:30 Beijing
        assert post_objection(client, w.objector, w.item, token="late").status_code == 302
        assert len(objections()) == 2
        assert "公示期内方可提出异议" in page(client, w.objector, w.item).text


def test_only_signed_in_members_of_an_organisation_can_object(client, world):
    w = world
    publish(w, [w.apps[0]])
    assert post_objection(client, None, w.item, token="anon").status_code == 302
    post_objection(client, w.loner, w.item, token="loner")
    post_objection(client, w.issuer_user, w.item, token="issuer")
    assert objections() == []
    assert "请登录后提出异议" in page(client, None, w.item).text
    assert "请先加入或注册机构" in page(client, w.loner, w.item).text


def test_reasons_are_required_and_a_bad_file_saves_nothing(client, world):
    w = world
    publish(w, [w.apps[0]])
    resp = post_objection(client, w.objector, w.item, reasons="不服")
    assert resp.status_code == 422 and "至少30个字" in resp.text
    resp = post_objection(client, w.objector, w.item, files=[("证明.pdf", PDF), ("伪装.pdf", b"MZ\x90\x00not a pdf")])
    assert resp.status_code == 422 and "不是有效的 PDF 文件" in resp.text
    assert objections() == []


def test_the_same_objection_form_posted_twice_creates_one_objection(client, world):
    w = world
    publish(w, [w.apps[0]])
    first = post_objection(client, w.objector, w.item, token="same")
    second = post_objection(client, w.objector, w.item, token="same")
    assert first.status_code == second.status_code == 302
    assert len(objections()) == 1
    assert "请勿重复提交" in client.get(second.headers["Location"]).text


def test_evidence_files_are_for_the_issuer_and_the_objector_only(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item, files=[("检测报告.pdf", PDF)])
    (objection,) = objections()
    (evidence,) = objection.files
    url = f"/challenges/objection-files/{evidence.id}"
    assert as_user(client, w.issuer_user).get(url).data == PDF
    assert as_user(client, w.objector).get(url).status_code == 200
    assert as_user(client, w.outsider).get(url).status_code == 404
    assert as_user(client, w.users[0]).get(url).status_code == 404


def test_the_issuer_must_write_an_answer_and_the_objector_is_told(client, world):
    w = world
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item)
    (objection,) = objections()

    answer(client, w.issuer_user, objection, "dismiss", text="")
    assert objections()[0].status == ObjectionStatus.LODGED
    answer(client, w.outsider, objection, "dismiss")
    assert objections()[0].status == ObjectionStatus.LODGED

    answer(client, w.issuer_user, objection, "dismiss")

    (objection,) = objections()
    assert objection.status == ObjectionStatus.DISMISSED and objection.answered_by_id == w.issuer_user.id
    assert any("异议不成立" in n.title for n in told(w.objector))
    assert w.apps[0].status == A.PROPOSED and notices()[0].status == NoticeStatus.OPEN
    assert "发榜方答复" in page(client, w.objector, w.item).text


def test_an_upheld_objection_against_the_only_winner_cancels_the_round_and_the_issuer_decides_again(client, world):
    w = world
    score_applications(w.item, {w.apps[0]: 90, w.apps[1]: 85})
    publish(w, [w.apps[0]])
    post_objection(client, w.objector, w.item, application=w.apps[0])
    (objection,) = objections()

    answer(client, w.issuer_user, objection, "uphold", text="经核查，该单位检测报告确非第三方出具，异议成立。")

    _db.session.expire_all()
    (notice,) = notices()
    assert notice.status == NoticeStatus.CANCELLED
    assert w.apps[0].status == A.SCREENED and w.apps[0].decision_note.startswith("异议成立")
    assert w.item.status == ItemStatus.REVIEWING
    assert "本轮公示已撤销" in page(client, None, w.item).text

    desk = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/decision").text
    checked = BeautifulSoup(desk, "html.parser").select("input[name=application_ids][checked]")
    assert [int(i["value"]) for i in checked] == [w.apps[1].id] and "曾因异议成立移出公示" in desk
    second = publish(w, [w.apps[1]])  # the next in rank: no reason needed
    assert [n.status for n in notices()] == [NoticeStatus.CANCELLED, NoticeStatus.OPEN]
    assert second.application_ids == [w.apps[1].id] and w.item.status == ItemStatus.NOTICE


def test_an_upheld_objection_against_one_of_two_teams_keeps_the_other_in_the_round(client, race_world):
    w = race_world
    publish(w, w.apps[:2])
    post_objection(client, w.objector, w.item, application=w.apps[1])
    (objection,) = objections()
    answer(client, w.issuer_user, objection, "uphold", text="经核查，该团队联合体协议未经全体成员确认，异议成立。")

    _db.session.expire_all()
    assert [a.status for a in w.apps] == [A.PROPOSED, A.SCREENED, A.SCREENED]
    assert notices()[0].status == NoticeStatus.OPEN and w.item.status == ItemStatus.NOTICE
    assert "异议成立，已移出公示" in page(client, None, w.item).text
