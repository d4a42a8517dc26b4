"""Suggest a theme from a reporter's own words, with a confidence and an honest "not sure".

The theme model (`regels.themamodel`, trained on the corpus in `regels/corpus/`) reads the
text; the municipality's keywords stay as explainable boosts: a keyword the model has never
seen (a local word, "diftar") counts strongly for its theme, without retraining. Themes the
municipality does not have are left out; themes the model does not know are found by their
keywords alone. Texts that name no problem ("hallo", "is mijn melding al bekeken?") are a
class of the model's own, `geen`: they get no theme.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from regels.tekst import keyword_stems, words
from regels.themamodel import MAX_TEXT, NO_THEME, ThemeModel, bundled, tokens

SURE_AT = 0.7  # probability of the best theme from which the bot asks "is it about X?"
MARGIN = 0.25  # and its lead over the second
SUGGEST_AT = 0.2  # below this (six themes: 0.17 is no idea) the bot shows every theme
NAMES_A_PROBLEM_AT = 0.5  # words typed where a button was asked: a description from here
GREETING_WORDS = 6  # at most this many words for a text to be taken as naming no problem
KEYWORD_BOOST = 2.0  # added to a theme's log-odds per keyword of it the model does not know


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    """The most likely theme (or None), how confident, and the words that led there."""

    theme: str | None
    confidence: float
    sure: bool
    words: tuple[str, ...]
    alternatives: tuple[str, ...]  # the next most likely themes, best first
    no_problem: bool = False  # a short text the model reads no problem in: "hallo", "test"

    @property
    def names_a_problem(self) -> bool:
        """Likely enough to be a description ("hallo" or "test" are not, "kapotte lamp" is)."""
        return self.theme is not None and self.confidence >= NAMES_A_PROBLEM_AT


class ThemeSuggester:
    """The theme model plus the municipality's own keywords, over the municipality's themes."""

    def __init__(
        self,
        keywords_by_theme: Iterable[tuple[str, list[str]]],
        model: ThemeModel | None = None,
    ) -> None:
        self.model = model if model is not None else bundled()
        keywords = {theme: keyword_stems(kws) for theme, kws in keywords_by_theme}
        self.themes = tuple(keywords)
        # Only keywords the model cannot weigh itself are boosted (one word each): a local
        # word, or any keyword of a theme the model does not know.
        self._boosts: dict[str, tuple[str, str]] = {}
        for theme, pairs in keywords.items():
            for stemmed, original in pairs:
                if " " in stemmed or (theme in self.model.themes and not self._unknown(original)):
                    continue
                self._boosts.setdefault(stemmed, (theme, original))

    def _unknown(self, keyword: str) -> bool:
        return not any(self.model.knows_word(w) for w in keyword.lower().split())

    def suggest(self, text: str) -> ThemeSuggestion:
        text = text[:MAX_TEXT]
        scores = self.model.score(text)
        # The municipality's themes, and "names no problem" when the model knows it.
        labels = [*self.themes, *((NO_THEME,) if NO_THEME in scores.probabilities else ())]
        logits = {t: math.log(max(scores.probabilities.get(t, 0.0), 1e-9)) for t in labels}
        boosted: dict[str, list[str]] = {}
        for word in dict.fromkeys(words(text)) if self._boosts else ():
            hit = self._boosts.get(word)
            if hit is not None:
                boosted.setdefault(hit[0], []).append(hit[1])
        # A keyword the model does not know weighs in: its theme's odds grow by e^2 per
        # keyword (it decides where the model doubts); a theme the model has never heard of
        # goes to the top. A municipality's own word works without retraining.
        ceiling = max(logits.values())
        if boosted:  # a word the municipality gave a theme names a problem: never "geen"
            logits.pop(NO_THEME, None)
        for theme, found in boosted.items():
            if theme in self.model.themes:
                logits[theme] += KEYWORD_BOOST * len(found)
            else:
                logits[theme] = ceiling + KEYWORD_BOOST * len(found)
        if not scores.known and not boosted:
            # No word at all ("👍", "12 !!") names no problem; words in a script the model
            # does not know may well describe one.
            return ThemeSuggestion(None, 0.0, False, (), (), no_problem=not tokens(text))
        top = max(logits.values())
        exp = {t: math.exp(v - top) for t, v in logits.items()}
        total = sum(exp.values())
        themes = sorted((t for t in exp if t != NO_THEME), key=lambda t: -exp[t])
        best, second = themes[0], themes[1] if len(themes) > 1 else None
        confidence = exp[best] / total
        lead = confidence - (exp[second] / total if second else 0.0)
        model_best = max(scores.probabilities, key=scores.probabilities.__getitem__)
        # The model reads no problem when "geen" leads all its classes (the themes this
        # municipality lacks included) and no keyword of the municipality is in the text.
        reads_none = model_best == NO_THEME and not boosted
        if reads_none or confidence < SUGGEST_AT:
            # Only a short text is taken for one that names no problem ("hallo", "ik wil iets
            # melden"): a longer one may be a report with a polite opening, and stays one.
            no_problem = reads_none and len(tokens(text)) <= GREETING_WORDS
            return ThemeSuggestion(
                None, round(confidence, 2), False, (), tuple(themes[:2]), no_problem
            )
        model_words = scores.words if best == model_best else ()
        evidence = tuple(dict.fromkeys([*boosted.get(best, []), *model_words]))
        return ThemeSuggestion(
            theme=best,
            confidence=round(confidence, 2),
            sure=confidence >= SURE_AT and lead >= MARGIN,
            words=evidence,
            alternatives=tuple(themes[1:]),
        )
