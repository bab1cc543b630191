"""The forgiving agency look-up ("您是不是要找"): part of a name, a typo, pinyin or its initials ("czj" -> 财政局)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from pathlib import Path

from portal.search.analyzer import normalise, squash

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


# The sound of every CJK character (its most common reading, toneless), written beside the index when it is built
# (index.py: sounds.tsv, ~90 kB) and read at the first near miss a process tries: 2-3 MB, not pypinyin's 55.
_SOUNDS: dict[str, str] = {}
_SOUNDS_FILE: list[Path] = []
# Sounds many speakers do not tell apart (平翘舌, 前后鼻音, n/l): 财正局 and 菜证局 both sound like 财政局.
_BLURRED = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("ang", "an"))


def character_sounds() -> Iterator[str]:
    """Lines "字pinyin" for every CJK unified ideograph pypinyin knows (for sounds.tsv, when an index is built)."""
    from pypinyin import lazy_pinyin

    for code in range(0x4E00, 0xA000):
        character = chr(code)
        reading = lazy_pinyin(character)[0]
        if reading != character:
            yield character + reading


def remember_sounds_file(path: Path) -> None:
    if [path] != _SOUNDS_FILE:
        _SOUNDS_FILE[:] = [path]
        _SOUNDS.clear()


def sound(text: str) -> str:
    """How `text` sounds, blurred as many speakers blur it: 财政局 and 财正局 -> "caizenju". A character of unknown
    sound stands for itself."""
    if not _SOUNDS and _SOUNDS_FILE:
        try:
            lines = _SOUNDS_FILE[0].read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        _SOUNDS.update((line[0], line[1:]) for line in lines if len(line) > 1)
    heard = []
    for character in text:
        reading = _SOUNDS.get(character, character)
        if reading.startswith("l"):
            reading = "n" + reading[1:]
        for sharp, blurred in _BLURRED:
            reading = reading.replace(sharp, blurred)
        heard.append(reading)
    return " ".join(heard)


def typo_ratio(query: str, name: str) -> float:
    """How close the query is to the closest stretch of the name of the same length."""
    if len(query) < 3 or not set(query) & set(name):
        return 0.0
    width = len(query)
    return max(SequenceMatcher(None, query, name[i : i + width]).ratio() for i in range(max(1, len(name) - width + 1)))


def suggest_agencies(query: str, agencies: Iterable[tuple[str, str]], limit: int = 5) -> list[tuple[str, str]]:
    """(name, USCC) of the agencies the query may mean, best first: the name contains it, its pinyin or
    initials contain it, or it is a near miss of part of the name."""
    wanted = squash(query)
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
        elif (ratio := typo_ratio(wanted, plain)) >= TYPO_RATIO:
            near.append((ratio, name, uscc))
    scored = direct or near  # a near miss is offered only when nothing matches as typed
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(name, uscc) for _, name, uscc in scored[:limit]]
