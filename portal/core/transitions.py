"""The one check of a state transition against a feature's table (`rules.TRANSITIONS`: each status to the statuses
it may go to). Pure: the error carries the two codes; the edge says in words what the reader is refused."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypeVar

S = TypeVar("S", bound=str)


class TransitionError(ValueError):
    """The table forbids going from `current` to `new` (the item was handled meanwhile, or the step is out of
    order). Both are codes (the statuses' values)."""

    def __init__(self, current: str, new: str) -> None:
        super().__init__(f"cannot go from {str(current)!r} to {str(new)!r}")
        self.current = str(current)
        self.new = str(new)


def check_transition(table: Mapping[S, Collection[S]], current: S, new: S) -> None:
    """None if `table` lets `current` go to `new`; TransitionError otherwise (also for a status the table lacks)."""
    if new not in table.get(current, ()):
        raise TransitionError(current, new)
