"""The theme corpus in `regels/corpus/` and training the theme model from it.

`wijksignaal themes train` calls `train()` and writes `regels/themamodel.xz`. Training uses
numpy (already installed with matplotlib); scoring (`regels.themamodel`) does not.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from regels.themamodel import MIN_PART, NO_THEME, Lexicon, ThemeModel, tokens, units, word_features

CORPUS_DIR = Path(__file__).with_name("corpus")
HELD_OUT_BELOW = 52  # first byte of the text's SHA-1: about one text in five is held out
MIN_DOCS = 2  # a word seen in fewer training texts is no word to split compounds by
PRUNE_BELOW = 0.05  # a feature whose weights all stay below this is left out of the model


class CorpusError(ValueError):
    """A corpus line that cannot be used, with its file and line number."""


@dataclass(frozen=True, slots=True)
class Example:
    theme: str
    text: str
    source: str  # file:line

    @property
    def held_out(self) -> bool:
        return is_held_out(self.text)


def is_held_out(text: str) -> bool:
    """Held out from training whatever file the text is in: a hash of the text decides."""
    return hashlib.sha1(text.encode("utf-8")).digest()[0] < HELD_OUT_BELOW


def read_corpus(directory: Path = CORPUS_DIR, themes: Iterable[str] | None = None) -> list[Example]:
    """Every `theme<TAB>text` line of the directory's .tsv files; a bad line is an error.
    `geen` (NO_THEME) is always allowed: the texts that name no problem."""
    allowed = {*themes, NO_THEME} if themes is not None else None
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{number}"
            if not line.strip() or line.startswith("#"):
                continue
            theme, tab, text = line.partition("\t")
            theme, text = theme.strip(), text.strip()
            if not tab or not text or "\t" in text:
                raise CorpusError(f"{where}: expected 'theme<TAB>text', got {line[:60]!r}")
            if allowed is not None and theme not in allowed:
                raise CorpusError(f"{where}: unknown theme {theme!r}; known: {sorted(allowed)}")
            if text in seen:
                continue  # the same text twice would be in both halves of nothing; keep one
            seen[text] = where
            examples.append(Example(theme, text, where))
    return examples


def build_lexicon(texts: Iterable[str]) -> frozenset[str]:
    """Whole words for compound splitting: words seen twice, and the first parts of
    compounds whose head is such a word ("zwerf" from "zwerfafval" and "zwerfkat")."""
    counts = Counter(w for text in texts for w in set(tokens(text)))
    words = {w for w, n in counts.items() if n >= MIN_DOCS and len(w) >= MIN_PART}
    heads: Counter[str] = Counter()
    for word in counts:
        for cut in range(4, len(word) - 3):
            if word[cut:] in words and word[:cut] not in words:
                heads[word[:cut]] += 1
    return frozenset(words | {h for h, n in heads.items() if n >= MIN_DOCS})


def featurise(texts: list[str], lexicon: frozenset[str]) -> list[set[str]]:
    split = Lexicon(lexicon)
    return [{f for w in tokens(t) for f in word_features(w, split)} for t in texts]


def train(examples: list[Example], *, l2: float = 3e-6, steps: int = 400) -> ThemeModel:
    """Train on the examples that are not held out: idf-weighted features, each text's
    vector of length one, softmax regression."""
    import numpy as np

    training = [e for e in examples if not e.held_out]
    themes = sorted({e.theme for e in training})
    texts = [e.text for e in training]
    lexicon = build_lexicon(texts)
    split = Lexicon(lexicon)
    # A text: its distinct words, each with its own features (as `ThemeModel.score` reads it).
    per_text = [[word_features(w, split) for w in units(t)] for t in texts]
    df = Counter(f for text in per_text for f in {f for fs in text for f in fs})
    vocab = sorted(df)
    index = {f: i for i, f in enumerate(vocab)}
    idf = np.array([math.log((1 + len(texts)) / (1 + df[f])) + 1 for f in vocab], np.float32)
    # The texts as a sparse matrix (row of each stored value, column, value): a text holds a
    # hundred of the tens of thousands of features, so training stays in seconds and megabytes.
    rows, cols, values = [], [], []
    for row, text in enumerate(per_text):
        found = np.array([index[f] for fs in text for f in fs], dtype=np.int64)
        if found.size:
            rows.append(np.full(found.size, row))
            cols.append(found)
            values.append(idf[found] / math.sqrt(float((idf[found] ** 2).sum())))
    x = _Sparse(
        np,
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(values),
        len(texts),
        len(vocab),
    )
    y = np.array([themes.index(e.theme) for e in training])
    bias, weights = _logistic(np, x, y, len(themes), l2=l2, steps=steps)
    kept = {}
    for f, i in index.items():
        row = weights[i] * idf[i]
        if np.abs(row).max() >= PRUNE_BELOW:  # a feature that moves no theme is left out
            kept[f] = [*(float(v) for v in row), float(idf[i])]
    return ThemeModel(themes, [float(b) for b in bias], kept, lexicon)


class _Sparse:
    """A texts-by-features matrix as its stored values: the two products training needs."""

    def __init__(self, np, rows, cols, values, height: int, width: int) -> None:  # type: ignore[no-untyped-def]
        self.np, self.rows, self.cols, self.values = np, rows, cols, values
        self.height, self.width = height, width
        # Rows are stored in order: where each non-empty row starts.
        self.starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])

    def times(self, w):  # type: ignore[no-untyped-def]
        """X @ w, for w of features by themes."""
        out = self.np.zeros((self.height, w.shape[1]), dtype=w.dtype)
        products = self.values[:, None] * w[self.cols]
        out[self.rows[self.starts]] = self.np.add.reduceat(products, self.starts, axis=0)
        return out

    def transposed_times(self, e):  # type: ignore[no-untyped-def]
        """X.T @ e, for e of texts by themes."""
        np = self.np
        spread = self.values[:, None] * e[self.rows]
        return np.stack(
            [np.bincount(self.cols, spread[:, k], self.width) for k in range(e.shape[1])], axis=1
        ).astype(e.dtype)


def _logistic(np, x: _Sparse, y, classes: int, *, l2: float, steps: int):  # type: ignore[no-untyped-def]
    """Softmax regression by full-batch Adam; small data, so this takes seconds."""
    n, d = x.height, x.width
    onehot = np.eye(classes, dtype=np.float32)[y]
    w = np.zeros((d, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    rate, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        logits = x.times(w) + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) / n
        grad_w = x.transposed_times(error) + l2 * w
        grad_b = error.sum(axis=0)
        for param, grad, m, v in ((w, grad_w, m_w, v_w), (b, grad_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return b, w
