"""What every page shares: language cookie, template helpers, security headers and error pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import gettext as translate
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response as WerkzeugResponse

from portal import clock
from portal.core import uploads
from portal.core.labelled import LabelledEnum, set_translator
from portal.core.markup import render_markdown
from portal.core.money import format_yuan
from portal.errors import RefusedError, answer_refusal
from portal.extensions import db
from portal.forms import control_characters, redirect_if_form_spent
from portal.menu import workspace_links

F = TypeVar("F", bound=Callable[..., Any])
ID_MAX = 2**31 - 1  # the id columns are 32-bit integers (PostgreSQL `integer`): no row has a larger id


class IdConverter(IntegerConverter):
    """`<id:record_id>`, the one converter for ids (and, bounded, years) in every route: ASCII digits only, no leading
    zero, 1 to ID_MAX. /records/٢٥٢ or a full-width ２５２ is 404, not record 252 (werkzeug's `int` takes any Unicode
    digit), and a larger id is 404 before any query could overflow the column."""

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, url_map: Map, min: int = 1, max: int = ID_MAX) -> None:
        super().__init__(url_map, min=min, max=max)


def as_id(value: str) -> int | None:
    """An id typed in a query string or a form as the routes take it (IdConverter), or None."""
    return int(value) if re.fullmatch(IdConverter.regex, value) and int(value) <= ID_MAX else None


_XML_NONCHARACTERS = frozenset("\ufffe\uffff")


def refuse_control_characters() -> None:
    """A feed names its own address in its XML, which cannot hold a control character: a query parameter carrying one
    (even one the feed ignores, such as utm_source=%00) is refused with 400, never a 500."""
    for key, value in request.args.items(multi=True):
        if control_characters(key + value, multiline=False) or _XML_NONCHARACTERS & set(key + value):
            raise BadRequest(translate("查询参数含有控制字符，请检查链接。"))


LANGUAGES = ("zh_CN", "en")
LANG_COOKIE_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """?lang= first, then the cookie it left, then Chinese (also outside a request: the command line)."""
    if not has_request_context():
        return "zh_CN"
    wanted = request.args.get("lang") or request.cookies.get("lang")
    return wanted if wanted in LANGUAGES else "zh_CN"


def url_with(**changes: Any) -> str:
    """The current path and query string with some parameters changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = str(value)
    return request.path + (f"?{urlencode(args)}" if args else "")


def public_path(endpoint: str, **values: Any) -> str:
    """The path of a public page, built from the URL map like url_for, but also outside a request (the search
    index is built by commands)."""
    return current_app.url_map.bind("").build(endpoint, values)


def site_root() -> str:
    """The site's own address, for every absolute URL it gives out (feeds, the API, documents, mail):
    PORTAL_BASE_URL, which production requires — never the request's Host header, which is the client's to choose.
    In development without it: the address the request came to, else https:// and the feeds' domain."""
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.base_url:
        return str(settings.base_url)
    return (request.url_root if has_request_context() else f"https://{settings.tag_authority}").rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """url_for, absolute on `site_root`."""
    return site_root() + url_for(endpoint, **values)


def current_external_url() -> str:
    """The address of this request (its path and query), absolute on `site_root`."""
    return site_root() + (request.full_path if request.query_string else request.path)


def html_lang() -> str:
    """The chosen language as an HTML / HTTP language tag."""
    return "en" if select_locale() == "en" else "zh-CN"


def feed_url(endpoint: str, fmt: str) -> str:
    """The feed twin of the current page: same filters (and language), no page number."""
    values: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    values.update(request.view_args or {}, fmt=fmt)
    return url_for(endpoint, **values)


def site_name() -> str:
    """PORTAL_SITE_NAME in the reader's language (the default, 信用演示县, is in the catalog; another stays as set)."""
    return translate(current_app.config["PORTAL_SETTINGS"].site_name)


def lang_url(lang: str) -> str:
    args = dict(request.args.items())
    args["lang"] = lang
    return f"{request.path}?{urlencode(args)}"


def format_date(value: date | str | None) -> str:
    """A legal date in the reader's language; ISO strings (kind fields keep dates so) are accepted too."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if str(get_locale()) == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def upload_limit(max_bytes: int) -> Callable[[F], F]:
    """A view that takes more than the default request size (MAX_CONTENT_LENGTH): put it right under @bp.route.
    The limit is applied before anything reads the form (CSRF included), see `apply_upload_limit`."""

    def decorator(view: F) -> F:
        view.max_content_length = max_bytes  # type: ignore[attr-defined]
        return view

    return decorator


def apply_upload_limit() -> None:
    """before_request, registered ahead of CSRF: this endpoint's own request size limit, if it has one."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit


def field_attrs(field: Any, hint: object = None) -> dict[str, str]:
    """ARIA for a form field: described by its hint and its error, and marked invalid when it has one."""
    described = [f"{field.id}-hint"] if hint else []
    attrs = {}
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def format_instant(value: datetime | None) -> str:
    if value is None:
        return ""
    return clock.local_time(value).strftime("%Y-%m-%d %H:%M")


