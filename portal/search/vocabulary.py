"""The words residents use, mapped to the site's (issue 16): everyday words to the site's terms (欠钱 -> 拖欠账款),
agency abbreviations generated from the names (发展和改革委员会 -> 发改委, 镇人民政府 -> 镇政府), and the synonyms and
aliases staff add in the workspace. The hand-kept part is the data file vocabulary.toml beside this module.

Pure: a Vocabulary is built from entries (operations.py loads them from the file and the database) and answers two
questions about a stretch of a query: which other words it stands for, and which agencies it names."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

from portal.search.analyzer import normalise

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
MAX_RUN = 4  # the longest run of query words looked up as one synonym
TYPO_RATIO = 0.66  # a same-length name this close is the agency meant (one character off in three)
Spell = Callable[[str], tuple[str, str]]  # name -> (full pinyin, initials)


def squash(text: str) -> str:
    """How words and names are compared: normalised (NFKC, lower case, simplified characters), without spaces."""
    return "".join(normalise(text).split())


@dataclass(frozen=True)
class Dictionary:
    """The hand-kept entries: synonyms (everyday word -> site terms), abbreviation rules (long form -> short) and
    the words of a question that name nothing to look for."""

    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    question_words: frozenset[str] = frozenset()


@cache
def data_file(path: Path = VOCABULARY_FILE) -> Dictionary:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return Dictionary(
        {k: tuple(v) for k, v in data.get("synonyms", {}).items()},
        {k: tuple(v) for k, v in data.get("abbreviations", {}).items()},
        frozenset(data.get("question_words", "").split()),
    )


@dataclass(frozen=True)
class AgencyNames:
    """The names one agency is known by."""

    uscc: str
    name: str
    region_name: str = ""
    former: tuple[str, ...] = ()  # 曾用名
    aliases: tuple[str, ...] = ()  # added by staff


def short_name(name: str, region_name: str) -> str:
    """The name without its region in front (演示县财政局 -> 财政局), or the name."""
    rest = name.removeprefix(region_name) if region_name else name
    return rest if len(rest) >= 2 else name


def abbreviations(name: str, region_name: str, rules: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The name with each long form it contains shortened, with and without its region:
    演示县发展和改革委员会 -> {演示县发改委, 发改委}; 城关镇人民政府 -> {城关镇政府}. Only the first (most specific)
    rule that applies is used, so 经济开发区管理委员会 does not also give 经济开发区管委会."""
    found: set[str] = set()
    for long_form, shorts in rules.items():
        if long_form in name:
            for short in shorts:
                shortened = name.replace(long_form, short)
                found |= {shortened, short_name(shortened, region_name)}
            break
    found.discard(name)
    return {f for f in found if len(f) >= 2}


class Vocabulary:
    def __init__(
        self,
        synonyms: Mapping[str, Iterable[str]] = (),  # type: ignore[assignment]
        agencies: Iterable[AgencyNames] = (),
        rules: Mapping[str, tuple[str, ...]] = (),  # type: ignore[assignment]
        spell: Spell | None = None,
    ) -> None:
        self.synonyms: dict[str, tuple[str, ...]] = {}
        for word, targets in dict(synonyms).items():
            key = squash(word)
            wanted = tuple(dict.fromkeys(t for t in targets if squash(t) and squash(t) != key))
            if key and wanted:
                self.synonyms[key] = tuple(dict.fromkeys((*self.synonyms.get(key, ()), *wanted)))
        self.named: dict[str, set[str]] = {}  # squashed name, short name, alias or abbreviation -> USCCs
        self._typo_names: dict[int, list[tuple[str, str]]] = {}  # length -> (name, USCC), for near misses
        self._spelled: dict[str, set[str]] = {}  # pinyin or initials of a name or short name -> USCCs
        for agency in agencies:
            short = short_name(agency.name, agency.region_name)
            names = {agency.name, short, *agency.former, *agency.aliases}
            names |= abbreviations(agency.name, agency.region_name, dict(rules))
            for name in filter(None, map(squash, names)):
                self.named.setdefault(name, set()).add(agency.uscc)
            for name in {squash(agency.name), squash(short)}:
                self._typo_names.setdefault(len(name), []).append((name, agency.uscc))
                for spelling in spell(name) if spell else ():
                    if spelling:
                        self._spelled.setdefault(spelling, set()).add(agency.uscc)

    def alternatives(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The site's terms a run of query words stands for (none for most)."""
        return self.synonyms.get("".join(words), ())

    def agencies(self, text: str) -> tuple[str, ...]:
        """The agencies `text` names, as USCCs: its full name, short name, a former name, an alias or an abbreviation;
        its pinyin or initials (caizhengju, czj); or, when none of these, a near miss of the same length that ends
        alike (财正局, 演示县财正局)."""
        wanted = squash(text)
        if len(wanted) < 2:
            return ()
        exact = self.named.get(wanted) or (self._spelled.get(wanted) if wanted.isascii() else None)
        if exact:
            return tuple(sorted(exact))
        if len(wanted) < 3 or wanted.isascii():
            return ()
        scored = [
            (SequenceMatcher(None, wanted, name).ratio(), uscc)
            for name, uscc in self._typo_names.get(len(wanted), ())
            if name[-1] == wanted[-1]
        ]
        best = max((ratio for ratio, _ in scored), default=0.0)
        if best < TYPO_RATIO:
            return ()
        return tuple(sorted({uscc for ratio, uscc in scored if ratio == best}))
