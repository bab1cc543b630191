from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import joinedload

from portal.records.models import Record
from portal.rectifications.models import Rectification


def public_outcomes(today: date, agency_id: int | None = None) -> Select[Any]:
    """Finished rectifications (整改结果) of records that are still public, newest first.
    Written as EXISTS so that the newest-finished index drives the query and a page reads only what it shows."""
    record_is_shown = Record.public_clause(today)
    if agency_id is not None:
        record_is_shown = and_(record_is_shown, Record.agency_id == agency_id)
    return (
        select(Rectification)
        .where(Rectification.finished_on.is_not(None), Rectification.record.has(record_is_shown))
        .options(joinedload(Rectification.record).joinedload(Record.agency))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
    )
