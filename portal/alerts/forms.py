"""The form that asks to follow a feed by e-mail (a public form: CSRF, one-time token, honeypot, fill time), the
confirmation's button, and the rate limits of both."""

from __future__ import annotations

import hashlib

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import ValidationError

from portal.alerts.rules import AlertFrequency
from portal.core.contacts import normal_email
from portal.forms import EMAIL_MAX, REQUIRED, Email, PlainText, PublicForm, choices, strip, too_long

SUBSCRIBE_LIMIT = "10 per hour"  # requests to follow per client address: each sends a message to someone
ADDRESS_LIMIT = "5 per day"  # confirmations per e-mail address, from anywhere: nobody's mailbox is flooded
CONFIRM_LIMIT = "30 per hour"  # confirmations pressed per client address


def subscribed_address() -> str:
    """The rate-limit key of a request to follow: the e-mail address posted (hashed: the limiter's store never holds
    an address), not the client's address."""
    typed = request.form.get("email", "")[:300]
    normal = normal_email(typed) or typed.strip().lower()
    return "alert:" + hashlib.sha256(normal.encode()).hexdigest()[:32]


class AlertForm(PublicForm):
    to = HiddenField()  # the feed's address, checked by the view against the URL map (portal/feeds `resolve_feed`)
    email = StringField(
        _l("电子邮箱"),
        validators=[REQUIRED, too_long(EMAIL_MAX), PlainText(), Email()],
        filters=[strip],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )
    frequency = RadioField(
        _l("多久发送一次"),
        choices=choices(AlertFrequency.choices()),
        default=AlertFrequency.DAILY.value,
        validate_choice=False,  # checked below, with a message of ours
    )

    def validate_frequency(self, field: RadioField) -> None:
        if field.data not in AlertFrequency.codes():
            raise ValidationError(_l("请选择发送频率。"))


class ConfirmForm(FlaskForm):
    """The confirmation's button: a POST with the CSRF token (a mail scanner that opens the link confirms nothing)."""
