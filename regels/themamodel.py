"""A small linear text model that tells the theme of what a resident wrote.

Text becomes features: words normalised (case, accents, Arabic letter forms, Turkish
dotless i), Dutch Snowball stems, the parts of Dutch compounds ("zwerfvuil" -> "zwerf" +
"vuil"), and character 3- and 4-grams that survive misspellings ("lanteerpaal" still shares
"ntaa", "paal"), each weighted by how rare it is (idf). A multinomial logistic regression
over those features, trained by
`wijksignaal themes train` from `regels/corpus/`, is stored inside the package and
scored here in pure Python: one dictionary lookup per feature, no downloads, no numpy at run
time. The features of a word are cached, so routing thousands of texts stays fast.
"""

from __future__ import annotations

import json
import lzma
import math
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

MODEL_FILE = Path(__file__).with_name("themamodel.xz")
SCALE = 100  # weights are stored as whole hundredths: 1 of the corpus's 6,833 answers changes
MAX_TEXT = 1000  # a description has at most 1000 characters; longer text is not read
GRAMS = (3, 4)
MIN_PART = 3  # the shortest part of a compound that counts as a word
# The label of texts that name no problem ("hallo", "ik wil iets melden", "dank u"):
# the model learns them as a seventh class, so a greeting gets a question, not a theme.
NO_THEME = "geen"

# Letters that one language writes in several ways: Turkish dotless i, Arabic alef maksura
# and ta marbuta, the Arabic tatweel (a stretching stroke), the Dutch ij ligature.
_FOLD = str.maketrans({"ı": "i", "ى": "ي", "ة": "ه", "ـ": None, "ĳ": "ij", "’": "'"})
_TOKEN = re.compile(r"[^\W\d_]+")  # a run of letters in any script
_LATIN = re.compile(r"[a-z]+")
_DUTCH = snowballstemmer.stemmer("dutch")


def normalise(text: str) -> str:
    """Lower case, letters folded, accents and Arabic vowel marks dropped."""
    text = text[:MAX_TEXT].lower()
    if text.isascii():  # most Dutch and English text: nothing to fold
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """The words of a text, normalised; numbers and punctuation are dropped."""
    return [t for t in _TOKEN.findall(normalise(text)) if len(t) > 1]


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A Dutch Snowball stem for Latin words; other scripts keep the word."""
    return _DUTCH.stemWord(word) if _LATIN.fullmatch(word) else word


def grams(word: str) -> tuple[str, ...]:
    """Character 3- and 4-grams of the word between boundary marks."""
    padded = f"<{word}>"
    found: list[str] = []
    for n in GRAMS:
        found += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Words known to be whole words, for splitting compounds."""

    words: frozenset[str]

    def split(self, word: str) -> tuple[str, str] | None:
        """The split into two known words with the longest head (right part), if any.

        Dutch puts the head last: "papiercontainer" -> ("papier", "container"); a linking
        "s" or "en" may sit between: "stadsdeel" -> ("stad", "deel").
        """
        if not _LATIN.fullmatch(word) or len(word) < 2 * MIN_PART + 1 or word in self.words:
            return None
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if right not in self.words:
                continue
            for link in ("", "s", "en", "e"):
                if left.endswith(link) and left[: len(left) - len(link)] in self.words:
                    base = left[: len(left) - len(link)]
                    if len(base) >= MIN_PART:
                        return base, right
        return None


def units(text: str) -> list[str]:
    """What a text is read as: its distinct words. (Pairs of neighbouring words as extra
    units were measured: 0.5 points more accuracy, within noise, for a third less speed.)"""
    return list(dict.fromkeys(tokens(text)))


