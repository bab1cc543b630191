"""Supervision forms: cases."""

from __future__ import annotations
