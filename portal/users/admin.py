"""Admins manage accounts in the web UI: list, create, change role, disable/enable."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users_admin", __name__, url_prefix="/workspace/users")
