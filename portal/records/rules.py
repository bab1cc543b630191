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
