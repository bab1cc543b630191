"""The base of the public's forms (complaints, objections): CSRF, the one-time token, and anti-abuse without a
third-party CAPTCHA — a honeypot field people never see, and a minimum time between showing the form and posting
it (a signed timestamp, so it cannot be forged). Rate limits per address are on the views."""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from portal.workspace.forms import OnceForm

MAX_FORM_AGE_SECONDS = 24 * 3600


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="public-form-shown-at")


class PublicForm(OnceForm):
    """OnceForm (CSRF and the one-time token: a form posted twice files once) plus the anti-abuse fields."""

    # Hidden from people by CSS and aria-hidden, labelled so that a bot fills it in; a person leaves it empty.
    website = StringField(_l("网址（请勿填写）"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    shown_at = HiddenField(default=lambda: _signer().dumps(time.time()))

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(_l("提交未被接受。"))

    def validate_shown_at(self, field: HiddenField) -> None:
        try:
            shown = float(_signer().loads(field.data or ""))
        except (BadSignature, TypeError, ValueError):
            raise ValidationError(_l("表单已失效，请刷新页面后重新填写。")) from None
        waited = time.time() - shown
        if waited < current_app.config["PORTAL_MIN_FILL_SECONDS"]:
            raise ValidationError(_l("提交太快了，请检查填写的内容后再提交。"))
        if waited > MAX_FORM_AGE_SECONDS:
            raise ValidationError(_l("表单已失效，请刷新页面后重新填写。"))


LOOKUP_LIMIT = "30 per hour"  # receipt look-ups per address: guessing is refused long before it could succeed


def public_form_limit() -> str:
    """Complaints and objections filed per address (PORTAL_PUBLIC_FORM_LIMIT), for flask-limiter."""
    return str(current_app.config["PORTAL_SETTINGS"].public_form_limit)
