"""Who sees what: other organisations, anonymous visitors, members, and the contact details."""

from __future__ import annotations

import pytest

from app.core.enums import PostingStatus
from app.core.errors import NotFound
from app.postings.queries import get_visible_posting
from tests.factories import OrgFactory, PostingFactory, UserFactory
from tests.postings.helpers import VALID, K, S, act_as, draft, page_text, valid


def test_another_organisation_cannot_edit_a_posting(client, db, owner):
    posting = PostingFactory(org=owner.org)
    stranger = UserFactory()
    db.session.commit()
    act_as(client, stranger)

    assert client.get(f"/postings/achievement/{posting.id}/edit").status_code == 404
    assert client.post(f"/postings/achievement/{posting.id}/edit", data=valid(K.ACHIEVEMENT)).status_code == 404
    assert client.post(f"/postings/achievement/{posting.id}/close").status_code == 404
    assert posting.title != VALID[K.ACHIEVEMENT]["title"] and posting.status == S.PUBLISHED


def test_another_organisations_draft_does_not_exist_for_others(client, db, owner, admin):
    posting = draft(owner.org)
    stranger = UserFactory()
    db.session.commit()
    url = f"/postings/achievement/{posting.id}"

    assert act_as(client, stranger).get(url).status_code == 404
    assert act_as(client, None).get(url).status_code == 404
    assert act_as(client, owner).get(url).status_code == 200
    assert act_as(client, admin).get(url).status_code == 200


def test_detail_url_with_the_wrong_kind_is_404(client, db):
    posting = PostingFactory(kind=K.ACHIEVEMENT)
    db.session.commit()

    assert client.get(f"/postings/need/{posting.id}").status_code == 404
    with pytest.raises(NotFound):
        get_visible_posting(posting.id, None, K.NEED)


def test_anonymous_visitors_list_only_published_postings(client, db):
    for status in PostingStatus:
        PostingFactory(title=f"状态{status.value}", status=status)
    db.session.commit()

    text = page_text(client.get("/postings/achievement?status=all"))

    assert "状态published" in text
    assert not any(f"状态{s.value}" in text for s in PostingStatus if s != S.PUBLISHED)


def test_contact_details_are_hidden_from_anonymous_visitors_and_shown_to_the_owner(client, db, owner, admin):
    posting = PostingFactory(org=owner.org, contact_phone="13912345678", contact_email="li@example.edu.cn")
    stranger = UserFactory()
    db.session.commit()
    url = f"/postings/achievement/{posting.id}"

    anonymous = page_text(act_as(client, None).get(url))
    assert "13912345678" not in anonymous and "li@example.edu.cn" not in anonymous
    assert "登录后可发起对接" in anonymous
    assert "13912345678" not in page_text(act_as(client, stranger).get(url))
    assert "13912345678" in page_text(act_as(client, owner).get(url))
    assert "li@example.edu.cn" in page_text(act_as(client, admin).get(url))


def test_members_see_their_own_organisations_postings_in_any_status(client, db, owner):
    draft(owner.org, title="我的草稿")
    draft(OrgFactory(), title="别人的草稿")
    db.session.commit()

    text = page_text(act_as(client, owner).get("/postings/achievement?status=draft"))

    assert "我的草稿" in text and "别人的草稿" not in text
