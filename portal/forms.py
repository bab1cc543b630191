"""The base of every form and the field helpers every form uses.

- `OnceForm`: CSRF (Flask-WTF) and a one-time token, so that a form posted twice creates one item — the second post
  is sent to what the first one made (`UsedFormToken`).
- `PublicForm`: the base of the public's forms (complaints, objections): OnceForm plus anti-abuse without a
  third-party CAPTCHA — a honeypot field people never see, and a minimum time between showing the form and posting
  it (a signed timestamp, so it cannot be forged). Rate limits per address are on the views.
- field helpers: stripping, plain text without control characters, a required check that keeps parse errors,
  lengths; `checked_files` for file fields, each file judged by its content."""

from __future__ import annotations

import secrets
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import Field, Form, HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, StopValidation, ValidationError

from portal.core.uploads import CheckedFile, FileKind, UploadRefused, check_upload
from portal.db import commit
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class UsedFormToken(db.Model):  # type: ignore[name-defined]
    """A form's one-time token, spent in the same transaction as what the form created: the same form posted
    twice finds its token spent and is sent to what the first post made, so it creates one item."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_url: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="public-form-shown-at")


MAX_FORM_AGE_SECONDS = 24 * 3600


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


def checked_files(
    field: Any, kinds: frozenset[FileKind], max_bytes: int, max_files: int, *, required: bool = False
) -> tuple[list[CheckedFile], int]:
    """The field's uploads, each checked by content; on the first refusal the reason goes beside the field and the
    status to answer with is returned (413 for a file too large, else 400; 200 when all are accepted)."""
    data = field.data if isinstance(field.data, list) else [field.data]
    uploads = [f for f in data if isinstance(f, FileStorage) and f.filename]
    if required and not uploads:
        field.errors = [_("请选择要上传的文件。")]
        return [], 400
    if len(uploads) > max_files:
        field.errors = [_("最多上传 %(n)d 个文件。", n=max_files)]
        return [], 400
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload.filename or "", upload.read(), kinds, max_bytes))
        except UploadRefused as refused:
            field.errors = [f"{upload.filename}：{refused.message}"]
            return [], refused.status
    return checked, 200
