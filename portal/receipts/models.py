from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class NumberSequence(db.Model):  # type: ignore[name-defined]
    """The last serial given for one prefix and year (e.g. TS-2026): numbers are handed out by an UPDATE of this row
    in the filing's own transaction, so concurrent filings never get the same number and a failed one gives its
    number back."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
