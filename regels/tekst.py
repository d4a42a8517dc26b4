"""Words from free text: normalised, lightly stemmed for Dutch, and matched against keywords."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'s)?")
# One plural, diminutive or adjective ending: "zakjes" -> "zak", "containers" -> "container".
_ENDINGS = ("'s", "jes", "je", "en", "e", "s")
_PLURAL_S_AFTER = "aeloru"  # "containers", "kliko's"; but not "vuilnis", "drugs", "huis"
_DOUBLE_VOWEL = re.compile(r"(aa|ee|oo|uu)")
_MIN_SUBSTRING = 4  # shorter keywords must equal a word, so "rat" does not hit "straat"

Keywords = tuple[tuple[str, str], ...]
"""Configured keywords as (stem, as written) pairs."""


def fold(text: str) -> str:
    """Lowercase and strip accents: "Coördinatie" -> "coordinatie"."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)  # words repeat a lot (Zipf); the cache keeps routing fast
def stem(word: str) -> str:
    """Reduce a Dutch word to a skeleton that its inflections share.

    One ending goes, a doubled final consonant is undone and doubled vowels are folded, so
    "straat", "straten" and "straatje" all become "strat", and "eenzaam"/"eenzame" "enzam".
    """
    for ending in _ENDINGS:
        if ending == "s" and (len(word) < 2 or word[-2] not in _PLURAL_S_AFTER):
            continue
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            if word[-1] == word[-2] and word[-1] not in "aeiou":
                word = word[:-1]
            break
    return _DOUBLE_VOWEL.sub(lambda m: m.group(0)[0], word)


def words(text: str) -> list[str]:
    """Return the stemmed words of a text."""
    return [stem(w) for w in _WORD.findall(fold(text))]


def keyword_stems(keywords: list[str]) -> Keywords:
    """Stem configured keywords once; a keyword of several words needs all of them."""
    pairs: dict[str, str] = {}
    for keyword in keywords:
        stemmed = " ".join(words(keyword))
        if stemmed:
            pairs.setdefault(stemmed, keyword)
    return tuple(pairs.items())


def word_hits(keyword: str, text_words: list[str]) -> bool:
    """Tell whether a stemmed keyword occurs among the words, also inside compounds."""
    return _Words(text_words).has(keyword)


class _Words:
    """A text's words, for asking about many keywords: one set, one joined string."""

    __slots__ = ("joined", "unique")

    def __init__(self, text_words: list[str]) -> None:
        self.unique = set(text_words)
        self.joined = "\x00".join(text_words)  # "part in joined": inside any one word

    def has(self, keyword: str) -> bool:
        return all(
            (part in self.joined) if len(part) >= _MIN_SUBSTRING else (part in self.unique)
            for part in keyword.split(" ")
        )


def matched_keywords(keywords: Keywords, text_words: list[str]) -> tuple[str, ...]:
    """Return the keywords (as written in the config) that occur in the text."""
    found = _Words(text_words)
    return tuple(original for stemmed, original in keywords if found.has(stemmed))
