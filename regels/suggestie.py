"""Suggest a theme from a reporter's own words, with a confidence and an honest "not sure"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from regels.tekst import keyword_stems, matched_keywords, near_misses, words

EXACT, FUZZY = 1.0, 0.5
SURE_AT = 0.7
# Only the start of a text is read: a report's description has at most 1000 characters, and
# comparing every word of a longer text with every keyword would hold up everyone else.
MAX_TEXT = 1000


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    """The most likely theme (or None), how confident, and the words that led there."""

    theme: str | None
    confidence: float
    sure: bool
    words: tuple[str, ...]
    alternatives: tuple[str, ...]


class ThemeSuggester:
    """Scores themes by keyword hits; misspellings count half; ties and weak hits are "unsure"."""

    def __init__(self, keywords_by_theme: Iterable[tuple[str, list[str]]]) -> None:
        self._stems = {theme: keyword_stems(kws) for theme, kws in keywords_by_theme}

    def suggest(self, text: str) -> ThemeSuggestion:
        text_words = words(text[:MAX_TEXT])
        scores: dict[str, float] = {}
        evidence: dict[str, tuple[str, ...]] = {}
        for theme, stems in self._stems.items():
            exact = matched_keywords(stems, text_words)
            fuzzy = tuple(k for k in near_misses(text_words, stems) if k not in exact)
            score = EXACT * len(exact) + FUZZY * len(fuzzy)
            if score:
                scores[theme] = score
                evidence[theme] = exact + fuzzy
        if not scores:
            return ThemeSuggestion(None, 0.0, False, (), ())
        ranked = sorted(scores, key=lambda t: -scores[t])
        best = ranked[0]
        strength = 1.0 if scores[best] >= EXACT else 0.6
        confidence = round(scores[best] / sum(scores.values()) * strength, 2)
        tied = len(ranked) > 1 and scores[ranked[1]] == scores[best]
        return ThemeSuggestion(
            theme=best,
            confidence=confidence,
            sure=confidence >= SURE_AT and not tied,
            words=evidence[best],
            alternatives=tuple(ranked[1:]),
        )
