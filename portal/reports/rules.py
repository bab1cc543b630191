"""The monthly bulletin's pure rules: its states, the month it covers, the figures' as-of day, the columns of its
tables, which 乡镇（街道） a body comes under, and where two sets of figures differ. Pure: `today` is an argument.

The bulletin is the 月度通报 of 新信用发〔2018〕6号 二(八) (每月月底前一个工作日将本月工作情况向各有关单位通报) and the
monthly 监测结果和预警报告 of 沈政办发〔2018〕117号 二(二); its due day is supervision.rules.bulletin_due."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.core.labelled import N_, LabelledEnum
from portal.core.months import Month

# The clauses the bulletin rests on, as the pages and the PDF cite them.
BASIS = "新信用发〔2018〕6号 二(八)；沈政办发〔2018〕117号 二(二)"
FIGURES_VERSION = 1  # the shape of Bulletin.figures; a published bulletin keeps the shape it was made with
TITLE_MAX = 200  # the column's length
TEXT_MAX = 20000  # 总体情况, 典型案例, 下一步工作: each
ERRATUM_MAX = 2000
NOTABLE_EACH = 5  # notable cases picked of each sort


class BulletinState(LabelledEnum):
    """A draft is edited and its figures may be made again; a published bulletin is frozen (corrections are errata)."""

    DRAFT = "draft", N_("草稿")
    PUBLISHED = "published", N_("已发布")


def has_begun(month: Month, today: date) -> bool:
    """A bulletin is drafted only for a month that has begun: its figures count from the month's first day."""
    return month.first_day <= today


def figures_as_of(month: Month, today: date) -> date:
    """The last day the figures count: the month's last day, or today while the month is still running."""
    return min(month.last_day, today)


def recent_months(today: date, count: int) -> list[Month]:
    """Today's month and the `count - 1` before it, newest first (the workspace's list)."""
    months = [Month.of(today)]
    while len(months) < count:
        months.append(months[-1].plus(-1))
    return months


def default_title(month: Month) -> str:
    """The draft's title, in Chinese whatever the reader's language (an official document)."""
    return f"{month.chinese}政务失信治理工作情况通报"


# --- the tables' columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the figure's key in a unit's row of Bulletin.figures
    msgid: str  # its heading (Chinese; translated on the pages, as written in the PDF)


# The per-unit and per-township tables: two tables, so that each reads on a page and a phone.
RECORD_COLUMNS = (
    Column("new_records", N_("新增失信记录")),
    Column("fulfilled", N_("已履行")),
    Column("repaired", N_("信用修复")),
    Column("cleared", N_("停止公示")),
    Column("overdue", N_("逾期未整改")),
    Column("listed", N_("失信被执行人")),
)
WORK_COLUMNS = (
    Column("measures_applied", N_("实施惩戒措施")),
    Column("measures_lifted", N_("解除惩戒措施")),
    Column("interviews", N_("约谈")),
    Column("site_visits", N_("现场督办")),
    Column("letters", N_("发函")),
    Column("complaints_received", N_("收到投诉")),
    Column("complaints_closed", N_("办结投诉")),
)
UNIT_KEYS = tuple(c.key for c in (*RECORD_COLUMNS, *WORK_COLUMNS))


def empty_row() -> dict[str, int]:
    return dict.fromkeys(UNIT_KEYS, 0)


def has_figures(row: Mapping[str, Any]) -> bool:
    """A unit is shown in the per-unit table when any of its figures is not zero."""
    return any(row.get(key) for key in UNIT_KEYS)


# --- 乡镇（街道） ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """What decides the 乡镇（街道） a body comes under: its parent, whether it is a township, its 行政区划代码."""

    id: int
    parent_id: int | None
    is_township: bool
    region_code: str


def townships_of(bodies: Iterable[Body]) -> dict[int, int]:
    """body id → the id of the 乡镇（街道） it comes under: itself when it is one; else the nearest township up its
    parents; else the township whose 行政区划代码 (longer than a county's six digits) begins its own. Bodies under
    none are left out (the county's departments)."""
    by_id = {body.id: body for body in bodies}
    township_regions = sorted(
        ((b.region_code, b.id) for b in by_id.values() if b.is_township and len(b.region_code) > 6),
        key=lambda pair: -len(pair[0]),
    )
    found: dict[int, int] = {}
    for body in by_id.values():
        seen: set[int] = set()
        current: Body | None = body
        while current is not None and current.id not in seen:
            if current.is_township:
                found[body.id] = current.id
                break
            seen.add(current.id)
            current = by_id.get(current.parent_id) if current.parent_id is not None else None
        else:
            region = next((tid for code, tid in township_regions if body.region_code.startswith(code)), None)
            if region is not None:
                found[body.id] = region
    return found


# --- where the live figures differ from the draft's ----------------------------------------------------------------


def flatten(figures: Any, prefix: str = "") -> dict[str, Any]:
    """Every value of a figures document under a path: objects by key, lists of objects by their `key` (so that a
    row that moved is the same row), other lists by place. `figures.totals.new_records`, `units.12.overdue`."""
    out: dict[str, Any] = {}
    if isinstance(figures, Mapping):
        for name, value in figures.items():
            out.update(flatten(value, f"{prefix}{name}."))
    elif isinstance(figures, list):
        for n, value in enumerate(figures):
            name = value.get("key", n) if isinstance(value, Mapping) else n
            out.update(flatten(value, f"{prefix}{name}."))
    else:
        out[prefix[:-1]] = figures
    return out


