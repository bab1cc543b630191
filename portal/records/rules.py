"""Record statuses, the transitions between them, and when a record is public. Pure: `today` is an argument."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.labelled import N_, LabelledEnum
from portal.core.periods import DisclosureWindow, PeriodBounds, Severity, disclosure_window


class RecordStatus(LabelledEnum):
    PUBLIC = "public", N_("公示中")
    RECTIFYING = "rectifying", N_("整改中")
    FULFILLED = "fulfilled", N_("已履行")
    REPAIRED = "repaired", N_("已修复")
    EXPIRED = "expired", N_("公示期满")
    REVOKED = "revoked", N_("已撤销")


# The status changes allowed (core.transitions.check_transition checks one against it).
TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.PUBLIC: frozenset(
        {RecordStatus.RECTIFYING, RecordStatus.FULFILLED, RecordStatus.EXPIRED, RecordStatus.REVOKED}
    ),
    RecordStatus.RECTIFYING: frozenset({RecordStatus.FULFILLED, RecordStatus.EXPIRED, RecordStatus.REVOKED}),
    RecordStatus.FULFILLED: frozenset({RecordStatus.REPAIRED, RecordStatus.EXPIRED, RecordStatus.REVOKED}),
    RecordStatus.REPAIRED: frozenset(),
    RecordStatus.EXPIRED: frozenset(),
    RecordStatus.REVOKED: frozenset(),
}

# Statuses in which a record is shown, as long as its maximum disclosure period has not passed.
SHOWN_STATUSES: frozenset[RecordStatus] = frozenset(
    {RecordStatus.PUBLIC, RecordStatus.RECTIFYING, RecordStatus.FULFILLED}
)


@dataclass(frozen=True)
class StopNotice:
    """Why and since when a record is no longer published (the 410 page shows it)."""

    reason: RecordStatus  # REPAIRED, EXPIRED or REVOKED
    since: date


def publication_stop(status: RecordStatus, stopped_on: date | None, max_end: date, today: date) -> StopNotice | None:
    """None while the record is shown; otherwise why and since when it stopped. Stopped statuses always carry
    their stop date (a database constraint sees to it); without one the notice never names a future day."""
    if status not in SHOWN_STATUSES:
        return StopNotice(status, stopped_on or min(max_end, today))
    if today >= max_end:
        return StopNotice(RecordStatus.EXPIRED, max_end)
    return None


def is_published(status: RecordStatus, start: date, max_end: date, today: date) -> bool:
    """The one rule of publication: started, not stopped, maximum period not reached (SQL twin:
    Record.public_clause)."""
    return start <= today and publication_stop(status, None, max_end, today) is None


def repair_allowed(status: RecordStatus, min_end: date, today: date) -> bool:
    """Credit repair may be asked for once the obligations are fulfilled (the only status that may become
    已修复) and the minimum disclosure period has passed."""
    return status is RecordStatus.FULFILLED and today >= min_end


def publication_window(
    decision_date: date, severity: str, today: date, periods: Mapping[Severity, PeriodBounds]
) -> DisclosureWindow:
    """A record entered today is published from today; its minimum and maximum ends count from the decision date."""
    window = disclosure_window(decision_date, Severity(severity), periods)
    return DisclosureWindow(start=today, min_end=window.min_end, max_end=window.max_end)


def decision_date_problem(decision_date: date, max_end: date, today: date) -> Any:
    """Why a decision date cannot be published (a lazy message), or None: it lies in the future, or its maximum
    disclosure period has already ended (the record would never be shown)."""
    if decision_date > today:
        return _l("决定日期不能晚于今天（%(today)s）", today=today.isoformat())
    if max_end <= today:
        return _l("按此决定日期和严重程度，最长公示期已于 %(day)s 届满，不能再公示", day=max_end.isoformat())
    return None


def diff_values(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[str]]:
    """{name: [old, new]} for every value that differs (a missing value counts as ""), in the order of `new`,
    then names only `old` has."""
    names = dict.fromkeys([*new, *old])
    return {name: [old.get(name, ""), new.get(name, "")] for name in names if old.get(name, "") != new.get(name, "")}
