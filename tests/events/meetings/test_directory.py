"""参会机构名录: every other confirmed participant, filtered by type, 门类, 盟市, what they offer or seek, a
keyword over their postings' titles and their name; paginated; bad filter values are ignored with a message."""

from __future__ import annotations

import re

import pytest

from app.core.enums import OrgType, PostingKind, PostingStatus, RegistrationStatus
from app.events.meetings.directory import PER_PAGE
from app.extensions import db as database
from tests.events.helpers import HOSTILE
from tests.events.meetings.helpers import ask, docking_event, participant
from tests.factories import PostingFactory, RegistrationFactory, UserFactory


def names_on(page: str) -> set[str]:
    return set(re.findall(r'<div class="fw-semibold text-truncate">([^<]+)</div>', page))


def titles_in(html: str) -> list[str]:
    return re.findall(r'class="link-dark">([^<]+)</a>', html)


def directory(client, event, **args):
    resp = client.get(f"/events/{event.id}/meetings/directory", query_string=args)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


@pytest.fixture
def fair(db):
    """A docking event with participants of different types, places and industries, and their postings."""
    event = docking_event()
    me = participant(event, name="我方机构")
    orgs = {
        "dairy": participant(event, name="北疆乳业", org_type=OrgType.LARGE, region="150100", industry="C14"),
        "uni": participant(event, name="阴山科技大学", org_type=OrgType.UNIVERSITY, region="150200", industry="P83"),
        "solar": participant(event, name="绿源光伏", org_type=OrgType.SME, region="150600", industry="D44"),
        "quiet": participant(event, name="安静100%_公司", org_type=OrgType.SME, region="150200", industry="C39"),
    }
    PostingFactory(org=orgs["dairy"].org, kind=PostingKind.PROCUREMENT, title="采购益生菌菌粉", industry="C14")
    PostingFactory(org=orgs["uni"].org, kind=PostingKind.ACHIEVEMENT, title="细颗粒粉尘治理技术", industry="N77")
    PostingFactory(org=orgs["uni"].org, kind=PostingKind.ACHIEVEMENT, title="益生菌发酵工艺", industry="C14")
    PostingFactory(org=orgs["uni"].org, kind=PostingKind.NEED, title="实验室自动化平台", industry="I65")
    PostingFactory(org=orgs["solar"].org, kind=PostingKind.NEED, title="光伏板清洗机器人", industry="D44")
    PostingFactory(
        org=orgs["solar"].org, kind=PostingKind.CAPABILITY, title="草稿里的益生菌", status=PostingStatus.DRAFT
    )
    RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED, org__name="候补机构")
    UserFactory(org__name="未报名机构")
    database.session.commit()
    return event, me, orgs


def test_the_directory_lists_every_other_confirmed_participant_and_only_them(fair, login):
    event, me, _ = fair
    page = directory(login(me), event)
    assert names_on(page) == {"北疆乳业", "阴山科技大学", "绿源光伏", "安静100%_公司"}
    assert "共 4 家" in page and "已忽略" not in page


def test_each_entry_is_compact_type_region_and_two_published_postings_at_most(fair, login):
    event, me, orgs = fair
    page = directory(login(me), event)
    entry = page.split(f'id="entry-{orgs["uni"].org_id}"')[1].split("</li>")[0]
    assert "高校" in entry and "包头市" in entry
    assert len(titles_in(entry)) == 2  # two of its three postings
    assert f'href="/events/{event.id}/meetings/request/{orgs["uni"].org_id}">约见</a>' in entry
    quiet = page.split(f'id="entry-{orgs["quiet"].org_id}"')[1].split("</li>")[0]
    assert "暂无已发布的信息" in quiet
    assert "草稿里的益生菌" not in page


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"industry": "C"}, {"北疆乳业", "阴山科技大学", "安静100%_公司"}),  # 阴山: a posting of 门类 C
        ({"industry": "D"}, {"绿源光伏"}),
        ({"org_type": "university"}, {"阴山科技大学"}),
        ({"region": "150200"}, {"阴山科技大学", "安静100%_公司"}),
        ({"side": "offer"}, {"阴山科技大学"}),
        ({"side": "seek"}, {"北疆乳业", "阴山科技大学", "绿源光伏"}),
        ({"side": "procurement"}, {"北疆乳业"}),
        ({"topic": "益生菌"}, {"北疆乳业", "阴山科技大学"}),  # a draft's title does not count
        ({"q": "乳业"}, {"北疆乳业"}),
        ({"q": "100%_"}, {"安静100%_公司"}),
        ({"q": "%"}, {"安静100%_公司"}),
        ({"industry": "C", "region": "150200", "side": "offer"}, {"阴山科技大学"}),
    ],
)
def test_each_filter_narrows_the_directory(fair, login, args, expected):
    event, me, _ = fair
    page = directory(login(me), event, **args)
    assert names_on(page) == expected and "已忽略" not in page


