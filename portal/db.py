"""The one commit of a request (or of a command), and what runs after it.

A view parses, calls one operation and commits once, with `commit()`. Something that must happen only once the
transaction is durable — applying the search outbox to the index, sending mail — registers an after-commit hook
by name (`register_after_commit`), and an operation that needs it notes it in the transaction
(`run_after_commit`). Hooks are best effort: what they miss is picked up by their own catch-up (`search sync`)."""

from __future__ import annotations

from collections.abc import Callable

from portal.extensions import db

_HOOKS: dict[str, Callable[[], None]] = {}
_NOTED = "after_commit"  # key in session.info: the names of the hooks this transaction asked for


def register_after_commit(name: str, hook: Callable[[], None]) -> None:
    """`hook` runs after a commit whose transaction called `run_after_commit(name)`."""
    _HOOKS[name] = hook


def run_after_commit(name: str) -> None:
    """In the current transaction: run the hook named `name` once it has been committed."""
    if name not in _HOOKS:
        raise KeyError(f"no after-commit hook named {name!r} is registered")
    db.session.info.setdefault(_NOTED, set()).add(name)


def commit() -> None:
    """Commit the request's one transaction, then run the hooks it asked for (in name order)."""
    due = db.session.info.pop(_NOTED, set())
    db.session.commit()
    for name in sorted(due):
        _HOOKS[name]()
