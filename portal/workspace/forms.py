"""The base of every form: CSRF (Flask-WTF) and a one-time token, so that a form posted twice creates one item —
the second post is sent to what the first one made — and the field helpers every form uses (stripping, plain
text without control characters, a required check that keeps parse errors, lengths)."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from flask import flash, redirect, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field, Form, HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, StopValidation, ValidationError

from portal.extensions import db
from portal.search.operations import commit
from portal.workspace.models import UsedFormToken


class OnceForm(FlaskForm):
    form_token = HiddenField(default=lambda: secrets.token_hex(16), validators=[Regexp(r"^[0-9a-f]{32}$")])

    def validate_form_token(self, field: HiddenField) -> None:
        """A post must carry the token of the page it came from (a missing one would get a fresh default)."""
        if not request.form.get("form_token"):
            raise ValidationError(_l("表单缺少一次性令牌，未做任何更改。请刷新页面后重新提交。"))

    def already_done(self) -> Response | None:
        """If this very form was posted before and went through, a redirect to what it made."""
        token = self.form_token.data or ""
        url = db.session.scalar(select(UsedFormToken.result_url).where(UsedFormToken.token == token))
        return redirect(url, code=303) if url else None

    def spend(self, result_url: str) -> None:
        """In the transaction of what the form made: its token is used up and points at the result."""
        db.session.add(UsedFormToken(token=self.form_token.data, result_url=result_url))

    def finish(self, result_url: str, message: str) -> Response:
        """The form went through: its token spent, the request's one commit, the message, the redirect."""
        self.spend(result_url)
        commit()
        flash(message, "info")
        return redirect(result_url, code=303)


def choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as select options (a code and its label, e.g. `RecordStatus.choices()`)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def redirect_if_form_spent() -> Response | None:
    """After a failed commit: if this request's form token was spent meanwhile by the same form posted at the same
    moment, the redirect to what that post made (so a double click still lands on one item)."""
    token = request.form.get("form_token", "") if request.method == "POST" else ""
    url = db.session.scalar(select(UsedFormToken.result_url).where(UsedFormToken.token == token)) if token else None
    return redirect(url, code=303) if url else None


def strip(value: Any) -> Any:
    """Filter: surrounding spaces dropped."""
    return value.strip() if isinstance(value, str) else value


def strip_lines(value: Any) -> Any:
    """Filter for multi-line text: line breaks as \\n (browsers send \\r\\n), surrounding spaces dropped."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


def too_long(longest: int) -> Length:
    return Length(max=longest, message=_l("太长了：最多 %(max)d 个字符。"))


def control_characters(text: str, *, multiline: bool) -> bool:
    """Does the text hold control characters (line breaks and tabs allowed in multi-line text)?"""
    allowed = {"\n", "\t"} if multiline else set()
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


class PlainText:
    """No control characters (PostgreSQL refuses NUL; others hide text); one line unless `multiline`."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and control_characters(field.data, multiline=self.multiline):
            # the form comes back with the text: show where the characters were, not the characters themselves
            field.data = "".join(
                "\ufffd" if control_characters(ch, multiline=self.multiline) else ch for ch in field.data
            )
            raise ValidationError(_l("不能包含控制字符") if self.multiline else _l("不能包含换行或控制字符"))


class Required(DataRequired):
    """DataRequired that keeps the field's own parse error (a bad date or amount is not "missing") and accepts 0."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


REQUIRED = Required(_l("此项必填"))
