"""The refusals every feature raises, and how the web answers them.

An operation that the rules refuse raises a `RefusedError` carrying a message in the reader's language (a lazy
string) and, when one form field is to blame, that field's name. A view that shows the form again catches it and
puts the message beside the field, with its own status; one that does not is answered here, by
`answer_refusal`, with the error page and the refusal's status — never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template
from flask_babel import gettext as _


class RefusedError(Exception):
    """The rules refuse this request; nothing was changed. `message` says why (lazy, in the reader's language),
    `field` names the form field it belongs beside (None: the whole form), `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: Any, *, field: str | None = None, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.problems: dict[str, Any] = {field or "": message}
        if status is not None:
            self.status = status


class InputRefusedError(RefusedError):
    """Input refused on several fields at once: `problems` maps each form field to its message, all shown beside
    their fields (the first is also the refusal's `message` and `field`, for a caller that shows one)."""

    def __init__(self, problems: Mapping[str, Any]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = dict(problems)
        self.args = ("refused: " + ", ".join(self.problems),)  # the messages are lazy; they are shown by field


class NotAllowedError(RefusedError):
    """The workflow refuses this step: the item is in another state (changed meanwhile, already decided), a letter
    or a reason is missing."""

    status = 409


def show_refusal(form: Any, refused: RefusedError) -> int:
    """Put each of a refusal's problems beside its field of `form` (a WTForms form), or in the form's summary when
    it names no field the form has; returns the status to answer with."""
    for name, message in refused.problems.items():
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            form.form_errors.append(str(message))
    return refused.status


def answer_refusal(refused: RefusedError) -> tuple[str, int]:
    """A refusal no view caught: the error page with its message and status."""
    title = _("提交冲突") if refused.status == 409 else _("请求有误")
    return render_template("error.html", code=refused.status, title=title, message=refused.message), refused.status