def word_features(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Every feature one word gives: its stem, its compound parts, its 3- and 4-grams."""
    found = [f"w:{stem(word)}"]
    parts = lexicon.split(word)
    if parts is not None:
        found += [f"w:{stem(parts[0])}", f"w:{stem(parts[1])}"]
    found += [f"c:{g}" for g in grams(word)]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class Scores:
    """Probability per theme, and the words that weighed most for the best one."""

    probabilities: dict[str, float]
    words: tuple[str, ...]
    known: int  # how many of the text's words the model knows something of; 0: it cannot tell


class ThemeModel:
    """Multinomial logistic regression over idf-weighted features, normalised per text.

    `weights[feature]` holds one weight per theme, already multiplied by the feature's idf,
    and then the idf itself (for the text's norm)."""

    def __init__(
        self,
        themes: list[str],
        bias: list[float],
        weights: Mapping[str, Sequence[float]],
        lexicon: Iterable[str],
    ) -> None:
        self.themes, self.bias, self.weights = themes, bias, weights
        self.lexicon = Lexicon(frozenset(lexicon))
        self._word = lru_cache(maxsize=131072)(self._word_vector)

    def _word_vector(self, word: str) -> tuple[tuple[float, ...], float] | None:
        """What one word adds: per theme the sum of its known features' weights, and the sum
        of their squared idf (for the text's norm); None when the model knows none of them."""
        rows = [self.weights[f] for f in word_features(word, self.lexicon) if f in self.weights]
        if not rows:
            return None
        count = len(self.themes)
        sums = tuple(sum(row[i] for row in rows) for i in range(count))
        return sums, sum(row[-1] ** 2 for row in rows)

    def knows_word(self, word: str) -> bool:
        return f"w:{stem(word)}" in self.weights

    def score(self, text: str) -> Scores:
        """Probabilities per theme; `words` are the text's words that pushed the winner most.

        A text is the sum of its distinct words' vectors (a feature two words share counts
        for each), divided by the root of their summed squared idf: the same as in training.
        """
        per_word = []
        total = 0.0
        for word in units(text):
            vector = self._word(word)
            if vector is not None:
                per_word.append((word, vector[0]))
                total += vector[1]
        if not per_word:
            even = 1.0 / len(self.themes)
            return Scores(dict.fromkeys(self.themes, even), (), 0)
        norm = 1.0 / math.sqrt(total)
        # Per theme, the sum over the words (zip and sum run in C: a third of the time).
        columns = zip(*(sums for _, sums in per_word), strict=True)
        logits = [b + sum(column) * norm for b, column in zip(self.bias, columns, strict=True)]
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        mass = sum(exp)
        probabilities = {t: e / mass for t, e in zip(self.themes, exp, strict=True)}
        best = logits.index(top)
        pushes = sorted(((sums[best], word) for word, sums in per_word), reverse=True)
        # Short words (de, en, ik) push too, but explain nothing to a coordinator.
        words = tuple(word for push, word in pushes if push > 0 and len(word) > 3)[:3]
        return Scores(probabilities, words, len(per_word))

    def save(self, path: Path) -> int:
        """Write the model; return its size in bytes.

        The file is xz-compressed: a JSON header (themes, scale, bias, lexicon, feature names)
        and a line break, then the weights as whole multiples of 1/SCALE in little-endian int16,
        row by row in the order of the names. Loading makes no Python object per number."""
        features = sorted(self.weights)
        header = {
            "themes": self.themes,
            "scale": SCALE,
            "bias": [round(b * SCALE) for b in self.bias],
            "lexicon": sorted(self.lexicon.words),
            "features": features,
        }
        block = array("h", [round(v * SCALE) for f in features for v in self.weights[f]])
        if sys.byteorder == "big":
            block.byteswap()
        text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        packed = lzma.compress(text + b"\n" + block.tobytes(), preset=9 | lzma.PRESET_EXTREME)
        path.write_bytes(packed)
        return len(packed)

    @classmethod
    def load(cls, path: Path) -> ThemeModel:
        text, _, weights = lzma.decompress(path.read_bytes()).partition(b"\n")
        data = json.loads(text)
        scale = float(data["scale"])
        block = array("h")
        block.frombytes(weights)
        if sys.byteorder == "big":
            block.byteswap()
        # The weights take a few thousand distinct values: one float object each, rows as
        # tuples, so a worker holds megabytes, not tens.
        pool = {v: v / scale for v in set(block)}
        width = len(data["themes"]) + 1
        rows = (tuple(pool[v] for v in block[i : i + width]) for i in range(0, len(block), width))
        table = dict(zip(data["features"], rows, strict=True))
        return cls(data["themes"], [b / scale for b in data["bias"]], table, data["lexicon"])


@cache
def bundled() -> ThemeModel:
    """The model shipped with the package, loaded once per process."""
    return ThemeModel.load(MODEL_FILE)
