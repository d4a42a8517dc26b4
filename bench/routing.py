"""Benchmark: 1,000 generated rules, 10,000 reports through the compiled engine.

Run: .venv/bin/python bench/routing.py   (target: >= 500,000 decisions/s)
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from regels.engine import RouteRequest
from regels.laden import load_municipality
from signalen.model import ReporterRole, Urgency

THEMES, DISTRICTS, PER_DISTRICT, RULES, REPORTS = 20, 10, 10, 1000, 10_000
ROLES = [
    "wijkbeheerder",
    "wijkagent",
    "handhaving",
    "sociaal_team",
    "opbouwwerker",
    "woonconsulent",
]
WORDS = ["afval", "lawaai", "schimmel", "drugs", "eenzaam", "container", "boom", "kamers", "feest"]


def write_config(directory: Path, rng: random.Random) -> None:
    themes = [f"t{n:02d}" for n in range(THEMES)]
    districts = [
        {
            "id": f"d{d}",
            "name": f"Wijk {d}",
            "fallback_contact": f"wm-d{d}",
            "neighbourhoods": [
                {
                    "id": f"d{d}-b{b}",
                    "name": f"Buurt {d}.{b}",
                    "streets": [f"Benchstraat {d}.{b}.{s}" for s in range(5)],
                }
                for b in range(PER_DISTRICT)
            ],
        }
        for d in range(DISTRICTS)
    ]
    neighbourhoods = [n["id"] for d in districts for n in d["neighbourhoods"]]
    contacts = [
        {"id": "meldpunt", "name": "Meldpunt", "role": "wijkmanager", "organisation": "Gemeente"}
    ]
    for d in range(DISTRICTS):
        for role in [*ROLES, "wijkmanager"]:
            contacts.append(
                {
                    "id": f"{role[:2]}-{role[-2:]}-d{d}" if role != "wijkmanager" else f"wm-d{d}",
                    "name": f"{role} {d}",
                    "role": role,
                    "organisation": "Org",
                    "districts": [f"d{d}"],
                }
            )
    rules = []
    for n in range(RULES):
        when: dict = {
            "theme": themes[n % THEMES],
            "neighbourhood": rng.sample(neighbourhoods, rng.randint(1, 3)),
        }
        if rng.random() < 0.2:
            when["urgency"] = "hoog"
        if rng.random() < 0.1:
            when["keywords"] = rng.sample(WORDS, 2)
        if rng.random() < 0.05:
            when["time"] = "22:00-07:00"
        rules.append({"id": f"r{n:04d}", "when": when, "then": {"role": rng.choice(ROLES)}})
    files = {
        "municipality.yaml": {
            "name": "Benchstad",
            "fallback_contact": "meldpunt",
            "coordinators": ["meldpunt"],
        },
        "districts.yaml": {"districts": districts},
        "themes.yaml": {
            "themes": [
                {
                    "id": t,
                    "label": {"nl": t, "en": t},
                    "deadline_days": 3,
                    "keywords": rng.sample(WORDS, 2),
                }
                for t in themes
            ]
        },
        "contacts.yaml": {"contacts": contacts},
        "rules.yaml": {"rules": rules},
    }
    for name, content in files.items():
        (directory / name).write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def main() -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        write_config(Path(tmp), rng)
        started = time.perf_counter()
        municipality = load_municipality(tmp)
        load_seconds = time.perf_counter() - started
    engine = municipality.engine
    themes, neighbourhoods = list(municipality.themes), list(municipality.neighbourhoods)
    start = datetime(2026, 11, 23, tzinfo=ZoneInfo("Europe/Amsterdam"))
    requests = [
        RouteRequest(
            theme=rng.choice(themes) if rng.random() > 0.05 else None,
            neighbourhood=rng.choice(neighbourhoods) if rng.random() > 0.02 else None,
            urgency=rng.choice(list(Urgency)),
            reporter_role=rng.choice(list(ReporterRole)),
            text=" ".join(rng.sample(WORDS, 3)) + " bij de voordeur",
            at=start + timedelta(minutes=rng.randint(0, 7 * 24 * 60)),
        )
        for _ in range(REPORTS)
    ]
    decide = engine.decide
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        for request in requests:
            decide(request)
        best = min(best, time.perf_counter() - t0)
    owners = {decide(r).contact_id for r in requests}
    print(
        f"rules: {len(engine.rules)}, combinations indexed: {engine.combinations}, "
        f"warnings (dead rules): {len(municipality.warnings)}"
    )
    print(f"load + validate + compile + prove: {load_seconds * 1000:.0f} ms")
    print(
        f"{REPORTS} decisions, best of 7: {best * 1000:.1f} ms -> {REPORTS / best:,.0f} decisions/s "
        f"(target >= 500,000); {len(owners)} distinct owners"
    )


if __name__ == "__main__":
    main()
