"""Highlighted snippets: the stored text around the first match, escaped, with <mark> around every query word.
Matching runs on the normalised text (NFKC, lower case, simplified characters) and maps back to the original
characters."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape

from portal.search.analyzer import fold

SNIPPET_CHARS = 120


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each base character with the combining marks that follow it (é as e + U+0301, ｶﾞ)."""
    starts = [i for i, ch in enumerate(text) if i == 0 or not (unicodedata.combining(ch) or ch in "\uff9e\uff9f")]
    return list(zip(starts, [*starts[1:], len(text)], strict=False))


@lru_cache(maxsize=8192)
def _nfkc_lower(cluster: str) -> str:
    """One character (with its combining marks) as the analyzer normalises it; few distinct ones recur."""
    return unicodedata.normalize("NFKC", cluster).lower()


def _normalised_with_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text normalised as the analyzer does, and for each normalised character the original span it came from."""
    lowered = text.lower()
    if len(lowered) == len(text) and unicodedata.is_normalized("NFKC", text):  # the usual case: nothing moves
        return fold(lowered), [(i, i + 1) for i in range(len(text))]
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        norm = _nfkc_lower(text[start:end])
        out.append(norm)
        origin.extend([(start, end)] * len(norm))
    return fold("".join(out)), origin


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `words` in `text`, in original character offsets; longer words
    first, then alphabetical, so the same text and words always give the same marks."""
    norm, origin = _normalised_with_map(text)
    taken = [False] * len(text)
    spans = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        start = norm.find(word) if word else -1
        while start != -1:
            end = start + len(word)
            first, last = origin[start][0], origin[end - 1][1]
            if not any(taken[first:last]):
                taken[first:last] = [True] * (last - first)
                spans.append((first, last))
            start = norm.find(word, end)
    return sorted(spans)


def mark(text: str, words: list[str], spans: list[tuple[int, int]] | None = None) -> Markup:
    spans = _spans(text, words) if spans is None else spans
    out = Markup()
    last = 0
    for start, end in spans:
        out += escape(text[last:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
        last = end
    return out + escape(text[last:])


def snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> Markup:
    """About `size` characters of `text` around the first match (its start if none), words marked."""
    text = " ".join(text.split())
    spans = _spans(text, words)
    begin = max(0, spans[0][0] - size // 4) if spans else 0
    end = min(len(text), begin + size)
    window = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    body = mark(text[begin:end], words, window)
    return (Markup("…") if begin else Markup()) + body + (Markup("…") if end < len(text) else Markup())
