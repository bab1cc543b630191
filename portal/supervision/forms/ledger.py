"""Supervision forms: ledger."""

from __future__ import annotations
