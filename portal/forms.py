"""The base of every form and the field helpers every form uses.

- `OnceForm`: CSRF (Flask-WTF) and a one-time token, so that a form posted twice creates one item — the second post
  is sent to what the first one made (`UsedFormToken`; `spent_result` is the one look-up, for the form itself and
  for a post that lost a race to its twin). The token is issued by the server when it shows the form
  (`issue_form_token`: a random nonce and the time, signed), so a client cannot make one up, and it is good for
  `MAX_FORM_AGE_SECONDS` (issue 19).
- `PublicForm`: the base of the public's forms (complaints, objections): OnceForm plus anti-abuse without a
  third-party CAPTCHA — a honeypot field people never see, and a minimum time between showing the form and posting
  it, measured from the time in the form's own token: one wait buys one filing, since the token is spent by it.
  Rate limits per address are on the views.
- field helpers: stripping, plain text without control characters, a required check that keeps parse errors,
  lengths; the shared rules put into words, each in one place: contacts (`phone_field`, `email_field`), amounts in
  元 (`YuanField`), 统一社会信用代码 (`valid_uscc`, `uscc_message`), uploads (`checked_files` with a policy of
  portal/core/uploads.py, `upload_label`/`upload_rule` for the field's words)."""

from __future__ import annotations

import secrets
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, flash, redirect, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import Field, Form, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from portal.core.contacts import ContactProblem, contact_problem, normal_email, normal_phone
from portal.core.money import MAX_FEN, parse_yuan
from portal.core.uploads import MB, CheckedFile, UploadPolicy, UploadProblem, UploadRefusedError, check_upload
from portal.core.uscc import UsccProblem, bad_characters, normalise, uscc_problem
from portal.db import commit
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class UsedFormToken(db.Model):  # type: ignore[name-defined]
    """A form's one-time token (its nonce), spent in the same transaction as what the form created: the same form
    posted twice finds its token spent and is sent to what the first post made, so it creates one item."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_url: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What a second post of the form is shown again for a short while, sealed by the feature that keeps it (a
    # receipt: portal/receipts/sealing.py); never plain text, and emptied once it has expired.
    kept_sealed: Mapped[str | None] = mapped_column(String(400))


MAX_FORM_AGE_SECONDS = 24 * 3600  # a form shown longer ago than this is refused: reload it


def _token_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-token")


def issue_form_token() -> str:
    """A new one-time token for a form being shown: a random nonce and the time it was shown, signed."""
    return _token_signer().dumps([secrets.token_hex(16), round(time.time(), 3)])


def read_form_token(token: str) -> tuple[str, float] | None:
    """The nonce and the time a token this server issued was shown; None for anything it did not issue."""
    if not token or len(token) > 200:
        return None
    try:
        nonce, shown_at = _token_signer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(nonce, str) or len(nonce) != 32 or not isinstance(shown_at, int | float):
        return None
    return nonce, float(shown_at)


class OnceForm(FlaskForm):
    form_token = HiddenField(default=issue_form_token)

    def validate_form_token(self, field: HiddenField) -> None:
        """A post must carry the token this server issued with the page it came from, shown less than
        MAX_FORM_AGE_SECONDS ago (a missing one would get a fresh default)."""
        if not request.form.get("form_token"):
            raise ValidationError(_l("表单缺少一次性令牌，未做任何更改。请刷新页面后重新提交。"))
        if self.seconds_shown() is None:
            raise ValidationError(_l("表单已失效，未做任何更改。请刷新页面后重新填写。"))

    def seconds_shown(self) -> float | None:
        """How long ago the form was shown (by its token); None when the token is not one this server issued or
        is older than MAX_FORM_AGE_SECONDS."""
        read = read_form_token(self.form_token.data or "")
        if read is None:
            return None
        shown = time.time() - read[1]
        return shown if shown <= MAX_FORM_AGE_SECONDS else None

    def spent_result(self) -> str | None:
        """If this very form was posted before and went through: the address of what it made."""
        return spent_result(self.form_token.data or "")

    def already_done(self) -> Response | None:
        """If this very form was posted before and went through, a redirect to what it made."""
        url = self.spent_result()
        return redirect(url, code=303) if url else None

    def nonce(self) -> str:
        """The nonce of this form's token (what `spend` keeps); ValueError for a token this server did not issue."""
        read = read_form_token(self.form_token.data or "")
        if read is None:  # validate() refuses such a form first
            raise ValueError("a form without a token this server issued cannot be spent")
        return read[0]

    def spend(self, result_url: str, kept_sealed: str | None = None) -> None:
        """In the transaction of what the form made: its token is used up and points at the result (and keeps
        `kept_sealed`, sealed by the caller, for a second post of the same form: see `spent_token`)."""
        db.session.add(UsedFormToken(token=self.nonce(), result_url=result_url, kept_sealed=kept_sealed))

    def finish(self, result_url: str, message: str) -> Response:
        """The form went through: its token spent, the request's one commit, the message, the redirect."""
        self.spend(result_url)
        commit()
        flash(message, "info")
        return redirect(result_url, code=303)


def choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as select options (a code and its label, e.g. `RecordStatus.choices()`)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def spent_result(token: str) -> str | None:
    """The one look-up of a spent token: where the form that carried it went, None if it was never spent."""
    read = read_form_token(token)
    if read is None:
        return None
    return db.session.scalar(select(UsedFormToken.result_url).where(UsedFormToken.token == read[0]))


def spent_token(token: str) -> UsedFormToken | None:
    """The spent token's row (where its form went, what it kept), None if it was never spent."""
    read = read_form_token(token)
    return db.session.get(UsedFormToken, read[0]) if read is not None else None


def redirect_if_form_spent() -> Response | None:
    """After a failed commit: if this request's form token was spent meanwhile by the same form posted at the same
    moment, the redirect to what that post made (so a double click still lands on one item)."""
    url = spent_result(request.form.get("form_token", "")) if request.method == "POST" else None
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


class PublicForm(OnceForm):
    """OnceForm (CSRF and the one-time token: a form posted twice files once) plus the anti-abuse fields."""

    # Hidden from people by CSS and aria-hidden, labelled so that a bot fills it in; a person leaves it empty.
    website = StringField(_l("网址（请勿填写）"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(_l("提交未被接受。"))

    def validate_form_token(self, field: HiddenField) -> None:
        """The token's own time is the fill time: a post sooner than PORTAL_MIN_FILL_SECONDS after the form was
        shown is refused (a bot), and the token is spent by the filing, so one wait allows one filing."""
        super().validate_form_token(field)
        if (self.seconds_shown() or 0) < current_app.config["PORTAL_MIN_FILL_SECONDS"]:
            raise ValidationError(_l("提交太快了，请检查填写的内容后再提交。"))


# --- contacts (the rule: portal/core/contacts.py) ---------------------------------------------------------------

PHONE_MAX = 30  # the columns' lengths
EMAIL_MAX = 200
CONTACT_MESSAGES = {
    ContactProblem.MISSING: _l("请至少填写联系电话或电子邮箱中的一项。"),
    ContactProblem.PHONE: _l("请填写有效的电话号码，如 13812345678 或 0527-12345678。"),
    ContactProblem.EMAIL: _l("请填写有效的电子邮箱，如 name@example.cn。"),
}


class Phone:
    """A phone number (a mainland mobile, a landline with its area code, a 400/800 number or +country), kept in its
    normal form. Runs when empty too: then the form's `email_field` must be filled in (one of the two is needed)."""

    def __init__(self, email_field: str = "email") -> None:
        self.email_field = email_field

    def __call__(self, form: Form, field: Field) -> None:
        problem = contact_problem(field.data or "", form[self.email_field].data or "")
        if problem in (ContactProblem.MISSING, ContactProblem.PHONE):
            raise StopValidation(str(CONTACT_MESSAGES[problem]))
        if field.data:
            field.data = normal_phone(field.data)


class Email:
    """An e-mail address (checked by its form, nothing looked up on the network), kept in its normal form."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        normal = normal_email(field.data)
        if normal is None:
            raise ValidationError(CONTACT_MESSAGES[ContactProblem.EMAIL])
        field.data = normal


PHONE_LABEL = _l("联系电话")
EMAIL_LABEL = _l("电子邮箱")


def line_field(label: Any, longest: int, *, required: bool = True) -> StringField:
    """One line of plain text, stripped, at most `longest` characters."""
    need = [REQUIRED] if required else [Optional()]
    return StringField(label, validators=[*need, too_long(longest), PlainText()], filters=[strip])


def text_field(label: Any, longest: int, *, required: bool) -> TextAreaField:
    """Paragraphs of plain text (line breaks kept), stripped, at most `longest` characters."""
    need = [REQUIRED] if required else [Optional()]
    return TextAreaField(label, validators=[*need, too_long(longest), PlainText(True)], filters=[strip_lines])


def phone_field(label: Any = PHONE_LABEL, email_field: str = "email") -> StringField:
    """The contact phone of a public form: one of it and the e-mail field named `email_field` is needed."""
    return StringField(label, validators=[too_long(PHONE_MAX), PlainText(), Phone(email_field)], filters=[strip])


def email_field(label: Any = EMAIL_LABEL) -> StringField:
    """The contact e-mail address of a public form (may be empty: `phone_field` says when one is needed)."""
    return StringField(label, validators=[Optional(), too_long(EMAIL_MAX), PlainText(), Email()], filters=[strip])


# --- amounts in 元, stored as integer fen (the bound: portal/core/money.py MAX_FEN) -------------------------------


def parse_money(text: str | None) -> int | None:
    """An amount typed in 元 → integer fen; None when nothing was typed; ValueError (with the message shown beside
    the field) for anything else: not a number, negative, more than 2 decimals, more than MAX_FEN."""
    if text is None or not text.strip():
        return None
    try:
        fen = parse_yuan(text)
    except ValueError:
        raise ValueError(_l("请填写金额（元），最多两位小数，如 12345.67")) from None
    if fen > MAX_FEN:
        raise ValueError(_l("金额过大：最多 %(max)s 元，请核对（单位为元）", max=f"{MAX_FEN // 100:,}"))
    return fen


def yuan_input(fen: int | None) -> str:
    """Integer fen as typed in the form: 123456 → '1234.56' (no separators, so it parses back the same)."""
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


class YuanField(StringField):
    """An amount in 元 with up to 2 decimals, at most MAX_FEN; `data` is integer fen, None when empty. A bad amount
    is a parse error beside the field (Required keeps it; Optional lets an empty field through)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist:
            self.data = parse_money(valuelist[0])

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return yuan_input(self.data)


# --- 统一社会信用代码 (the rule: portal/core/uscc.py) ---------------------------------------------------------------

USCC_MESSAGES = {
    UsccProblem.LENGTH: _l("统一社会信用代码应为 18 位"),
    UsccProblem.REGION: _l("第 3–8 位应为行政区划代码（数字）"),
    UsccProblem.CHECK_CHARACTER: _l("校验位不符，请核对统一社会信用代码"),
}


def uscc_message(code: str) -> str | None:
    """None for a valid 统一社会信用代码, else what is wrong with it, in the reader's language."""
    problem = uscc_problem(code)
    if problem is None:
        return None
    if problem is UsccProblem.CHARACTERS:
        return _("含有统一社会信用代码不使用的字符：%(chars)s", chars=bad_characters(code))
    return str(USCC_MESSAGES[problem])


def normalise_uscc(value: Any) -> Any:
    """Filter: the code in capitals without surrounding spaces."""
    return normalise(value) if isinstance(value, str) else value


def valid_uscc(form: Form, field: Field) -> None:
    """A 统一社会信用代码 checked with GB 32100-2015 (what is wrong goes beside the field)."""
    message = uscc_message(field.data or "")
    if message:
        raise ValidationError(message)


# --- uploads (the policies: portal/core/uploads.py) --------------------------------------------------------------

UPLOAD_MESSAGES = {
    UploadProblem.NO_NAME: _l("文件没有名称。"),
    UploadProblem.NAME_CONTROL: _l("文件名含有控制字符，请改名后再上传。"),
    UploadProblem.NAME_PATH: _l("文件名不能包含路径（/ 或 \\），请只上传文件本身。"),
    UploadProblem.NAME_TOO_LONG: _l("文件名太长（%(n)d 个字符），最多 %(max)d 个字符。"),
    UploadProblem.EMPTY: _l("文件是空的（0 字节）。"),
    UploadProblem.TOO_LARGE: _l("文件太大：最大 %(mb)d MB。"),
    UploadProblem.WRONG_KIND: _l("文件内容不是 %(kinds)s（按文件内容判断，与扩展名无关）。"),
    UploadProblem.PDF_ENCRYPTED: _l("PDF 文件已加密或设有密码，无法公开核验，请上传未加密的文件。"),
    UploadProblem.PDF_NO_PAGES: _l("PDF 文件没有页面。"),
    UploadProblem.PDF_BROKEN: _l("文件已损坏，无法作为 PDF 打开，请重新导出后上传。"),
    UploadProblem.PDF_ACTIVE: _l(
        "PDF 文件含有脚本、自动执行的动作或嵌入的文件，不能接受。请重新导出或扫描为普通 PDF 后上传。"
    ),
    UploadProblem.PDF_POLYGLOT: _l("文件在 PDF 之外还夹带了网页内容，不能接受。请重新导出一个普通的 PDF 后上传。"),
    UploadProblem.IMAGE_BROKEN: _l("图片已损坏或尺寸过大（超过 5000 万像素），请重新拍摄或导出后上传。"),
}


def upload_message(refused: UploadRefusedError) -> str:
    """Why the file was refused, in the reader's language."""
    message = str(UPLOAD_MESSAGES[refused.problem])
    return message % refused.params if refused.params else message


def _kinds_in_words(policy: UploadPolicy) -> str:
    names = policy.kind_names
    if len(names) == 1:
        return names[0]
    return _("%(items)s 或 %(last)s", items=_("、").join(names[:-1]), last=names[-1])


def upload_rule(policy: UploadPolicy) -> str:
    """The policy in words, from its numbers: 'PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB', '一份 PDF，最大 20 MB'."""
    kinds, n, mb = _kinds_in_words(policy), policy.max_files, policy.max_mb
    if n > 1 and policy.required:
        return _("%(kinds)s，1 至 %(n)d 个，每个最大 %(mb)d MB", kinds=kinds, n=n, mb=mb)
    if n > 1:
        return _("%(kinds)s，最多 %(n)d 个，每个最大 %(mb)d MB", kinds=kinds, n=n, mb=mb)
    if policy.required:
        return _("一份 %(kinds)s，最大 %(mb)d MB", kinds=kinds, mb=mb)
    return _("%(kinds)s，最大 %(mb)d MB", kinds=kinds, mb=mb)


def lazy_upload_rule(policy: UploadPolicy) -> LazyString:
    """`upload_rule`, in the language of whoever reads it (for labels and hints declared with the form)."""
    return LazyString(upload_rule, policy)


def upload_label(name: Any, policy: UploadPolicy) -> LazyString:
    """A file field's label: its name and the policy in words, e.g.
    '附件（PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB）'."""
    return _l("%(name)s（%(rule)s）", name=name, rule=lazy_upload_rule(policy))


def request_limit(*policies: UploadPolicy) -> int:
    """The request size a form with fields of these policies needs: all their files and 2 MB for the rest."""
    return sum(policy.most_bytes for policy in policies) + 2 * MB


def checked_files(field: Any, policy: UploadPolicy, *, required: bool | None = None) -> tuple[list[CheckedFile], int]:
    """The field's uploads checked against the policy (`required` overrides the policy's), each file by its content;
    on the first refusal the reason goes beside the field and the status to answer with is returned (413 for a file
    too large, else 400; 200 when all are accepted)."""
    data = field.data if isinstance(field.data, list) else [field.data]
    uploads = [f for f in data if isinstance(f, FileStorage) and f.filename]
    if (policy.required if required is None else required) and not uploads:
        field.errors = [_("请选择要上传的文件。")]
        return [], 400
    if len(uploads) > policy.max_files:
        field.errors = [_("最多上传 %(n)d 个文件。", n=policy.max_files)]
        return [], 400
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload.filename or "", upload.read(), policy.kinds, policy.max_bytes))
        except UploadRefusedError as refused:
            field.errors = [f"{upload.filename}：{upload_message(refused)}"]
            return [], refused.status
    return checked, 200
