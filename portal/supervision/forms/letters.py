"""Supervision forms: letters."""

from __future__ import annotations
