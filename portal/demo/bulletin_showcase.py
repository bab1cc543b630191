"""The demo's bulletins: the past months drafted, written and published through the reports' own operations."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def publish_past_bulletins(today: date, files_dir: Path) -> None:
    """Draft and publish the bulletin of each past month the demo's data covers."""
