"""Column types shared by every feature's models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, CheckConstraint, DateTime, String, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from portal.core.labelled import LabelledEnum

E = TypeVar("E", bound=LabelledEnum)

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK that `column` holds one of the codes of an enum (pass the enum itself), so that no unknown code is
    ever stored."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_known")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Instants are stored in UTC (naive in the database) and always come back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; instants must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Coded(TypeDecorator[E]):
    """A LabelledEnum column: stored as its code in a string column (whose CHECK comes from the same enum, see
    `one_of`), read back as the member, so `record.status.label` is its label."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """The code as stored; an unknown code is left for the database's CHECK to refuse (IntegrityError)."""
        return None if value is None else str(value.value if isinstance(value, self.enum) else value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum


@event.listens_for(Mapper, "mapper_configured")
def _coerce_codes_on_set(mapper: Mapper[Any], class_: type) -> None:
    """A code assigned as a plain string ("public") becomes its member at once, so `record.status.label` and
    `is` comparisons hold before the row is read back; an unknown code is kept for the CHECK to refuse."""
    for prop in mapper.column_attrs:
        coded = prop.columns[0].type
        if isinstance(coded, Coded):

            def coerce(
                _target: Any, value: Any, _old: Any, _initiator: Any, enum: type[LabelledEnum] = coded.enum
            ) -> Any:
                return enum(value) if isinstance(value, str) and value in enum.codes() else value

            event.listen(getattr(class_, prop.key), "set", coerce, retval=True)
