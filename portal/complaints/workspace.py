"""Complaints in the workspace: the staff queue with due and overdue flags, each step, and the officers' answers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("complaints_workspace", __name__, url_prefix="/workspace/complaints")
