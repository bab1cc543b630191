"""The demo's scores: the past months scored through the evaluation's own operation."""

from __future__ import annotations

from datetime import date


def score_past_months(today: date) -> None:
    """Score every agency for the months before `today` that the demo's data covers."""
