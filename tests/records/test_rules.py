"""Record status transitions and the single rule that decides whether a record is still published."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from portal.core.transitions import TransitionError, check_transition
from portal.records.rules import (
    SHOWN_STATUSES,
    TRANSITIONS,
    RecordStatus,
    StopNotice,
    is_published,
    publication_stop,
    repair_allowed,
)

S = RecordStatus

# 公示中 → 整改中 → 已履行 → (已修复 | 公示期满 | 已撤销),
# written out by hand so that a change to the table shows.
ALLOWED = {
    (S.PUBLIC, S.RECTIFYING),
    (S.PUBLIC, S.FULFILLED),
    (S.PUBLIC, S.EXPIRED),
    (S.PUBLIC, S.REVOKED),
    (S.RECTIFYING, S.FULFILLED),
    (S.RECTIFYING, S.EXPIRED),
    (S.RECTIFYING, S.REVOKED),
    (S.FULFILLED, S.REPAIRED),
    (S.FULFILLED, S.EXPIRED),
    (S.FULFILLED, S.REVOKED),
}
FORBIDDEN = sorted(set(product(RecordStatus, RecordStatus)) - ALLOWED)


def test_transition_table_is_the_documented_one() -> None:
    assert set(TRANSITIONS) == set(RecordStatus)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert len(FORBIDDEN) == 26


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_allowed_transitions_pass(current: RecordStatus, new: RecordStatus) -> None:
    check_transition(TRANSITIONS, current, new)  # no TransitionError


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_other_transitions_raise(current: RecordStatus, new: RecordStatus) -> None:
    with pytest.raises(TransitionError) as caught:
        check_transition(TRANSITIONS, current, new)
    assert repr(current.value) in str(caught.value)
    assert repr(new.value) in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("status", [S.REPAIRED, S.EXPIRED, S.REVOKED])
def test_final_statuses_have_no_way_out(status: RecordStatus) -> None:
    assert TRANSITIONS[status] == frozenset()


def test_shown_statuses() -> None:
    assert frozenset({S.PUBLIC, S.RECTIFYING, S.FULFILLED}) == SHOWN_STATUSES


MAX_END = date(2026, 3, 15)
BEFORE, AT, AFTER = date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 16)
STOPPED_ON = date(2025, 12, 1)


@pytest.mark.parametrize(
    ("status", "stopped_on", "today", "expected"),
    [
        *[(s, None, BEFORE, None) for s in (S.PUBLIC, S.RECTIFYING, S.FULFILLED)],
        *[(s, None, date(2025, 1, 1), None) for s in (S.PUBLIC, S.RECTIFYING, S.FULFILLED)],
        *[(s, None, AT, StopNotice(S.EXPIRED, MAX_END)) for s in (S.PUBLIC, S.RECTIFYING, S.FULFILLED)],
        *[(s, None, AFTER, StopNotice(S.EXPIRED, MAX_END)) for s in (S.PUBLIC, S.RECTIFYING, S.FULFILLED)],
        (S.PUBLIC, None, date(2030, 1, 1), StopNotice(S.EXPIRED, MAX_END)),
        # A stopped record keeps its own reason and date, before or after the maximum.
        (S.REPAIRED, STOPPED_ON, BEFORE, StopNotice(S.REPAIRED, STOPPED_ON)),
        (S.REPAIRED, STOPPED_ON, AFTER, StopNotice(S.REPAIRED, STOPPED_ON)),
        (S.REVOKED, STOPPED_ON, BEFORE, StopNotice(S.REVOKED, STOPPED_ON)),
        (S.REVOKED, STOPPED_ON, AT, StopNotice(S.REVOKED, STOPPED_ON)),
        (S.REVOKED, STOPPED_ON, AFTER, StopNotice(S.REVOKED, STOPPED_ON)),
        (S.EXPIRED, date(2026, 3, 20), AFTER, StopNotice(S.EXPIRED, date(2026, 3, 20))),
        # Without a recorded stop date: the maximum end, or today if that is still ahead (never a future day).
        (S.EXPIRED, None, AFTER, StopNotice(S.EXPIRED, MAX_END)),
        (S.REPAIRED, None, BEFORE, StopNotice(S.REPAIRED, BEFORE)),
        (S.REVOKED, None, BEFORE, StopNotice(S.REVOKED, BEFORE)),
    ],
)
def test_publication_stop(
    status: RecordStatus, stopped_on: date | None, today: date, expected: StopNotice | None
) -> None:
    assert publication_stop(status, stopped_on, MAX_END, today) == expected


START = date(2025, 3, 15)


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (S.PUBLIC, date(2025, 3, 14), False),  # not yet started
        (S.PUBLIC, START, True),
        (S.RECTIFYING, BEFORE, True),
        (S.FULFILLED, BEFORE, True),
        (S.FULFILLED, AT, False),  # the maximum end: stopped by itself
        (S.REPAIRED, BEFORE, False),
        (S.REVOKED, START, False),
        (S.EXPIRED, BEFORE, False),
    ],
)
def test_is_published(status: RecordStatus, today: date, expected: bool) -> None:
    assert is_published(status, START, MAX_END, today) is expected


MIN_END = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (S.FULFILLED, MIN_END, True),
        (S.FULFILLED, date(2025, 6, 14), False),  # minimum period not yet over
        (S.PUBLIC, date(2025, 7, 1), False),  # obligations not fulfilled
        (S.RECTIFYING, date(2025, 7, 1), False),
        (S.REPAIRED, date(2025, 7, 1), False),
    ],
)
def test_repair_allowed(status: RecordStatus, today: date, expected: bool) -> None:
    assert repair_allowed(status, MIN_END, today) is expected
