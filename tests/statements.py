"""Counting the SQL statements a block of code sends (the pages that must not ask one query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db


@contextmanager
def counted() -> Iterator[list[str]]:
    """The statements sent to the app's engine inside the block, in order."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
