"""Query-string parsing for every public list: filters are validated; a bad value gives 400 and the list page again,
with the message beside its field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from portal.core.regions import is_region_code
from portal.extensions import db
from portal.forms import normalise_uscc, uscc_message

MAX_PAGE = 10_000
MAX_PARAM_LENGTH = 200


@dataclass(frozen=True)
class ListQuery:
    """A list's validated filters and page number, and the problems with what was asked (name -> message)."""

    filters: dict[str, Any]
    page: int
    problems: dict[str, str]

    @property
    def status(self) -> int:
        return 400 if self.problems else 200


Validator = Callable[[str], Any]


def choice(values: Iterable[str]) -> Validator:
    allowed = frozenset(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(_("不是可选的值"))
        return value

    return check


def year(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) == 4 and 1990 <= int(value) <= 2100):
        raise ValueError(_("应为四位年份，如 2026"))
    return int(value)


def uscc_param(value: str) -> str:
    """A 统一社会信用代码 filter: what is wrong with it in the same words as on the forms."""
    code = normalise_uscc(value)
    message = uscc_message(code)
    if message:
        raise ValueError(message)
    return code


def region_param(value: str) -> str:
    if not is_region_code(value):
        raise ValueError(_("应为 6 位或 9 位行政区划代码"))
    return value


def parse_list_query(args: Mapping[str, str], spec: Mapping[str, Validator]) -> ListQuery:
    """The filters named in `spec` that are present and non-empty, validated, and the page number.
    Unknown parameters are ignored (links from elsewhere may add tracking parameters)."""
    problems: dict[str, str] = {}
    filters: dict[str, Any] = {}
    for name, validate in spec.items():
        raw = args.get(name, "").strip()
        if not raw:
            continue
        if len(raw) > MAX_PARAM_LENGTH:
            problems[name] = _("太长（最多 %(n)d 个字符）", n=MAX_PARAM_LENGTH)
            continue
        if not raw.isprintable():
            problems[name] = _("含有控制字符")
            continue
        try:
            filters[name] = validate(raw)
        except ValueError as exc:
            problems[name] = str(exc) or _("无效的值")
    page_text = args.get("page", "1").strip() or "1"
    page = int(page_text) if page_text.isascii() and page_text.isdigit() and len(page_text) <= 5 else 0
    if not 1 <= page <= MAX_PAGE:
        problems["page"] = _("页码应为 1 到 %(n)d 之间的整数", n=MAX_PAGE)
    return ListQuery(filters, page if not problems else 1, problems)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query: Select[Any], asked: ListQuery) -> Page:
    """One count query and one page query (PORTAL_PAGE_SIZE items); a page past the end is simply empty, and a
    query with problems asks the database nothing."""
    per_page: int = current_app.config["PORTAL_SETTINGS"].page_size
    if asked.problems:
        return Page([], 1, per_page, 0)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((asked.page - 1) * per_page)))
    return Page(items, asked.page, per_page, total)
