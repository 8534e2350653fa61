"""Annual lists: public pages and downloads, and the admin pages that build and publish them."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import platform_admin_required
from app.core.enums import OrgType, PostingKind
from app.core.exports import export_rows
from app.core.pagecache import public_page
from app.core.web import commit_and_redirect
from app.lists.forms import CatalogListForm, ListFilterForm
from app.lists.services import (
    ListFilter,
    add_matching_postings,
    create_list,
    delete_list,
    get_list,
    item_counts,
    key_headers,
    list_rows,
    list_table,
    publish_list,
    remove_posting,
    visible_lists,
)

bp = Blueprint("lists", __name__)

# Characters a spreadsheet refuses in a sheet name or a file system in a file name.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\[\]]')


@bp.get("/")
@public_page()
def index():
    lists = visible_lists(current_user)
    return render_template("lists/index.html", lists=lists, counts=item_counts(lists))


@bp.route("/new", methods=["GET", "POST"])
@platform_admin_required
def create():
    form = CatalogListForm()
    if form.validate_on_submit():
        catalog = create_list(
            form.title.data, PostingKind(form.kind.data), form.year.data, form.description.data, current_user
        )
        return commit_and_redirect(url_for(".manage", list_id=catalog.id), "清单已创建，请按条件加入信息")
    return render_template("lists/form.html", form=form)


@bp.get("/<int:list_id>")
@public_page()
def detail(list_id: int):
    catalog = get_list(list_id, current_user)
    return render_template("lists/detail.html", catalog=catalog, rows=list_rows(catalog), headers=key_headers(catalog))


@bp.get("/<int:list_id>/download")
def download(list_id: int):
    catalog = get_list(list_id, current_user)
    headers, rows = list_table(catalog)
    return export_rows(request.args.get("format", "xlsx"), _UNSAFE_FILENAME.sub("-", catalog.title), headers, rows)


@bp.get("/<int:list_id>/manage")
@platform_admin_required
def manage(list_id: int):
    catalog = get_list(list_id, current_user)
    form = ListFilterForm(year=catalog.year)
    return render_template(
        "lists/manage.html", catalog=catalog, form=form, rows=list_rows(catalog), headers=key_headers(catalog)
    )


@bp.post("/<int:list_id>/add")
@platform_admin_required
def add(list_id: int):
    catalog = get_list(list_id, current_user)
    form = ListFilterForm()
    if not form.validate():
        flash("筛选条件无效：" + "；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for(".manage", list_id=list_id))
    wanted = ListFilter(
        year=form.year.data,
        industry=form.industry.data or None,
        region=form.region.data or None,
        org_types=[OrgType(t) for t in form.org_types.data or []],
    )
    added = add_matching_postings(catalog, wanted)
    message = f"已加入 {added} 条信息" if added else "没有符合条件且尚未加入的已发布信息"
    return commit_and_redirect(url_for(".manage", list_id=list_id), message, "success" if added else "info")


@bp.post("/<int:list_id>/items/<int:posting_id>/remove")
@platform_admin_required
def remove(list_id: int, posting_id: int):
    remove_posting(get_list(list_id, current_user), posting_id)
    return commit_and_redirect(url_for(".manage", list_id=list_id), "已从清单中移除")


@bp.post("/<int:list_id>/publish")
@platform_admin_required
def publish(list_id: int):
    publish_list(get_list(list_id, current_user), current_user)
    return commit_and_redirect(url_for(".detail", list_id=list_id), "清单已发布，所有人都可以查看和下载")


@bp.post("/<int:list_id>/delete")
@platform_admin_required
def delete(list_id: int):
    delete_list(get_list(list_id, current_user))
    return commit_and_redirect(url_for(".index"), "草稿清单已删除")