# Made when the figures were made, not figures: never flagged as a change.
_NOT_FIGURES = frozenset({"version", "month", "as_of"})


def changed_figures(draft: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    """path → the live value, for every figure of the draft whose live value differs (None: gone from the live
    figures) and every live figure the draft does not have; the paths of whole rows that appeared or went are
    given too (`units.12`), so that a table can mark the row."""
    old, new = flatten(draft), flatten(live)
    changed: dict[str, Any] = {}
    for path in old.keys() | new.keys():
        if path.split(".")[0] in _NOT_FIGURES or old.get(path) == new.get(path):
            continue
        changed[path] = new.get(path)
        parts = path.split(".")
        for n in range(1, len(parts)):
            row = ".".join(parts[:n])
            if (row + ".key" in old) != (row + ".key" in new):
                changed.setdefault(row, "row")
    return changed


# --- the figures' names, for the pages and for what changed --------------------------------------------------------

TOTAL_LABELS: dict[str, str] = {
    "new_records": N_("新增失信记录"),
    "fulfilled": N_("已履行（整改办结）"),
    "repaired": N_("准予信用修复"),
    "cleared": N_("停止公示"),
    "overdue": N_("逾期未整改"),
    "measures_applied": N_("实施联合惩戒措施"),
    "measures_lifted": N_("解除联合惩戒措施"),
    "interviews": N_("约谈"),
    "site_visits": N_("现场督办"),
    "letters": N_("发出函件"),
    "complaints_received": N_("收到投诉"),
    "complaints_closed": N_("办结投诉"),
    "complaints_on_time": N_("按期办结投诉"),
    "complaints_not_accepted": N_("不予受理投诉"),
    "defaulters_listed": N_("月末列为失信被执行人的政府机构"),
    "defaulters_listed_before": N_("上月末列为失信被执行人的政府机构"),
    "defaulters_new": N_("本月新列入"),
    "defaulters_cleared": N_("本月退出"),
}
# The sections of the figures, as the pages head them.
SECTION_LABELS: dict[str, str] = {
    "totals": N_("主要数据"),
    "new_by_kind": N_("新增失信记录（按类别）"),
    "fulfilled_by_outcome": N_("已履行（按整改结果）"),
    "cleared_by_status": N_("停止公示（按原因）"),
    "overdue_by_unit": N_("逾期未整改（按单位）"),
    "measures_by_kind": N_("联合惩戒措施（按措施）"),
    "supervision": N_("督办工作"),
    "defaulters": N_("动态清零"),
    "units": N_("各单位情况"),
    "townships": N_("各乡镇（街道）情况"),
    "notable": N_("典型案例"),
}
FIELD_LABELS: dict[str, str] = {
    **{c.key: c.msgid for c in (*RECORD_COLUMNS, *WORK_COLUMNS)},
    "count": N_("数量"),
    "applied": N_("实施"),
    "lifted": N_("解除"),
    "name": N_("名称"),
    "bodies": N_("下辖主体数"),
    "new": N_("本月新列入"),
    "amount_fen": N_("金额"),
    "on": N_("日期"),
}
CHANGES_SHOWN = 50  # the draft page lists at most this many changed figures (and says how many more)


@dataclass(frozen=True)
class Change:
    """One figure the live data has changed since the draft was made, in words."""

    section: str  # msgid
    row: str  # the row's name (a body, a kind's label) or "" for a total
    field: str  # msgid, or "" for a whole row
    draft: Any  # None: the row or figure is not in the draft
    live: Any  # None: no longer in the live figures


def _row_name(figures: Mapping[str, Any], section: str, key: str) -> str:
    rows = figures.get(section)
    if section == "defaulters" and isinstance(rows, Mapping):
        rows = [*rows.get("listed", []), *rows.get("cleared", [])]
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and str(row.get("key")) == key:
            return str(row.get("name") or row.get("agency") or row.get("label") or key)
    return key


def describe_changes(draft: Mapping[str, Any], live: Mapping[str, Any], changed: Mapping[str, Any]) -> list[Change]:
    """The changed figures (changed_figures) in words: section, row, figure, the draft's value and the live one."""
    old = flatten(draft)
    out = []
    for path in sorted(changed):
        parts = path.split(".")
        section = parts[0]
        if changed[path] == "row":
            key = parts[-1]
            name = _row_name(draft, section, key) if path + ".key" in old else _row_name(live, section, key)
            present = path + ".key" in old
            out.append(
                Change(SECTION_LABELS.get(section, section), name, "", "" if present else None, None if present else "")
            )
            continue
        if any(".".join(parts[:n]) in changed and changed[".".join(parts[:n])] == "row" for n in range(1, len(parts))):
            continue  # told by its row
        if section == "totals":
            out.append(
                Change(
                    SECTION_LABELS["totals"], "", TOTAL_LABELS.get(parts[-1], parts[-1]), old.get(path), changed[path]
                )
            )
            continue
        key = parts[-2] if len(parts) >= 3 else ""
        out.append(
            Change(
                SECTION_LABELS.get(section, section),
                _row_name(draft, section, key) if key else "",
                FIELD_LABELS.get(parts[-1], parts[-1]),
                old.get(path),
                changed[path],
            )
        )
    return out
