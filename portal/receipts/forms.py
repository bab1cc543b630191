"""Rate limits of the public's forms and receipt look-ups (the forms' base, PublicForm, is in portal/forms.py)."""

from __future__ import annotations

from flask import current_app

LOOKUP_LIMIT = "30 per hour"  # receipt look-ups per address: guessing is refused long before it could succeed


def public_form_limit() -> str:
    """Complaints and objections filed per address (PORTAL_PUBLIC_FORM_LIMIT), for flask-limiter."""
    return str(current_app.config["PORTAL_SETTINGS"].public_form_limit)
