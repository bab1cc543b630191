"""Scoring a month (泰信用办〔2022〕12号 二(六) 信用画像): every agency's score and grade, stored with the method
version and each indicator's part.

When a month is scored, and what is kept:
- a month is scored once it is over, as of its last day (`as_of`); the current month is not scored or stored (the
  pages show the latest finished month), so a stored score never changes under a reader;
- scoring a month that is already scored changes nothing: the stored scores, their method version and their parts
  are history. Only an agency with no score for that month yet (added to the registry since) is scored, by the
  version the month was stored with;
- an unscored month is scored by the newest method whose first month is not after it (rules.choose_method).
The view or the command commits; this writes the scores and one audit entry, and flushes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from portal.audit.operations import write_audit
from portal.core.months import Month
from portal.errors import RefusedError
from portal.evaluation.models import AgencyScore
from portal.evaluation.queries import agencies_to_score, indicator_values, stored_versions
from portal.evaluation.rules import (
    Value,
    choose_method,
    compute,
    methods,
)
from portal.extensions import db

if TYPE_CHECKING:
    from portal.users.models import User


@dataclass(frozen=True)
class Scored:
    """What scoring a month did."""

    month: Month
    version: str
    scored: int  # agencies scored now
    kept: int  # agencies already scored for the month, left as they were


def score_month(month: Month, today: date, *, by: User | None = None) -> Scored:
    """Score every agency for `month`, once: a month that has scores is history and is left as it is (an agency
    registered since is not slipped into a published ranking). Refused (RefusedError on the field `month`) for
    a month not yet over, or one before every method's first month."""
    if not month.is_finished(today):
        raise RefusedError(
            _l("%(month)s 尚未结束：每月结束后才评分（按该月最后一天的数据）。", month=str(month)), field="month"
        )
    known = methods()
    stored = stored_versions(month)
    # every stored score of a month carries the same version: the first one scored keeps it for the rest
    method = choose_method(known, month, min(stored.values()) if stored else None)
    if method is None:
        raise RefusedError(
            _l(
                "%(month)s 早于评价方法的首个适用月份（%(first)s），不能评分。",
                month=str(month),
                first=str(known[0].first_month),
            ),
            field="month",
        )
    if stored:
        return Scored(month, method.version, 0, len(stored))
    missing = agencies_to_score(month)
    values = indicator_values(month, method)
    for agency in missing:
        score = compute(method, {indicator: counts.get(agency.id, Value()) for indicator, counts in values.items()})
        db.session.add(
            AgencyScore(
                agency_id=agency.id,
                month=str(month),
                method_version=method.version,
                score_tenths=score.total_tenths,
                grade=score.grade,
                parts=[part.as_json() for part in score.parts],
                as_of=month.last_day,
            )
        )
    write_audit(
        "evaluation.score",
        "month",
        str(month),
        {"method_version": [None, method.version], "scored": [None, len(missing)], "kept": [None, len(stored)]},
        actor="evaluation run",
        by=by,
    )
    db.session.flush()
    return Scored(month, method.version, len(missing), len(stored))
