from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.rectifications.rules import (
    CaseState,
    Outcome,
    Plan,
    Step,
    StepState,
    case_state,
    is_overdue,
    step_state,
)

if TYPE_CHECKING:
    from portal.records.models import Record


class Rectification(db.Model):  # type: ignore[name-defined]
    """How a record is being put right (整改); finished, it is published as an outcome (整改结果)."""

    __tablename__ = "rectifications"
    __table_args__ = (
        Index("ix_rectifications_finished", "finished_on", "id"),
        one_of("outcome", Outcome),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)
    responsible_unit: Mapped[str] = mapped_column(String(200))
    responsible_post: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date]  # the overall 整改期限
    outcome: Mapped[Outcome | None] = mapped_column(Coded(Outcome, 16))
    finished_on: Mapped[date | None]
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    outcome_basis: Mapped[str] = mapped_column(Text, default="")  # 依据: the document that shows the result
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    record: Mapped[Record] = relationship(back_populates="rectification")
    progress: Mapped[list[ProgressEntry]] = relationship(order_by="ProgressEntry.entry_date")
    steps: Mapped[list[PlanStep]] = relationship(order_by="PlanStep.position", cascade="all, delete-orphan")
    revisions: Mapped[list[PlanRevision]] = relationship(order_by="PlanRevision.id")

    def _open_deadlines(self) -> list[date]:
        return [s.deadline for s in self.steps if s.done_on is None]

    def is_overdue(self, today: date) -> bool:
        """逾期未整改: the overall deadline or an open measure's has passed (a state, never a result)."""
        return is_overdue(self.deadline, self.outcome, today, self._open_deadlines())

    def state(self, today: date) -> CaseState:
        return case_state(self.deadline, self.outcome, today, self._open_deadlines())

    @property
    def measures(self) -> str:
        """The measures in one text (search documents index it)."""
        return "；".join(s.text for s in self.steps)

    def as_plan(self) -> Plan:
        return Plan(
            responsible_unit=self.responsible_unit,
            responsible_post=self.responsible_post,
            steps=tuple(Step(s.text, s.deadline) for s in self.steps),
            deadline=self.deadline,
        )


class PlanStep(db.Model):  # type: ignore[name-defined]
    """One measure of the plan (措施清单): what is to be done, its own deadline, and the day it was done."""

    __tablename__ = "rectification_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    done_on: Mapped[date | None]

    @property
    def state(self) -> StepState:
        return step_state(self.done_on)

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and today > self.deadline


class PlanRevision(db.Model):  # type: ignore[name-defined]
    """An adjustment of a published plan (调整记录): what changed (old → new), when and why; shown publicly."""

    __tablename__ = "rectification_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    revised_on: Mapped[date]
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # field -> [old, new], as shown
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProgressEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "rectification_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    entry_date: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
