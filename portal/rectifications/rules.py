"""Rectification plans (整改方案), their measures, outcomes and when a case is overdue. Pure: `today` is an argument.

One plan per case (一案一策, 沈政办发〔2018〕117号 二(三)): a responsible unit and post, a list of measures each with
its own deadline, and an overall deadline (如东县政务失信防范治理长效管理办法: 整改方案 with responsible units and
measures). A case ends in one of three results: 履行完毕, 达成和解 or 销案 (沈政办发〔2018〕117号 二(三)). A passed
deadline, the plan's or an open measure's, makes the case 逾期未整改 — a state that goes on the overdue list for the
government (新信用发〔2018〕6号 (五)), never a result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from portal.core.labelled import N_, LabelledEnum


class Outcome(LabelledEnum):
    """How a rectification ended (整改结果), 沈政办发〔2018〕117号 二(三): fulfilled, settled, or the case closed."""

    PERFORMED = "performed", N_("履行完毕")
    SETTLED = "settled", N_("达成和解")
    CASE_CLOSED = "case_closed", N_("销案")


class StepState(LabelledEnum):
    """A measure of the plan (措施清单): open until it is done, on the date it was done."""

    OPEN = "open", N_("未完成")
    DONE = "done", N_("已完成")


class CaseState(LabelledEnum):
    """Where a rectification stands. 逾期未整改 is a state, not a result (新信用发〔2018〕6号 (五): the overdue
    list)."""

    OPEN = "open", N_("整改中")
    OVERDUE = "overdue", N_("逾期未整改")
    FINISHED = "finished", N_("已办结")


def step_state(done_on: date | None) -> StepState:
    return StepState.OPEN if done_on is None else StepState.DONE


def is_overdue(deadline: date, outcome: Outcome | None, today: date, open_step_deadlines: Iterable[date] = ()) -> bool:
    """An open rectification is overdue the day after its overall deadline or after the deadline of any measure
    not yet done (新信用发〔2018〕6号 (五)); a finished one never is."""
    if outcome is not None:
        return False
    return today > deadline or any(today > day for day in open_step_deadlines)


def case_state(
    deadline: date, outcome: Outcome | None, today: date, open_step_deadlines: Iterable[date] = ()
) -> CaseState:
    if outcome is not None:
        return CaseState.FINISHED
    return CaseState.OVERDUE if is_overdue(deadline, None, today, open_step_deadlines) else CaseState.OPEN


# --- the plan as entered -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One measure as entered: what is to be done, by when."""

    text: str
    deadline: date


@dataclass(frozen=True)
class Plan:
    """A plan as entered (by staff, or drafted by the agency's officer): unit, post, measures, overall deadline."""

    responsible_unit: str
    responsible_post: str
    steps: tuple[Step, ...]
    deadline: date

    def as_payload(self) -> dict[str, object]:
        return {
            "responsible_unit": self.responsible_unit,
            "responsible_post": self.responsible_post,
            "deadline": self.deadline.isoformat(),
            "steps": [{"text": s.text, "deadline": s.deadline.isoformat()} for s in self.steps],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Plan:
        steps = payload["steps"]
        assert isinstance(steps, list)
        return cls(
            responsible_unit=str(payload["responsible_unit"]),
            responsible_post=str(payload["responsible_post"]),
            deadline=date.fromisoformat(str(payload["deadline"])),
            steps=tuple(Step(str(s["text"]), date.fromisoformat(str(s["deadline"]))) for s in steps),
        )


class PlanProblem(LabelledEnum):
    """Why a plan cannot be accepted (the edge words each beside its field)."""

    NO_STEPS = "no_steps", N_("请至少填写一项整改措施")
    DEADLINE_BEFORE_DECISION = "deadline_before_decision", N_("整改期限不能早于决定日期")
    STEP_AFTER_DEADLINE = "step_after_deadline", N_("措施的完成期限不能晚于整改期限")
    STEP_BEFORE_DECISION = "step_before_decision", N_("措施的完成期限不能早于决定日期")


def plan_problems(plan: Plan, decision_date: date) -> dict[str, PlanProblem]:
    """{field: problem} for a plan: at least one measure; every deadline on or after the record's decision date;
    no measure due after the overall deadline (the plan's deadline bounds its measures). Field names: `deadline`,
    `steps`, `steps-<n>-deadline`."""
    problems: dict[str, PlanProblem] = {}
    if not plan.steps:
        problems["steps"] = PlanProblem.NO_STEPS
    if plan.deadline < decision_date:
        problems["deadline"] = PlanProblem.DEADLINE_BEFORE_DECISION
    for n, step in enumerate(plan.steps):
        if step.deadline < decision_date:
            problems[f"steps-{n}-deadline"] = PlanProblem.STEP_BEFORE_DECISION
        elif step.deadline > plan.deadline:
            problems[f"steps-{n}-deadline"] = PlanProblem.STEP_AFTER_DEADLINE
    return problems


def steps_text(steps: Sequence[Step]) -> str:
    """The measures in one line, as an adjustment record (调整记录) shows them: "措施（期限）；…"."""
    return "；".join(f"{s.text}（{s.deadline.isoformat()}）" for s in steps)


def plan_changes(old: Plan, new: Plan) -> dict[str, list[str]]:
    """{field: [old, new]} for what an adjustment changes (调整记录), in a fixed order; empty when nothing does."""
    pairs = {
        "responsible_unit": (old.responsible_unit, new.responsible_unit),
        "responsible_post": (old.responsible_post, new.responsible_post),
        "steps": (steps_text(old.steps), steps_text(new.steps)),
        "deadline": (old.deadline.isoformat(), new.deadline.isoformat()),
    }
    return {name: [a, b] for name, (a, b) in pairs.items() if a != b}


class OutcomeProblem(LabelledEnum):
    FINISHED = "finished", N_("该记录的整改已经办结")
    FUTURE = "future", N_("办结日期不能晚于今天")
    BEFORE_DECISION = "before_decision", N_("办结日期不能早于决定日期")


def outcome_problem(
    outcome_so_far: Outcome | None, finished_on: date, decision_date: date, today: date
) -> OutcomeProblem | None:
    """Why an outcome cannot be recorded: the case is already finished, or the date lies in the future or before
    the decision."""
    if outcome_so_far is not None:
        return OutcomeProblem.FINISHED
    if finished_on > today:
        return OutcomeProblem.FUTURE
    if finished_on < decision_date:
        return OutcomeProblem.BEFORE_DECISION
    return None
