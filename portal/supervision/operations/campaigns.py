"""Supervision: campaigns operations (one function per use case; each checks the rules, changes state, writes the audit
entry and flushes; the view commits)."""

from __future__ import annotations
