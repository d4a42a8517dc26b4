"""Benchmark: how well and how fast the theme suggestion reads what residents write.

Run: .venv/bin/python bench/themes.py
On the held-out fifth of `regels/corpus/` (never trained on): accuracy, macro-F1 and the
share of texts with no suggestion over the texts that name a problem, and the share of texts
that name none ("hallo", label `geen`) that rightly get no theme; per language file and with a
confusion table, for the
shipped model (with Deventer's keywords), the keyword list it replaced, and naive Bayes on
the same features. Then speed: suggestions/s through the library (cold and warm word cache)
and through `wijksignaal route` (beyond start-up), model load time and memory.
Targets: accuracy >= 0.90, macro-F1 >= 0.88, no suggestion <= 5%; route >= 5,000/s;
load < 0.5 s; memory growth < 30 MB.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from regels.gemeente import Municipality
from regels.laden import load_municipality
from regels.suggestie import ThemeSuggester
from regels.tekst import keyword_stems, matched_keywords, words
from regels.themacorpus import Example, build_lexicon, featurise, read_corpus, train
from regels.themamodel import NO_THEME, ThemeModel, bundled

ROOT = Path(__file__).resolve().parent.parent
WIJKSIGNAAL = ROOT / ".venv" / "bin" / "wijksignaal"


def measure(name: str, predict: Callable[[str], str | None], examples: list[Example]) -> None:
    """Accuracy, macro-F1 and no-suggestion rate over the texts that name a problem; the
    share of the texts that name none which rightly get no theme."""
    quiet = [predict(e.text) is None for e in examples if e.theme == NO_THEME]
    held = [e for e in examples if e.theme != NO_THEME]
    guesses = [predict(e.text) for e in held]
    themes = sorted({e.theme for e in held})
    correct = sum(g == e.theme for g, e in zip(guesses, held, strict=True))
    f1s = []
    for t in themes:
        tp = sum(g == t == e.theme for g, e in zip(guesses, held, strict=True))
        fp = sum(g == t != e.theme for g, e in zip(guesses, held, strict=True))
        fn = sum(e.theme == t != g for g, e in zip(guesses, held, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    none = sum(g is None for g in guesses)
    print(
        f"{name:<34} accuracy {correct / len(held):.3f}  macro-F1 {sum(f1s) / len(f1s):.3f}  "
        f"no suggestion {none / len(held):.1%}  no problem named, no theme "
        f"{sum(quiet) / max(1, len(quiet)):.0%} of {len(quiet)}"
    )


def confusion(predict: Callable[[str], str | None], held: list[Example]) -> None:
    themes = sorted({e.theme for e in held} - {NO_THEME})
    short = {t: t[:8] for t in themes}
    counts = Counter((e.theme, predict(e.text)) for e in held)
    print("\nconfusion (rows: true theme, columns: suggested; '-' none)")
    print(f"{'':<20}" + "".join(f"{short[t]:>9}" for t in themes) + f"{'-':>6}")
    for t in [*themes, NO_THEME]:
        row = "".join(f"{counts[(t, g)]:>9}" for g in themes)
        print(f"{t:<20}{row}{counts[(t, None)]:>6}")


def per_file(predict: Callable[[str], str | None], held: list[Example]) -> None:
    files = sorted({e.source.split(":")[0] for e in held})
    parts = []
    for f in files:
        mine = [e for e in held if e.source.startswith(f + ":")]
        right = sum(predict(e.text) == (None if e.theme == NO_THEME else e.theme) for e in mine)
        parts.append(f"{f} {right}/{len(mine)}")
    print("per file: " + ", ".join(parts))


def keyword_list(municipality: Municipality) -> Callable[[str], str | None]:
    """The suggestion before the model: count configured keyword hits per theme."""
    stems = {t.id: keyword_stems(t.keywords) for t in municipality.themes.values()}

    def predict(text: str) -> str | None:
        found = words(text)
        scores = {t: len(matched_keywords(s, found)) for t, s in stems.items()}
        best = max(scores, key=lambda t: scores[t])
        return best if scores[best] else None

    return predict


def bayes(examples: list[Example]) -> Callable[[str], str | None]:
    """Multinomial naive Bayes on the same features, for comparison."""
    training = [e for e in examples if not e.held_out]
    lexicon = build_lexicon(e.text for e in training)
    sets = featurise([e.text for e in training], lexicon)
    themes = sorted({e.theme for e in training})
    counts = {t: Counter() for t in themes}
    for e, fs in zip(training, sets, strict=True):
        counts[e.theme].update(fs)
    vocab = {f for fs in sets for f in fs}
    totals = {t: sum(c.values()) + len(vocab) for t, c in counts.items()}
    prior = {t: math.log(sum(e.theme == t for e in training) / len(training)) for t in themes}

    def predict(text: str) -> str | None:
        fs = featurise([text], lexicon)[0] & vocab
        if not fs:
            return None
        best = max(
            themes,
            key=lambda t: prior[t] + sum(math.log((counts[t][f] + 1) / totals[t]) for f in fs),
        )
        return None if best == NO_THEME else best

    return predict


def speed(municipality: Municipality, texts: list[str]) -> None:
    shipped = bundled()  # a fresh copy: its word cache is cold, as in a new worker
    model = ThemeModel(shipped.themes, shipped.bias, shipped.weights, shipped.lexicon.words)
    suggester = ThemeSuggester(((t.id, t.keywords) for t in municipality.themes.values()), model)
    started = time.perf_counter()
    for text in texts:
        suggester.suggest(text)
    cold = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(5):
        for text in texts:
            suggester.suggest(text)
    warm = 5 * len(texts) / (time.perf_counter() - started)
    print(f"\nlibrary: {cold:,.0f} suggestions/s with a cold word cache, {warm:,.0f}/s warm")


def route_speed(texts: list[str], count: int = 20_000) -> None:
    lines = [json.dumps({"text": texts[i % len(texts)]}) for i in range(count)]

    def run(body: str) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [str(WIJKSIGNAAL), "route"], input=body, capture_output=True, text=True, check=True
        )
        elapsed = time.perf_counter() - started
        assert done.stdout.count("\n") == body.count("\n"), done.stderr[-500:]
        return elapsed

    start_up = min(run(lines[0] + "\n") for _ in range(3))
    total = run("\n".join(lines) + "\n")
    print(
        f"wijksignaal route: {count:,} texts in {total:.2f} s, start-up {start_up:.2f} s: "
        f"{count / (total - start_up):,.0f} suggestions/s beyond start-up"
    )


def load_cost() -> None:
    probe = (
        "import time\n"
        "import regels.themamodel as m\n"
        "before = int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        "t = time.perf_counter(); m.bundled(); t = time.perf_counter() - t\n"
        "after = int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        "print(f'{t:.3f} {(after - before) / 2**20:.1f}')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    size = (ROOT / "regels" / "themamodel.xz").stat().st_size
    print(
        f"model: {size / 1024:.0f} KB on disk, loads in {float(out[0]) * 1000:.0f} ms, "
        f"worker memory +{out[1]} MB"
    )


def main() -> None:
    municipality = load_municipality(None)
    examples = read_corpus(themes=municipality.themes)
    held = [e for e in examples if e.held_out]
    problems = [e for e in held if e.theme != NO_THEME]
    print(
        f"corpus: {len(examples)} texts, {len(held)} held out (never trained on): "
        f"{len(problems)} name a problem, {len(held) - len(problems)} do not\n"
    )
    suggester = municipality.suggester

    def model(text: str) -> str | None:
        return suggester.suggest(text).theme

    measure("model + Deventer keywords (shipped)", model, held)
    bare = ThemeSuggester([(t, []) for t in municipality.themes])
    measure("model alone", lambda t: bare.suggest(t).theme, held)
    started = time.perf_counter()
    measure("naive Bayes, same features", bayes(examples), held)
    print(f"{'':<34} (trained and scored in {time.perf_counter() - started:.1f} s)")
    measure("keyword list (before)", keyword_list(municipality), held)
    started = time.perf_counter()
    retrained = train(examples)
    print(
        f"\nlogistic regression trains in {time.perf_counter() - started:.1f} s "
        f"({len(retrained.weights)} features)"
    )
    per_file(model, held)
    confusion(model, held)
    unsure = [suggester.suggest(e.text) for e in problems]
    offered = sum(
        e.theme in (s.theme, *s.alternatives[:1]) for s, e in zip(unsure, problems, strict=True)
    )
    print(
        f"\nunsure (two themes offered first): {sum(not s.sure for s in unsure) / len(problems):.1%}"
        f"; right theme among the two offered: {offered / len(problems):.1%}"
    )
    quiet = [e for e in held if e.theme == NO_THEME]
    asked = sum(suggester.suggest(e.text).no_problem for e in quiet)
    lost = sum(s.no_problem for s in unsure)
    print(
        f"as a first message: {asked} of {len(quiet)} texts that name no problem get the "
        f"question what it is about; {lost} of {len(problems)} that name one do too (their "
        "words are asked for again)"
    )
    texts = [e.text for e in examples]
    speed(municipality, texts)
    route_speed(texts)
    load_cost()


if __name__ == "__main__":
    main()
