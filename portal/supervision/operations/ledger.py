"""The 工作台账's items: derived from the cases by the rules (rules.py), and closed by letters, meetings, staff's
notes or the cases themselves.

`refresh_ledger(today)` is the daily job (`flask --app portal supervision run`): it derives every item the rules
ask for and writes only what changed, so a second run changes nothing. `refresh_subject(...)` derives the items of
one case, meeting, campaign … at once, for the operations that change it (a case registered shows its 提醒函 due
at once, not tomorrow). `close_item` closes one item (a letter sent, a meeting held, staff's note)."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.supervision.models import LedgerItem, Letter, Meeting
from portal.supervision.rules import ClosedHow


def close_item(
    item: LedgerItem,
    how: ClosedHow,
    on: date,
    *,
    by: Any | None,
    note: str = "",
    letter: Letter | None = None,
    meeting: Meeting | None = None,
) -> None:
    """Close `item` on `on`, saying how (and by whom, with the letter or meeting that closed it)."""
    item.closed_on = on
    item.closed_how = how
    item.closed_note = note
    item.closed_by_id = by.id if by is not None else None
    if letter is not None:
        item.letter_id = letter.id
    if meeting is not None:
        item.meeting_id = meeting.id
