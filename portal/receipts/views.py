"""The page that replaces a lost secret (issue 18), one for complaints and objections: their blueprints route
/complaints/recover and /objections/recover here, each with its own rate limits.

The answer to a well-formed post is one page, word for word, with status 200, whether the number and the contact
match, do not, or the number does not exist; and it is given no sooner than RESPONSE_FLOOR seconds after the post
arrived, so that the time it takes does not tell either (the message itself is sent by `flask mail send`)."""

from __future__ import annotations

import time
from typing import Any

from flask import render_template, request

from portal.db import commit
from portal.receipts.forms import RecoverForm
from portal.receipts.operations import recover_receipt
from portal.receipts.rules import NUMBER_PATTERN, normalise_number

RESPONSE_FLOOR = 0.5  # seconds: more than a match costs (a secret, an update, an audit entry, a queued message)


def recover_page(model: type[Any], kind: str, status_endpoint: str) -> tuple[str, int]:
    """GET: the form (the number prefilled from ?number=); POST: the one answer, or what is wrong with the input."""
    started = time.monotonic()
    form = RecoverForm()
    if not form.is_submitted():
        asked = normalise_number(request.args.get("number", ""))[:20]
        form.number.data = asked if NUMBER_PATTERN.fullmatch(asked) else ""
        return _page(form, kind, status_endpoint), 200
    if not form.validate():
        return _page(form, kind, status_endpoint), 400
    recover_receipt(model, kind, form.number.data or "", form.contact.data or "", status_endpoint)
    commit()
    time.sleep(max(0.0, started + RESPONSE_FLOOR - time.monotonic()))
    return _page(None, kind, status_endpoint), 200


def _page(form: RecoverForm | None, kind: str, status_endpoint: str) -> str:
    return render_template("receipts/recover.html", form=form, kind=kind, status_endpoint=status_endpoint)
