"""Web-wide wiring: error pages, the DomainError handler, template helpers, security headers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlparse

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core import enums
from app.core.errors import DomainError
from app.core.industries import industry_choices, industry_name
from app.core.regions import REGIONS, region_name
from app.extensions import db

CHINA_TZ = timezone(timedelta(hours=8))

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
    """Only redirect back to paths on this site."""
    if not target:
        return fallback
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


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
        return value.replace(tzinfo=timezone.utc).astimezone(CHINA_TZ).strftime(fmt)
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

    @app.errorhandler(CSRFError)
    def handle_csrf(err):
        return render_error(400, "页面已过期或缺少安全校验（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        if err.code in ERROR_TEXT:
            return render_error(err.code)
        return err

    if not app.testing:  # in tests an unexpected exception should fail loudly, not become a page

        @app.errorhandler(Exception)
        def handle_unexpected(err: Exception):
            app.logger.exception("Unhandled error on %s %s", request.method, request.path)
            db.session.rollback()
            return render_error(500)

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["region_name"] = region_name
    app.jinja_env.filters["industry_name"] = industry_name
    app.jinja_env.globals.update(
        E=enums,
        REGIONS=REGIONS,
        industry_choices=industry_choices,
        region_name=region_name,
        industry_name=industry_name,
    )
