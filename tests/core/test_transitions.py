"""The one state-transition check, over each feature's table (every table is also tested in its feature)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

import pytest

from portal.commitments.rules import FULFILMENT_TRANSITIONS, Fulfilment
from portal.complaints.rules import TRANSITIONS as COMPLAINT_TRANSITIONS
from portal.complaints.rules import ComplaintStatus
from portal.core.transitions import TransitionError, check_transition
from portal.objections.rules import TRANSITIONS as OBJECTION_TRANSITIONS
from portal.objections.rules import ObjectionStatus
from portal.records.rules import TRANSITIONS as RECORD_TRANSITIONS
from portal.records.rules import RecordStatus

TABLE = {"a": frozenset({"b", "c"}), "b": frozenset({"c"}), "c": frozenset()}


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("a", "b", True),
        ("a", "c", True),
        ("b", "c", True),
        ("a", "a", False),  # staying put is not a step
        ("b", "a", False),  # no way back
        ("c", "a", False),  # final
        ("c", "c", False),
        ("x", "a", False),  # a status the table does not know
        ("a", "x", False),
    ],
)
def test_check_transition(current: str, new: str, allowed: bool) -> None:
    if allowed:
        check_transition(TABLE, current, new)  # no TransitionError
    else:
        with pytest.raises(TransitionError) as caught:
            check_transition(TABLE, current, new)
        assert (caught.value.current, caught.value.new) == (current, new)
        assert str(caught.value) == f"cannot go from {current!r} to {new!r}"


@pytest.mark.parametrize(
    ("table", "current", "new"),
    [
        (COMPLAINT_TRANSITIONS, ComplaintStatus.CLOSED, ComplaintStatus.SUBMITTED),
        (OBJECTION_TRANSITIONS, ObjectionStatus.UPHELD, ObjectionStatus.ACCEPTED),
        (RECORD_TRANSITIONS, RecordStatus.REVOKED, RecordStatus.PUBLIC),
        (FULFILMENT_TRANSITIONS, Fulfilment.FULFILLED, Fulfilment.IN_PROGRESS),
    ],
)
def test_the_error_carries_the_codes_of_every_features_statuses(
    table: Mapping[Any, Collection[Any]], current: StrEnum, new: StrEnum
) -> None:
    with pytest.raises(TransitionError) as caught:
        check_transition(table, current, new)
    assert type(caught.value.current) is str
    assert caught.value.current == current.value
    assert caught.value.new == new.value
    assert isinstance(caught.value, ValueError)
