"""Objections: the public form on a record page, the receipt and status look-up, and the staff's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("objections", __name__)
