"""Web-wide wiring: error pages, the DomainError handler, template helpers, security headers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlparse

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.core import enums, glossary
from app.core.clock import CHINA_TZ
from app.core.errors import DomainError
from app.core.industries import industry_choices, industry_name
from app.core.regions import REGIONS, region_name
from app.extensions import db

ID_MAX = 2**31 - 1

ERROR_TEXT = {
    400: ("请求无效", "提交的内容无法处理。如果您刚刚提交了表单，请刷新页面后重试。"),
    403: ("无权访问", "您没有执行此操作的权限。"),
    404: ("页面不存在", "您要找的内容不存在、已下线，或您无权查看。"),
    405: ("请求方式不支持", "请通过页面上的按钮或链接操作。"),
    413: ("文件过大", "上传的文件超过了大小限制，请压缩后重试。"),
    429: ("操作过于频繁", "您的操作太频繁了，请稍等片刻再试。"),
    500: ("服务器开小差了", "系统出现了意外错误，我们已记录此问题，请稍后再试。"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def safe_next(target: str | None, fallback: str) -> str:
    """Only redirect back to paths on this site. Browsers read "/\\evil.com" as "//evil.com", so a
    backslash or a control character anywhere makes the target unsafe too."""
    if not target:
        return fallback
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


class IdConverter(IntegerConverter):
    """`<int:…>` in every URL is a database id (a 32-bit INTEGER column): a number past that range is simply
    not found (404), instead of an overflow in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def parse_id(value) -> int | None:
    """A database id, as posted text (ASCII digits only: "²" is a digit to str.isdigit) or as a row's own
    int, within the INTEGER range; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= ID_MAX else None
    if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    return int(value) if 0 < int(value) <= ID_MAX else None


def id_list(values) -> list[int]:
    """Ids from a form's repeated field (checkboxes); anything that is not an id is ignored."""
    return [i for i in map(parse_id, values) if i is not None]


def url_with_query(endpoint: str, **changes) -> str:
    """This page's URL with some query parameters changed (None drops one), for pagers and export links.
    The path's own values always win, and url_for's reserved names (_external, _scheme, endpoint …) typed
    into the query string are dropped, so they cannot turn a link into another site's or fail the page."""
    args = {k: v for k, v in request.args.items() if not k.startswith("_") and k != "endpoint"}
    args.update(changes)
    args.update(request.view_args or {})
    return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})


def human_size(n: int) -> str:
    """A file size for people: 1.5 KB, 20 MB."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} 字节"


def commit_and_redirect(target: str, message: str, category: str = "success"):
    """The end of a POST that changed something: commit once, say what happened, redirect."""
    db.session.commit()
    flash(message, category)
    return redirect(target)


def render_error(status: int, detail: str | None = None):
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[500])
    if wants_json():
        return jsonify(error=title, message=detail or text, status=status), status
    return render_template("errors/error.html", status=status, title=title, text=detail or text), status


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are naive UTC; people read Beijing time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).strftime(fmt)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def init_web(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(err: DomainError):
        db.session.rollback()
        if err.status == 404:
            return render_error(404, err.message)
        if wants_json():
            return jsonify(error=err.code, message=err.message), err.status
        flash(err.message, "danger")
        back = safe_next(request.referrer and urlparse(request.referrer).path, url_for("home.index"))
        if request.referrer and urlparse(request.referrer).query:
            back = f"{back}?{urlparse(request.referrer).query}"
        return redirect(back)

    @app.before_request
    def refuse_nul_characters():
        """No one types a NUL character and PostgreSQL cannot store one: refuse it before any view sees it."""
        values = [v for v in (request.view_args or {}).values() if isinstance(v, str)]
        for source in (request.args, request.form) if request.method == "POST" else (request.args,):
            values += [v for _, vs in source.lists() for v in vs]
        if any("\x00" in v for v in values):
            return render_error(400, "提交的内容含有无效的空字符（\\0），请删除后重试。")
        return None

    @app.errorhandler(CSRFError)
    def handle_csrf(err):
        return render_error(400, "页面已过期或缺少安全校验（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        if err.response is not None:  # a page made for this refusal (the login page's own 429)
            return err.response
        if err.code in ERROR_TEXT:
            return render_error(err.code)
        return err

    if not app.testing:  # in tests an unexpected exception should fail loudly, not become a page

        @app.errorhandler(Exception)
        def handle_unexpected(err: Exception):
            app.logger.exception("Unhandled error on %s %s", request.method, request.path)
            db.session.rollback()
            return render_error(500)

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["region_name"] = region_name
    app.jinja_env.filters["industry_name"] = industry_name
    app.jinja_env.filters["human_size"] = human_size
    app.jinja_env.globals.update(
        E=enums,
        REGIONS=REGIONS,
        industry_choices=industry_choices,
        region_name=region_name,
        industry_name=industry_name,
        url_with_query=url_with_query,
        glossary=glossary,
    )
