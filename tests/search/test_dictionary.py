"""The admin-editable synonym table and domain dictionary, and the zero-result query list."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.postings.services import touch_posting
from app.search.dictionary import dictionary_data, reindex_needed, seed_dictionary
from app.search.models import DictionaryWord, SynonymGroup
from app.search.sync import drain_outbox, reindex
from tests.conftest import login_as
from tests.factories import AdminFactory, PostingFactory, UserFactory

PAGES = ["/admin/search/synonyms", "/admin/search/words", "/admin/search/queries"]


@pytest.fixture
def admin(client, db):
    user = AdminFactory()
    db.session.commit()
    login_as(client, user)
    return user


def groups(db) -> list[str]:
    return list(db.session.scalars(sa.select(SynonymGroup.terms)))


def result_ids(client, q: str) -> list[int]:
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    return [int(i) for i in re.findall(r'<h2 class="h6 mb-1"><a href="/postings/\w+/(\d+)"', html)]


@pytest.mark.parametrize("path", PAGES)
def test_dictionary_pages_are_for_platform_admins_only(client, db, path):
    assert client.get(path).status_code == 302  # to the login page
    user = UserFactory()
    db.session.commit()
    login_as(client, user)
    assert client.get(path).status_code == 403
    assert client.post(path, data={"terms": "甲乙, 丙丁", "word": "甲乙"}).status_code in (403, 405)
    assert groups(db) == []


@pytest.mark.parametrize("path", PAGES)
def test_dictionary_pages_open_for_admins(client, admin, path):
    assert client.get(path).status_code == 200


def test_the_first_visit_seeds_the_default_dictionary(client, db, admin):
    client.get("/admin/search/synonyms")
    assert "钕铁硼, 稀土永磁, ndfeb, 钕磁铁" in groups(db)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DictionaryWord)) > 50
    assert seed_dictionary() is False  # only once: what an admin deletes stays deleted


def test_an_admin_adds_a_synonym_group(client, db, admin):
    response = client.post("/admin/search/synonyms", data={"terms": "月球车，月面巡视器、LunarRover", "note": "航天"})
    assert response.status_code == 302
    assert "月球车, 月面巡视器, LunarRover" in groups(db)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("", "请填写同义词"),
        ("光伏", "至少要有两个不同的词"),
        ("光伏, 光伏", "至少要有两个不同的词"),
        ("月球车, " + "长" * 31, "太长了"),
        ("月球车, ！！", "不含汉字、字母或数字"),
        ("月球车, 钕铁硼", "已在另一组同义词中"),
        (", ".join(f"词{i}" for i in range(21)), "最多20个词"),
    ],
)
def test_a_bad_synonym_group_is_refused_with_a_reason(client, db, admin, terms, message):
    client.get("/admin/search/synonyms")
    before = sorted(groups(db))
    response = client.post("/admin/search/synonyms", data={"terms": terms})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert sorted(groups(db)) == before


def test_a_synonym_added_by_an_admin_finds_a_posting_it_did_not_before(client, db, admin):
    posting = PostingFactory(title="月面巡视器热控涂层", keywords=["热控"])
    touch_posting(posting)
    db.session.commit()
    drain_outbox()
    assert result_ids(client, "月球车") == []
    client.post("/admin/search/synonyms", data={"terms": "月球车, 月面巡视器"})
    assert result_ids(client, "月球车") == [posting.id]


def test_editing_and_deleting_a_synonym_group_apply_at_once(client, db, admin):
    posting = PostingFactory(title="月面巡视器热控涂层", keywords=["热控"])
    touch_posting(posting)
    db.session.commit()
    drain_outbox()
    client.post("/admin/search/synonyms", data={"terms": "月球车, 探月车"})
    group = db.session.scalar(sa.select(SynonymGroup).where(SynonymGroup.terms.like("月球车%")))
    assert client.get(f"/admin/search/synonyms/{group.id}/edit").status_code == 200
    client.post(f"/admin/search/synonyms/{group.id}/edit", data={"terms": "月球车, 探月车, 月面巡视器"})
    assert result_ids(client, "探月车") == [posting.id]
    client.post(f"/admin/search/synonyms/{group.id}/delete")
    assert result_ids(client, "探月车") == []
    assert client.get(f"/admin/search/synonyms/{group.id}/edit").status_code == 404


def test_editing_a_group_may_keep_its_own_terms(client, db, admin):
    client.post("/admin/search/synonyms", data={"terms": "月球车, 探月车"})
    group = db.session.scalar(sa.select(SynonymGroup).where(SynonymGroup.terms.like("月球车%")))
    response = client.post(
        f"/admin/search/synonyms/{group.id}/edit", data={"terms": "探月车, 月球车", "note": "改顺序"}
    )
    assert response.status_code == 302


def test_an_admin_adds_a_dictionary_word_and_is_told_to_reindex(client, db, admin):
    client.get("/admin/search/words")
    assert not reindex_needed()
    response = client.post(
        "/admin/search/words", data={"word": "巴彦淖尔河套", "frequency": "500"}, follow_redirects=True
    )
    assert "已加入词典" in response.get_data(as_text=True)
    assert "flask search reindex" in response.get_data(as_text=True)
    assert ("巴彦淖尔河套", 500) in dictionary_data()[0]
    assert reindex_needed()
    reindex()
    assert not reindex_needed()
    assert "flask search reindex" not in client.get("/admin/search/words").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"word": ""}, "请填写词语"),
        ({"word": "河套 平原"}, "不能有空格或标点"),
        ({"word": "河套！"}, "不能有空格或标点"),
        ({"word": "钕铁硼"}, "已在词典中"),
        ({"word": "河套平原", "frequency": "很多"}, "词频须为"),
        ({"word": "河套平原", "frequency": "0"}, "词频须为"),
        ({"word": "河套平原", "note": "备" * 201}, "备注不能超过200个字"),
    ],
)
def test_a_bad_dictionary_word_is_refused_with_a_reason(client, db, admin, data, message):
    client.get("/admin/search/words")
    response = client.post("/admin/search/words", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(DictionaryWord).where(DictionaryWord.word == "河套平原")) is None


def test_editing_and_deleting_a_dictionary_word(client, db, admin):
    client.post("/admin/search/words", data={"word": "河套平原"})
    entry = db.session.scalar(sa.select(DictionaryWord).where(DictionaryWord.word == "河套平原"))
    assert client.post(f"/admin/search/words/{entry.id}/edit", data={"word": "河套灌区"}).status_code == 302
    assert db.session.get(DictionaryWord, entry.id).word == "河套灌区"
    assert client.post(f"/admin/search/words/{entry.id}/delete").status_code == 302
    assert db.session.get(DictionaryWord, entry.id) is None


def test_dictionary_forms_need_a_csrf_token(make_app, db):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = AdminFactory()
        db.session.commit()
        client = app.test_client()
        login_as(client, user)
        assert client.post("/admin/search/synonyms", data={"terms": "月球车, 探月车"}).status_code == 400
        assert client.post("/admin/search/words", data={"word": "河套平原"}).status_code == 400
        assert not [g for g in groups(db) if "月球车" in g]


def test_zero_result_queries_are_listed_for_admins_most_frequent_first(client, db, admin):
    for q in ("月球采矿", "月球采矿", "火星基地", "稀土"):
        client.get("/search", query_string={"q": q})
    PostingFactory(title="稀土永磁")
    html = client.get("/admin/search/queries").get_data(as_text=True)
    assert html.index("月球采矿") < html.index("火星基地")
    assert "<td>2</td>" in html
    assert "/admin/search/words?word=%E6%9C%88%E7%90%83%E9%87%87%E7%9F%BF" in html
    prefilled = client.get("/admin/search/words?word=月球采矿").get_data(as_text=True)
    assert 'value="月球采矿"' in prefilled
