"""The one analyzer both search engines use: NFKC normalisation, then rjieba (jieba-rs) segmentation.

Positions are word positions: the text is cut into words (exact mode, with agency names and domain terms kept whole),
and the search-mode sub-words of each word (e.g. 财政, 财政局 inside 演示县财政局) are indexed at their word's
position, so a quoted phrase matches consecutive words and a part of a long word still matches the word.
Punctuation and spaces are dropped and do not take a position.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import opencc
import rjieba

# Terms of the domain that must stay one word (so "失信被执行人" is not found by 失信 ... 被执行人 apart).
DOMAIN_TERMS = (
    "失信被执行人",
    "被执行人",
    "信用修复",
    "统一社会信用代码",
    "政务失信",
    "政务诚信",
    "信用承诺",
    "行政处罚",
    "拖欠账款",
    "合同违约",
    "招商引资",
    "联合惩戒",
    "异议申诉",
    "整改结果",
    "公示期满",
    "新官不理旧账",
)


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC's t2s data: 財政局 -> 财政局), character for character, so
    offsets in the folded text are offsets in the text (highlight.py relies on it)."""
    folded: str = _to_simplified().convert(text)
    if len(folded) == len(text):
        return folded
    return "".join(c if len(c := _to_simplified().convert(ch)) == 1 else ch for ch in text)


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters and brackets become ASCII: "（２０２３）" -> "(2023)"), lower case, simplified
    characters (fold)."""
    return fold(unicodedata.normalize("NFKC", text).lower())


def squash(text: str) -> str:
    """How words, names and codes are compared: normalised, without spaces."""
    return "".join(normalise(text).split())


def is_wordlike(piece: str) -> bool:
    return any(ch.isalnum() for ch in piece)


@dataclass(frozen=True)
class Token:
    text: str
    position: int
    start: int  # character offsets in the normalised text
    end: int


class Analyzer:
    """A segmenter with the stock jieba dictionary plus the domain terms and the given agency names (`words`).
    Index and queries must use the same words, so an index keeps the list it was built with (see index.py)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = sorted({normalise(w).strip() for w in (*DOMAIN_TERMS, *words) if w.strip()})
        # The sub-words of our own words come from the stock dictionary alone (人力资源 inside an agency name).
        # That segmenter is needed only here, and is dropped before the second one is built: each takes ~25 MB.
        base = rjieba.Jieba()
        self._parts = {word: self._search_parts(base, word) for word in self.words}
        del base
        self._whole = rjieba.Jieba()
        for word in self.words:
            self._whole.add_word(word, 100_000, None)

    @staticmethod
    def _search_parts(segmenter: rjieba.Jieba, word: str) -> list[tuple[str, int, int]]:
        """The search-mode sub-words of `word` (not the word itself), each once, with offsets in the word."""
        seen = {word}
        parts = []
        for sub, start, end in segmenter.tokenize(word, "search", True):
            if sub not in seen and is_wordlike(sub):
                seen.add(sub)
                parts.append((sub, start, end))
        return parts

    def tokens(self, text: str) -> list[Token]:
        """Index tokens of `text`: each word at its position, then its sub-words at the same position."""
        found: list[Token] = []
        for position, (word, start, end) in enumerate(self._words(normalise(text))):
            found.append(Token(word, position, start, end))
            if len(word) > 2:
                parts = self._parts.get(word)
                for sub, sub_start, sub_end in self._search_parts(self._whole, word) if parts is None else parts:
                    found.append(Token(sub, position, start + sub_start, start + sub_end))
        return found

    def words_of(self, text: str) -> list[str]:
        """The words of a query, in order (exact mode, as the index cuts them)."""
        return [word for word, _, _ in self._words(normalise(text))]

    def _words(self, normalised: str) -> Iterator[tuple[str, int, int]]:
        for word, start, end in self._whole.tokenize(normalised, "default", True):
            if is_wordlike(word):
                yield word, start, end
