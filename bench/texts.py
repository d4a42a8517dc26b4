"""What four languages cost: compiling every template per language at start, the memory
that takes, and rendering a receipt in Dutch and in Arabic (values isolated).

    .venv/bin/python bench/texts.py
"""

from __future__ import annotations

import resource
import time


def main() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    from kern.texts import LANGUAGES, Texts

    texts = Texts()
    took = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"import + compile {len(LANGUAGES)} languages: {took:.3f} s, memory +{grown:.1f} MB")
    values = {"referentie": "WS-2026-000001", "eigenaar": "de wijkbeheerder", "datum": "woensdag"}
    for taal in ("nl", "ar"):
        n = 20_000
        start = time.perf_counter()
        for _ in range(n):
            texts("melden.ontvangen", taal, **values)
        print(f"render melden.ontvangen ({taal}): {n / (time.perf_counter() - start):,.0f}/s")


if __name__ == "__main__":
    main()
