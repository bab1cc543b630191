"""Staff close a ledger item by recording what happened (rules.Closing.MANUAL): the court's notice of 执行立案 came
(泰信用办〔2022〕12号 二(四)), the month's 通报 went out (新信用发〔2018〕6号 二(八)), an undertaking made at a 约谈
was kept (如东县办法 三(二))."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.audit.operations import write_audit
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.supervision.models import LedgerItem
from portal.supervision.operations.ledger import close_item, refresh_subject
from portal.supervision.queries.ledger import AUDIT_ENTITY
from portal.supervision.rules import ClosedHow, Closing
from portal.users.models import User

NOTE_MAX = 2000


def check_closable(item: LedgerItem) -> None:
    """NotAllowedError (409) unless staff may close the item by a note: it is open and its rule closes it so."""
    if item.closed_on is not None:
        raise NotAllowedError(_l("该事项已于 %(day)s 办结，不能再次办结。", day=item.closed_on.isoformat()))
    closing = item.rule.spec.closing
    if closing is not Closing.MANUAL:
        raise NotAllowedError(_l("该事项的办结方式是“%(how)s”，不能登记办结。", how=closing.label))


def close_by_note(item: LedgerItem, on: date, note: str, today: date, *, by: User) -> None:
    """Close `item` on `on` with staff's note of what was done. NotAllowedError (409): the item is closed already,
    or its rule closes it otherwise (a letter, a meeting, the case itself). RefusedError beside the field: a day
    after today or before the item was opened, no note. The items of the same subject are derived again at once, so
    that what follows is due from today (泰信用办〔2022〕12号 二(四): the notice came, the body is reminded)."""
    check_closable(item)
    problems = {}
    if on > today:
        problems["closed_on"] = _l("办结日期不能晚于今天（%(day)s）。", day=today.isoformat())
    elif on < item.opened_on:
        problems["closed_on"] = _l("办结日期不能早于事项列入台账的日期（%(day)s）。", day=item.opened_on.isoformat())
    text = note.strip()
    if not text:
        problems["closed_note"] = _l("请写明办结情况，例如收到法院通报的日期和文号。")
    elif len(text) > NOTE_MAX:
        problems["closed_note"] = _l("太长了：最多 %(max)d 个字符。", max=NOTE_MAX)
    if problems:
        raise InputRefusedError(problems)
    close_item(item, ClosedHow.MANUAL, on, by=by, note=text)
    db.session.flush()
    if item.subject_id is not None:  # what follows from it is due at once (the court's notice: the reminder)
        refresh_subject(item.subject_type, item.subject_id, today)
    write_audit(
        "ledger.close",
        AUDIT_ENTITY,
        item.id,
        {
            "closed_on": [None, on.isoformat()],
            "closed_how": [None, ClosedHow.MANUAL.value],
            "closed_note": [None, text],
        },
        by=by,
    )
    db.session.flush()
