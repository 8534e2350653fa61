"""The search page (/search) and the admin pages of the search dictionary (/admin/search/…)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import platform_admin_required
from app.core.clock import local_today
from app.core.forms import commit_form
from app.core.pagecache import public_page
from app.core.pagination import paginate
from app.core.web import commit_and_redirect
from app.extensions import db
from app.search import dictionary
from app.search.forms import SynonymForm, WordForm
from app.search.models import DictionaryWord, SynonymGroup
from app.search.searching import SearchArgs, search_postings

bp = Blueprint("search", __name__)

REINDEX_HINT = "词典已修改：已发布信息仍按旧词典分词，请运维执行 flask search reindex 重建索引后完全生效。"


def _log_again(logged) -> None:
    """The search page served from memory (app/core/pagecache.py) still counts as a search."""
    if logged:
        dictionary.log_search(*logged)
        db.session.commit()


@bp.get("/search")
@public_page(on_hit=_log_again)
def search():
    args = SearchArgs.from_args(request.args)
    page = search_postings(args, current_app.config["PER_PAGE"], local_today())
    # Rendered before the query log's commit: a commit expires every loaded posting, and the page would
    # then reload each hit, its organisation and its modes one query at a time.
    html = render_template("search/search.html", page=page, args=args)
    db.session.commit()
    return html


# --- dictionary admin ------------------------------------------------------------------------------


def _seeded() -> None:
    """The first admin visit copies the default dictionary into the tables."""
    if dictionary.seed_dictionary():
        db.session.commit()


@bp.route("/admin/search/synonyms", methods=["GET", "POST"])
@platform_admin_required
def synonyms():
    _seeded()
    form = SynonymForm(data={"terms": request.args.get("terms", "")[:200]} if request.method == "GET" else None)
    if commit_form(form, lambda: dictionary.create_synonym_group(form.terms.data, form.note.data, current_user)):
        flash("已添加同义词，立即对搜索生效", "success")
        return redirect(url_for(".synonyms"))
    q = request.args.get("q", "").strip()[:50]
    stmt = sa.select(SynonymGroup).order_by(SynonymGroup.updated_at.desc(), SynonymGroup.id.desc())
    if q:
        stmt = stmt.where(SynonymGroup.terms.contains(q, autoescape=True))
    return render_template("search/synonyms.html", form=form, pagination=paginate(stmt), q=q), (
        422 if form.errors else 200
    )


@bp.route("/admin/search/synonyms/<int:group_id>/edit", methods=["GET", "POST"])
@platform_admin_required
def synonym_edit(group_id):
    group = dictionary.get_synonym_group(group_id)
    form = SynonymForm(obj=group)
    call = lambda: dictionary.update_synonym_group(group_id, form.terms.data, form.note.data, current_user)  # noqa: E731
    if commit_form(form, call):
        flash("已保存，立即对搜索生效", "success")
        return redirect(url_for(".synonyms"))
    return render_template("search/dictionary_form.html", form=form, title="修改同义词", back=url_for(".synonyms")), (
        422 if form.errors else 200
    )


@bp.post("/admin/search/synonyms/<int:group_id>/delete")
@platform_admin_required
def synonym_delete(group_id):
    dictionary.delete_synonym_group(group_id, current_user)
    return commit_and_redirect(url_for(".synonyms"), "已删除这组同义词")


def _words_saved(message: str):
    flash(message, "success")
    flash(REINDEX_HINT, "warning")
    return redirect(url_for(".words"))


@bp.route("/admin/search/words", methods=["GET", "POST"])
@platform_admin_required
def words():
    _seeded()
    form = WordForm(data={"word": request.args.get("word", "")[:30]} if request.method == "GET" else None)
    call = lambda: dictionary.create_word(form.word.data, form.frequency.data, form.note.data, current_user)  # noqa: E731
    if commit_form(form, call):
        return _words_saved("已加入词典")
    q = request.args.get("q", "").strip()[:30]
    stmt = sa.select(DictionaryWord).order_by(DictionaryWord.updated_at.desc(), DictionaryWord.id.desc())
    if q:
        stmt = stmt.where(DictionaryWord.word.contains(q, autoescape=True))
    return render_template(
        "search/words.html",
        form=form,
        pagination=paginate(stmt),
        q=q,
        reindex_needed=dictionary.reindex_needed(),
    ), (422 if form.errors else 200)


@bp.route("/admin/search/words/<int:word_id>/edit", methods=["GET", "POST"])
@platform_admin_required
def word_edit(word_id):
    entry = dictionary.get_word(word_id)
    form = WordForm(obj=entry)
    if request.method == "GET":
        form.frequency.data = str(entry.frequency or "")
    call = lambda: dictionary.update_word(word_id, form.word.data, form.frequency.data, form.note.data, current_user)  # noqa: E731
    if commit_form(form, call):
        return _words_saved("已保存")
    return render_template("search/dictionary_form.html", form=form, title="修改词典词语", back=url_for(".words")), (
        422 if form.errors else 200
    )


@bp.post("/admin/search/words/<int:word_id>/delete")
@platform_admin_required
def word_delete(word_id):
    dictionary.delete_word(word_id, current_user)
    db.session.commit()
    return _words_saved("已从词典删除")


@bp.get("/admin/search/queries")
@platform_admin_required
def zero_result_queries():
    return render_template(
        "search/queries.html", queries=dictionary.zero_result_queries(), days=dictionary.ZERO_RESULT_DAYS
    )
