"""Text cells of the CSV files the portal writes (the ledger's download, the open-data exports). Pure."""

from __future__ import annotations

# What a spreadsheet would run as a formula, and the guard's own quote (so that reading strips exactly one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_text(text: str) -> str:
    """A text cell of a CSV file: a leading ' keeps a spreadsheet from running it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