def test_an_entry_shows_the_newest_postings_and_with_a_topic_those_that_have_it_first(fair, login):
    event, me, orgs = fair
    client = login(me)

    def uni_titles(**args):
        page = directory(client, event, **args)
        return titles_in(page.split(f'id="entry-{orgs["uni"].org_id}"')[1].split("</li>")[0])

    assert uni_titles() == ["实验室自动化平台", "益生菌发酵工艺"]
    assert uni_titles(topic="粉尘")[0] == "细颗粒粉尘治理技术"
    assert uni_titles(side="offer")[0] in {"细颗粒粉尘治理技术", "益生菌发酵工艺"}


@pytest.mark.parametrize(
    ("args", "label"),
    [
        ({"industry": "ZZ"}, "行业门类"),
        ({"org_type": "alien"}, "机构类型"),
        ({"region": "1"}, "盟市"),
        ({"side": "everything"}, "提供或寻求"),
        ({"q": "长" * 51}, "机构名称"),
        ({"topic": "a\nb"}, "信息关键词"),
    ],
)
def test_a_bad_filter_value_is_ignored_with_a_message_never_an_error(fair, login, args, label):
    event, me, _ = fair
    page = directory(login(me), event, **args)
    assert f"筛选条件“{label}”无效，已忽略" in page
    assert len(names_on(page)) == 4  # the bad value filtered nothing


def test_the_directory_is_paginated_and_a_page_past_the_end_shows_the_last(db, login):
    event = docking_event()
    me = participant(event)
    for n in range(PER_PAGE + 1):
        participant(event, name=f"参会机构{n:02d}")
    database.session.commit()
    client = login(me)
    assert len(names_on(directory(client, event))) == PER_PAGE
    assert names_on(directory(client, event, page=2)) == {f"参会机构{PER_PAGE:02d}"}
    assert names_on(directory(client, event, page=99)) == {f"参会机构{PER_PAGE:02d}"}
    assert len(names_on(directory(client, event, page="abc"))) == PER_PAGE


def test_an_organisation_already_invited_shows_no_invite_button(fair, login):
    event, me, orgs = fair
    ask(event, orgs["solar"], me)
    database.session.commit()
    page = directory(login(me), event)
    entry = page.split(f'id="entry-{orgs["solar"].org_id}"')[1].split("</li>")[0]
    assert "已邀约" in entry and "约见</a>" not in entry


def test_an_outsider_cannot_open_the_directory(fair, login):
    event, _, _ = fair
    outsider = UserFactory()
    database.session.commit()
    assert login(outsider).get(f"/events/{event.id}/meetings/directory").status_code == 404


def test_the_organiser_sees_every_participant_read_only_from_the_grid(fair, login):
    event, me, _ = fair
    client = login(event.organiser)
    grid = client.get(f"/events/{event.id}/meetings/grid").get_data(as_text=True)
    assert f'href="/events/{event.id}/meetings/directory"' in grid
    page = directory(client, event)
    assert names_on(page) == {"我方机构", "北疆乳业", "阴山科技大学", "绿源光伏", "安静100%_公司"}
    assert "约见</a>" not in page and "已邀约" not in page
    assert "参会机构名录" in page and "推荐与邀请" not in page  # no participant tabs
    assert names_on(directory(client, event, org_type=OrgType.UNIVERSITY.value)) == {"阴山科技大学"}


def test_no_hostile_value_in_any_filter_fails_the_directory(fair, login):
    event, me, _ = fair
    client = login(me)
    params = ("q", "org_type", "industry", "region", "side", "topic", "page")
    for value in HOSTILE:
        resp = client.get(f"/events/{event.id}/meetings/directory", query_string=dict.fromkeys(params, value))
        assert resp.status_code == 200, value[:20]
