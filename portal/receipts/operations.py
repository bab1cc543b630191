"""Handing out public numbers; finding a case by its receipt; a lost secret replaced (`recover_receipt`) and a
receipt kept for a second post of the same form (`spend_keeping_receipt`, `receipt_again`), issue 18."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.audit.operations import write_audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.forms import OnceForm, UsedFormToken, spent_token
from portal.mail.operations import queue_mail
from portal.receipts.models import NumberSequence
from portal.receipts.rules import (
    contact_on_file,
    format_number,
    new_secret,
    normalise_number,
    secret_hash,
    secret_matches,
    typed_contact,
)
from portal.receipts.sealing import KEEP_FOR, seal_receipt, unseal_receipt
from portal.web import public_path, site_root

M = TypeVar("M")


def next_number(prefix: str, year: int) -> str:
    """The next number for prefix and year, in the caller's transaction (the row stays locked until it commits)."""
    name = f"{prefix}-{year}"
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(NumberSequence).values(name=name, last=0).on_conflict_do_nothing())
    serial = db.session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(last=NumberSequence.last + 1)
        .returning(NumberSequence.last)
    ).scalar_one()
    return format_number(prefix, year, serial)


def by_receipt(model: type[M], number: str, secret: str) -> M | None:
    """The complaint or objection whose receipt this is. A wrong secret and an unknown number are the same None,
    and cost the same (the secret is compared in constant time even when the number is unknown)."""
    number = normalise_number(number)
    column: Any = model.number  # type: ignore[attr-defined]
    item = db.session.scalar(select(model).where(column == number)) if number else None
    return item if secret_matches(secret, item.secret_hash if item is not None else None) else None  # type: ignore[attr-defined]


# --- a lost secret replaced --------------------------------------------------------------------------------------


def _subject(kind: str, number: str) -> Any:
    if kind == "complaint":
        return _l("投诉 %(number)s 的新查询码", number=number)
    return _l("异议 %(number)s 的新查询码", number=number)


def recover_receipt(model: type[Any], kind: str, number: str, contact: str, status_endpoint: str) -> None:
    """If `number` is a case of `model` (kind "complaint" or "objection") whose filer gave `contact` (a phone or an
    e-mail address, typed in any form the forms accept) and an e-mail address: a new secret replaces the old one
    (only its hash is kept, so the old one stops working), the change is audited (never the secret), and the new
    secret is queued in a message to the e-mail address on file — the one message that carries a secret, since
    recovering it is what the filer asked for. Nothing otherwise: the filer's phone cannot be sent a code.

    Returns nothing, so that the page cannot tell a match from anything else; the message is sent by the next
    `flask mail send`, not by this request, which so takes the same time either way."""
    number = normalise_number(number)
    typed = typed_contact(contact)
    column: Any = model.number
    item = db.session.scalar(select(model).where(column == number)) if number and typed else None
    if item is None or typed is None or not item.email or not contact_on_file(typed, item.phone, item.email):
        return
    secret = new_secret()
    replaced = db.session.execute(  # only the secret this request read: of two recoveries at once, one wins
        update(model)
        .where(column == item.number, model.secret_hash == item.secret_hash)
        .values(secret_hash=secret_hash(secret))
    )
    if replaced.rowcount != 1:  # type: ignore[attr-defined]
        return
    write_audit(
        f"{kind}.receipt_renewed",
        kind,
        item.number,
        {"receipt": ["revoked", "renewed"], "via": [None, typed[0]]},
        actor="public",
    )
    queue_mail(
        item.email,
        _subject(kind, item.number),
        "receipt_renewed",
        kind=f"{kind}.receipt_renewed",
        about=f"{kind}:{item.number}",
        send_now=False,
        case=kind,
        number=item.number,
        secret=secret,
        status_url=site_root() + public_path(status_endpoint),
    )
    db.session.flush()


# --- a receipt kept for a second post of the same form -----------------------------------------------------------


def spend_keeping_receipt(form: OnceForm, result_url: str, number: str, secret: str) -> None:
    """`form.spend`, keeping the receipt sealed on the spent token for KEEP_FOR (a double click shows it again);
    receipts kept longer than that on other tokens are emptied in the same transaction."""
    now = utcnow()
    db.session.execute(
        update(UsedFormToken)
        .where(UsedFormToken.kept_sealed.is_not(None), UsedFormToken.used_at < now - KEEP_FOR)
        .values(kept_sealed=None)
        .execution_options(synchronize_session=False)
    )
    form.spend(result_url, seal_receipt(current_app.config["SECRET_KEY"], form.nonce(), number, secret, now))


def receipt_again(form: OnceForm, model: type[M]) -> tuple[M, str] | None:
    """For a second post of a form that filed a case of `model`: the case and its secret, if the form kept its
    receipt less than KEEP_FOR ago and the secret still opens the case (it was not replaced since); else None."""
    row = spent_token(form.form_token.data or "")
    if row is None or row.kept_sealed is None:
        return None
    kept = unseal_receipt(current_app.config["SECRET_KEY"], row.kept_sealed, row.token, utcnow())
    if kept is None:
        return None
    item = by_receipt(model, *kept)
    return (item, kept[1]) if item is not None else None
