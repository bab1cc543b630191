"""The forgiving agency look-up ("您是不是要找"): part of a name, a typo, pinyin or its initials ("czj" -> 财政局)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from portal.search.analyzer import normalise

MAX_LOOKUP_CHARS = 40
TYPO_RATIO = 0.66


# Spellings computed when the index was built (index.py), so that a query worker need not load pypinyin's
# dictionaries (~55 MB) unless an agency was added since.
_SPELLED: dict[str, tuple[str, str]] = {}


def remember_spellings(spelled: dict[str, tuple[str, str]]) -> None:
    _SPELLED.update(spelled)


def spellings(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, without spaces or tones: 财政局 -> ("caizhengju", "czj")."""
    known = _SPELLED.get(name)
    if known is None:
        from pypinyin import Style, lazy_pinyin

        known = "".join(lazy_pinyin(name)).lower(), "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
        if len(_SPELLED) < 10_000:
            _SPELLED[name] = known
    return known


def _typo_ratio(query: str, name: str) -> float:
    """How close the query is to the closest stretch of the name of the same length."""
    if len(query) < 3 or not set(query) & set(name):
        return 0.0
    width = len(query)
    return max(SequenceMatcher(None, query, name[i : i + width]).ratio() for i in range(max(1, len(name) - width + 1)))


def suggest_agencies(query: str, agencies: Iterable[tuple[str, str]], limit: int = 5) -> list[tuple[str, str]]:
    """(name, USCC) of the agencies the query may mean, best first: the name contains it, its pinyin or
    initials contain it, or it is a near miss of part of the name."""
    wanted = "".join(normalise(query).split())
    if not wanted or len(wanted) > MAX_LOOKUP_CHARS:
        return []
    latin = wanted.isascii() and wanted.isalpha() and len(wanted) >= 2
    direct: list[tuple[float, str, str]] = []
    near: list[tuple[float, str, str]] = []
    for name, uscc in agencies:
        plain = normalise(name)
        if wanted in plain:
            direct.append((2.0 + len(wanted) / len(plain), name, uscc))
        elif latin and any(wanted in spelling for spelling in spellings(plain)):
            direct.append((1.0 + len(wanted) / len(spellings(plain)[0]), name, uscc))
        elif (ratio := _typo_ratio(wanted, plain)) >= TYPO_RATIO:
            near.append((ratio, name, uscc))
    scored = direct or near  # a near miss is offered only when nothing matches as typed
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(name, uscc) for _, name, uscc in scored[:limit]]