def labelled_enums() -> dict[str, type[LabelledEnum]]:
    """Every LabelledEnum by its class name, for templates (`codes.RecordStatus.choices()`, `x.label`)."""
    found = {cls.__name__: cls for cls in LabelledEnum.__subclasses__()}
    assert len(found) == len(LabelledEnum.__subclasses__()), "two LabelledEnums share a name"
    return found


# No page uses these browser features: none may be used (a script injected one day could not switch them on).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"
SESSION_LIFETIME_SECONDS = 12 * 3600  # a signed-in session ends 12 hours after sign-in, however busy (issue 19)


def end_stale_session() -> WerkzeugResponse | None:
    """A signed-in session ends after PORTAL_SESSION_IDLE_MINUTES without a request, or 12 hours after sign-in: the
    user is signed out and sent to sign in again, with a message. Each request restarts the idle clock."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_app.config["PORTAL_SETTINGS"].session_idle_minutes * 60
    started, seen = session.setdefault("signed_in_at", now), session.get("seen_at", now)
    if now - seen > idle or now - started > SESSION_LIFETIME_SECONDS:
        logout_user()
        session.clear()
        flash(translate("登录已过期（长时间未操作或已超过 12 小时），请重新登录。"), "info")
        return redirect(url_for("users.login", next=request.path if request.method == "GET" else None), code=303)
    session["seen_at"] = now
    return None


def init_app(app: Flask) -> None:
    set_translator(translate)  # labels of stored codes, in the reader's language
    app.jinja_env.globals.update(
        codes=SimpleNamespace(**labelled_enums()),
        url_with=url_with,
        lang_url=lang_url,
        feed_url=feed_url,
        today=clock.today,
        current_locale=lambda: str(get_locale()),
        html_lang=html_lang,
        site_name=site_name,
        uploads=uploads,  # the upload policies, for the words of size limits (error.html)
        field_attrs=field_attrs,
        workspace_links=workspace_links,
    )
    app.jinja_env.filters.update(
        yuan=format_yuan,
        date=format_date,
        instant=format_instant,
        markdown=lambda text: Markup(render_markdown(text)),
    )

    app.before_request(end_stale_session)

    @app.after_request
    def _headers(response: Response) -> Response:
        lang = request.args.get("lang")
        # ?lang= is remembered in a cookie, set only when it changes: a page that sets a cookie is kept by no cache
        if lang in LANGUAGES and request.cookies.get("lang") != lang:
            response.set_cookie("lang", lang, max_age=LANG_COOKIE_AGE, samesite="Lax", httponly=True)
        # Never kept by a cache: answers to posts (receipts), pages carrying a CSRF token (every form), the
        # workspace (its file downloads included) and anything shown to a signed-in user.
        private = request.method == "POST" or "csrf_token" in g or request.path.startswith("/workspace")
        if private or current_user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
        response.headers.setdefault("Content-Language", html_lang())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if current_app.config["PORTAL_SETTINGS"].is_production:  # browsers keep to https for a year
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> WerkzeugResponse | HTTPException:
        if error.code is None or error.code < 400:
            return error
        titles = {
            404: _("页面不存在"),
            405: _("不支持的请求方法"),
            413: _("提交的内容太大"),
            400: _("请求有误"),
            403: _("没有权限"),
            429: _("尝试次数过多"),
        }
        response = error.get_response()  # keeps headers such as Allow on 405
        if isinstance(error, CSRFError):
            message = _("表单已过期或缺少安全令牌，未做任何更改。请返回、刷新页面后重新提交。")
        else:  # a message of ours (abort(400, message)), not werkzeug's generic English one
            message = error.description if error.description != type(error).description else None
        response.set_data(
            render_template("error.html", code=error.code, title=titles.get(error.code, error.name), message=message)
        )
        response.content_type = "text/html; charset=utf-8"
        return response

    app.register_error_handler(RefusedError, answer_refusal)

    @app.errorhandler(IntegrityError)
    def _conflict(_error: IntegrityError) -> WerkzeugResponse | tuple[str, int]:
        """Two requests changed the same thing at once and this one lost: nothing of it was kept."""
        db.session.rollback()
        done = redirect_if_form_spent()
        if done is not None:
            return done
        message = _("同一内容刚刚被其他请求修改，本次提交未做任何更改。请刷新页面后重试。")
        return render_template("error.html", code=409, title=_("提交冲突"), message=message), 409

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        """SQLite: another request held the write lock longer than the busy timeout. Nothing of this one was kept;
        say so and when to try again (anything else is a real error)."""
        if "database is locked" not in str(error.orig):
            raise error
        db.session.rollback()
        message = _("网站正忙，本次提交未做任何更改。请稍等几秒后重试。")
        return render_template("error.html", code=503, title=_("网站正忙"), message=message), 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> tuple[str, int]:
        return render_template("error.html", code=500, title=_("服务器出错了")), 500
