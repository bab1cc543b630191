from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from portal.records.models import Record
from portal.rectifications.models import Rectification


def public_outcomes(today: date) -> Select[tuple[Rectification]]:
    """Finished rectifications (整改结果) of records that are still public, newest first."""
    return (
        select(Rectification)
        .join(Rectification.record)
        .where(Rectification.finished_on.is_not(None), Record.public_clause(today))
        .options(contains_eager(Rectification.record).joinedload(Record.agency))
        .order_by(Rectification.finished_on.desc(), Rectification.id.desc())
    )


