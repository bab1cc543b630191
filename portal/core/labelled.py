"""Codes that carry their own display label: every stored code (a status, a kind, a category) is a member of a
`LabelledEnum`, declared once with its Chinese label beside it:

    class RecordStatus(LabelledEnum):
        PUBLIC = "public", N_("公示中")

`N_` only marks the label for extraction (`make messages`); `member.label` is translated when it is shown, in the
reader's language, by the translator the web edge installs (`set_translator`). Pure: no Flask here."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Self


def N_(msgid: str) -> str:  # noqa: N802 (gettext's conventional no-op marker)
    """Marks a label for extraction; it is translated later, when shown."""
    return msgid


_translator: list[Callable[[str], str]] = [lambda msgid: msgid]


def set_translator(translate: Callable[[str], str]) -> None:
    """The edge (portal/web.py) installs gettext here; until then labels are shown in Chinese."""
    _translator[0] = translate


class Label:
    """A label translated each time it is turned into text (so a label kept at import time still follows the
    reader's language)."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __str__(self) -> str:
        return _translator[0](self.msgid)

    def __repr__(self) -> str:
        return f"Label({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)


class LabelledEnum(StrEnum):
    """A StrEnum whose members are declared as `CODE = "code", N_("标签")`; the code is what is stored."""

    _value_: str
    msgid: str

    def __new__(cls, value: str, msgid: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid or value
        return member

    @property
    def label(self) -> Label:
        return Label(self.msgid)

    @classmethod
    def choices(cls) -> list[tuple[str, Label]]:
        """(code, label) pairs in declaration order, for select fields and filters."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def codes(cls) -> frozenset[str]:
        return frozenset(member.value for member in cls)
