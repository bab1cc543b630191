"""Record statuses, the transitions between them, and when a record is public. Pure: `today` is an argument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class RecordStatus(StrEnum):
    PUBLIC = "public"  # 公示中
    RECTIFYING = "rectifying"  # 整改中
    FULFILLED = "fulfilled"  # 已履行
    REPAIRED = "repaired"  # 已修复
    EXPIRED = "expired"  # 公示期满
    REVOKED = "revoked"  # 已撤销


class InvalidTransition(ValueError):
    """A status change that the rules do not allow; the message names both statuses."""


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


def check_transition(current: RecordStatus, new: RecordStatus) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(f"a record cannot go from {current.value!r} to {new.value!r}")


@dataclass(frozen=True)
class StopNotice:
    """Why and since when a record is no longer published (the 410 page shows it)."""

    reason: RecordStatus  # REPAIRED, EXPIRED or REVOKED
    since: date


def publication_stop(status: RecordStatus, stopped_on: date | None, max_end: date, today: date) -> StopNotice | None:
    """None while the record is public; otherwise why it stopped. The one place that decides publication."""
    if status not in SHOWN_STATUSES:
        return StopNotice(status, stopped_on or max_end)
    if today >= max_end:
        return StopNotice(RecordStatus.EXPIRED, max_end)
    return None


def repair_allowed_from(min_end: date) -> date:
    """Credit repair may be asked for from the end of the minimum disclosure period."""
    return min_end
