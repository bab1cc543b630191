"""The audit log, for staff and admins: filter by who, what and when. Read-only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from portal import clock
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.listing import ListQuery, paginate, parse_list_query
from portal.menu import menu_link
from portal.users.access import STAFF_ROLES, signed_in
from portal.users.rules import Role

bp = Blueprint("audit_workspace", __name__, url_prefix="/workspace/audit")

menu_link("audit_workspace.log", _l("审计日志"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=70)

ACTION = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
ENTITY_TYPE = re.compile(r"[a-z][a-z0-9_]*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _action(value: str) -> str:
    if len(value) > 50 or not ACTION.fullmatch(value):
        raise ValueError(_("应为操作名称，如 user.create，或其前缀，如 user"))
    return value


def _entity_type(value: str) -> str:
    if len(value) > 50 or not ENTITY_TYPE.fullmatch(value):
        raise ValueError(_("应为对象类型，如 user 或 record"))
    return value


def _at_most_50(value: str) -> str:
    if len(value) > 50:
        raise ValueError(_("太长（最多 %(n)d 个字符）", n=50))
    return value


def _actor(value: str) -> str:
    if len(value) > 100:
        raise ValueError(_("太长（最多 %(n)d 个字符）", n=100))
    return value


def _local_date(value: str) -> date:
    """A day of the portal's calendar (Asia/Shanghai), written YYYY-MM-DD."""
    try:
        day = date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not 1990 <= day.year <= 2100:
        raise ValueError(_("应为日期，格式为 YYYY-MM-DD，如 2026-11-20"))
    return day


FILTERS: dict[str, Callable[[str], Any]] = {
    "actor": _actor,
    "action": _action,
    "entity_type": _entity_type,
    "entity_id": _at_most_50,
    "from": _local_date,
    "to": _local_date,
}


def _parse(args: Any) -> ListQuery:
    """The filters one by one (parse_list_query), then what concerns two of them."""
    asked = parse_list_query(args, FILTERS)
    problems = dict(asked.problems)
    filters = asked.filters
    if "from" in filters and "to" in filters and filters["to"] < filters["from"]:
        problems["to"] = _("结束日期不能早于开始日期")
    if "entity_id" in filters and "entity_type" not in filters:
        problems["entity_id"] = _("请同时选择对象类型")
    if problems == asked.problems:
        return asked
    return ListQuery(filters, 1, problems)


def _start_of(day: date) -> datetime:
    """The instant a local day begins (the log stores instants in UTC)."""
    zone = ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone)
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def entries(filters: dict[str, Any]) -> Select[tuple[AuditEntry]]:
    query = select(AuditEntry)
    if "actor" in filters:
        query = query.where(AuditEntry.actor == filters["actor"])
    if "action" in filters:
        action = filters["action"]  # exactly, or as a prefix: "user" finds user.create, user.role...
        prefix = AuditEntry.action.startswith(action + ".", autoescape=True)
        query = query.where(or_(AuditEntry.action == action, prefix))
    if "entity_type" in filters:
        query = query.where(AuditEntry.entity_type == filters["entity_type"])
    if "entity_id" in filters:
        query = query.where(AuditEntry.entity_id == filters["entity_id"])
    if "from" in filters:
        query = query.where(AuditEntry.at >= _start_of(filters["from"]))
    if "to" in filters:
        query = query.where(AuditEntry.at < _start_of(filters["to"] + timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def action_groups(actions: list[str]) -> list[tuple[str, list[str]]]:
    """The distinct actions grouped by their prefix ("user" holds user.create, user.role...), for the select."""
    groups: dict[str, list[str]] = {}
    for action in actions:
        groups.setdefault(action.split(".", 1)[0], []).append(action)
    return sorted(groups.items())


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def changes_shown(changes: Any) -> list[tuple[str, str | None, str]]:
    """(field, old, new) for each change; old is None when the entry holds a plain value rather than [old, new]."""
    if not isinstance(changes, dict):
        return [("", None, _shown(changes))] if changes else []
    rows: list[tuple[str, str | None, str]] = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            rows.append((str(name), _shown(value[0]), _shown(value[1])))
        else:
            rows.append((str(name), None, _shown(value)))
    return rows


def entered(args: Any) -> dict[str, str]:
    """What was typed into the text filters, to show it again: shortened, control characters made visible."""
    return {
        name: "".join(ch if ch.isprintable() else "\ufffd" for ch in str(args.get(name, ""))[:100])
        for name in ("actor", "entity_id", "from", "to")
    }


def stamp(instant: datetime) -> str:
    return clock.local_time(instant).strftime("%Y-%m-%d %H:%M:%S")


@bp.get("/")
@signed_in(*STAFF_ROLES)
def log() -> tuple[str, int]:
    asked = _parse(request.args)
    results = paginate(entries(asked.filters), asked)
    actions = list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
    entity_types = list(db.session.scalars(select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)))
    return (
        render_template(
            "audit/log.html",
            results=results,
            asked=asked,
            action_groups=action_groups(actions),
            entity_types=entity_types,
            entered=entered(request.args),
            changes_shown=changes_shown,
            stamp=stamp,
        ),
        asked.status,
    )
