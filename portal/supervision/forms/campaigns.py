"""Supervision forms: campaigns."""

from __future__ import annotations
