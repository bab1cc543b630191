"""The demo's scores: the past months scored through the evaluation's own operation, each by the method of its
time (methods.toml: 2026.1 from 2026-01, 2026.2 from 2026-07), so that the ranking, the 诚信档案's history and the
methodology page show a method change with the past months keeping theirs."""

from __future__ import annotations

from datetime import date

from portal.evaluation.operations import score_month
from portal.evaluation.rules import last_finished_month, methods

MONTHS = 12  # the demo scores the last year: enough for a history and a yearly sheet, and quick to load


def score_past_months(today: date) -> None:
    """Score every agency for each finished month of the last year before `today` that a method covers (the
    caller commits)."""
    first_method = methods()[0].first_month
    last = last_finished_month(today)
    month = max(last.plus(1 - MONTHS), first_method)
    while month <= last:
        score_month(month, today)
        month = month.plus(1)
