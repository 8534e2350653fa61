"""推荐洽谈对象 and the participant search at docking events."""

from __future__ import annotations

from app.core.enums import PostingKind, RegistrationStatus
from app.events.meetings.recommendations import recommend_counterparts
from tests.events.meetings.helpers import docking_event, match, participant
from tests.factories import PostingFactory, RegistrationFactory, UserFactory


def test_recommendations_come_from_match_rows_both_ways_and_exclude_non_participants_and_own_org(db):
    event = docking_event()
    me, achiever, needer, quiet = (participant(event) for _ in range(4))
    outsider_org = UserFactory().org  # not registered
    my_need = PostingFactory(org=me.org, kind=PostingKind.NEED, title="电机用永磁材料攻关")
    my_other = PostingFactory(org=me.org, kind=PostingKind.ACHIEVEMENT, title="稀土分离新工艺")
    their_achievement = PostingFactory(org=achiever.org, kind=PostingKind.ACHIEVEMENT, title="高矫顽力钕铁硼")
    their_need = PostingFactory(org=needer.org, kind=PostingKind.NEED, title="稀土分离提纯需求")
    outsider_posting = PostingFactory(org=outsider_org, kind=PostingKind.ACHIEVEMENT, title="外部成果")
    own_posting = PostingFactory(org=me.org, kind=PostingKind.ACHIEVEMENT, title="自家成果")
    match(my_need, their_achievement, 0.6)
    match(their_need, my_other, 0.9, term="稀土分离")
    match(my_need, outsider_posting, 0.99)
    match(my_need, own_posting, 0.95)

    recs = recommend_counterparts(event.id, me.org_id)

    assert [r.org.id for r in recs] == [needer.org_id, achiever.org_id]
    assert recs[0].best.mine.id == my_other.id and recs[0].best.theirs.id == their_need.id
    assert any("稀土分离" in line for line in recs[0].best.reasons)
    assert quiet.org_id not in [r.org.id for r in recs]


def test_one_card_per_organisation_with_its_strongest_pair_and_the_number_of_other_pairs(db, login):
    event = docking_event()
    me, other = participant(event), participant(event, name="包头稀土研究院")
    my_need = PostingFactory(org=me.org, kind=PostingKind.NEED, title="电机用永磁材料攻关")
    my_achievement = PostingFactory(org=me.org, kind=PostingKind.ACHIEVEMENT, title="稀土分离新工艺")
    magnet = PostingFactory(org=other.org, kind=PostingKind.ACHIEVEMENT, title="高矫顽力钕铁硼")
    polish = PostingFactory(org=other.org, kind=PostingKind.ACHIEVEMENT, title="稀土抛光粉新配方")
    their_need = PostingFactory(org=other.org, kind=PostingKind.NEED, title="稀土分离提纯需求")
    # The same two postings matched both ways are one pair; three pairs connect the two organisations.
    match(my_need, magnet, 0.7, term="永磁")
    match(magnet, my_need, 0.8, term="钕铁硼")
    match(their_need, my_achievement, 0.6, term="稀土分离")
    match(my_achievement, their_need, 0.5, term="稀土分离")
    match(my_need, polish, 0.4, term="稀土")
    db.session.commit()

    (rec,) = recommend_counterparts(event.id, me.org_id)
    assert (rec.org.id, rec.score, rec.other_pairs) == (other.org_id, 0.8, 2)
    assert (rec.best.mine.id, rec.best.theirs.id) == (my_need.id, magnet.id)
    assert any("钕铁硼" in line for line in rec.best.reasons)

    page = login(me).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    cards = page.split('id="recommendations"')[1].split('id="sent"')[0]
    assert cards.count("包头稀土研究院") == 1 and cards.count(f'id="org-{other.org_id}"') == 1
    assert cards.count("高矫顽力钕铁硼") == 1 and "稀土抛光粉新配方" not in cards
    assert "双方另有 2 对信息相互匹配" in cards


def test_an_organisation_connected_by_one_pair_shows_no_count_of_other_pairs(db, login):
    event = docking_event()
    me, other = participant(event), participant(event, name="鄂尔多斯羊绒集团")
    need = PostingFactory(org=me.org, kind=PostingKind.NEED, title="羊绒分梳")
    offer = PostingFactory(org=other.org, kind=PostingKind.ACHIEVEMENT, title="羊绒无损分梳")
    match(need, offer, 0.9, term="分梳")
    match(offer, need, 0.8, term="分梳")
    db.session.commit()
    (rec,) = recommend_counterparts(event.id, me.org_id)
    assert rec.other_pairs == 0
    page = login(me).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert "鄂尔多斯羊绒集团" in page and "对信息相互匹配" not in page


def test_recommendations_ignore_organisations_whose_registration_is_not_confirmed(db):
    event = docking_event()
    me = participant(event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED).user
    match(PostingFactory(org=me.org, kind=PostingKind.NEED), PostingFactory(org=waiting.org))
    assert recommend_counterparts(event.id, me.org_id) == []


def test_hub_page_shows_recommended_org_with_reasons(db, login):
    event = docking_event()
    me, other = participant(event), participant(event, name="包头稀土研究院")
    match(PostingFactory(org=me.org, kind=PostingKind.NEED), PostingFactory(org=other.org), term="钕铁硼")
    db.session.commit()
    page = login(me).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    card = page.split(f'id="org-{other.org_id}"')[1].split("</li>")[0]
    assert "包头稀土研究院" in card and "钕铁硼" in card
    assert f'href="/events/{event.id}/meetings/request/{other.org_id}">约见</a>' in card


def test_non_participant_cannot_open_the_meeting_pages(db, login):
    event = docking_event()
    participant(event)
    stranger = UserFactory()
    db.session.commit()
    client = login(stranger)
    assert client.get(f"/events/{event.id}/meetings").status_code == 404
    assert client.get(f"/events/{event.id}/meetings/agenda").status_code == 404
