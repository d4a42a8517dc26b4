"""`wijksignaal demo` plays on any municipality's config: the scenes come from the config, so a
municipality with other places, contacts and theme labels plays its own day, never Deventer's."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import yaml

from bot.demo.scenes import UNKNOWN_PLACE, plan_day
from regels.laden import bundled_example, load_municipality
from regels.plaats import parse_street_entry
from signalen.werkdagen import AMSTERDAM

# Invented names: none contains a Deventer place name (checked in `_renamed_copy`).
_FIRST = ["Amber", "Berken", "Ceder", "Duinroos", "Esdoorn", "Fazant", "Gaaien", "Hazelaar",
          "Jasmijn", "Kievit", "Lijster", "Merel", "Noten", "Olmen", "Pauw", "Reiger", "Sparren",
          "Tulpen", "Vinken", "Wilgen", "Zwaluw", "Anjer", "Braam", "Cypres"]  # fmt: skip
_STREET = ["laan", "hof", "pad", "dreef"]
_REFERENCE = re.compile(r"^│ (\S+-\d+) +│")


async def _demo(*args: str, cwd: Path) -> str:
    """Run `wijksignaal demo` as a user would; return its output after checking it exits 0."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TELEGRAM_BOT_TOKEN", "WIJKSIGNAAL_CONFIG", "DATABASE_URL")
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 180)
    transcript = output.decode()
    assert process.returncode == 0, transcript
    assert "Traceback" not in transcript, transcript
    return transcript


def _summary_rows(transcript: str) -> list[list[str]]:
    """The summary table's rows as cells, a cell's wrapped lines joined."""
    table = transcript[transcript.index("The day in figures") :]
    rows: list[list[str]] = []
    for line in table.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if _REFERENCE.match(line):
            rows.append(cells)
        elif rows:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


def _owners(transcript: str) -> list[str]:
    """The owner of each report in the summary, after checking every report is there once."""
    receipts = re.findall(r"Nummer: (\S+)", transcript)
    rows = _summary_rows(transcript)
    assert [row[0] for row in rows] == receipts, transcript
    assert len(set(receipts)) == len(receipts)
    return [row[2] for row in rows]


def _expected_owners(config: Path | None) -> list[str]:
    """The owner each planned report gets by the config's rules, as the summary names it."""
    municipality = load_municipality(config)
    plan = plan_day(municipality, datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM))
    owners = []
    for report in plan.reports:
        role = municipality.contacts[report.owner].role
        where = report.place.neighbourhood
        place = municipality.neighbourhoods[where].name if where else municipality.name
        owners.append(f"{municipality.role_label(role, 'nl')} voor {place}")
    return owners


def _renamed_copy(target: Path) -> tuple[Path, list[str], list[str], dict[str, str]]:
    """Copy the Deventer example with every place, contact id and the municipality's name
    replaced by invented ones; return the directory, the original names and contact ids,
    and the mapping."""
    source = bundled_example()
    shutil.copytree(source, target)
    deventer = load_municipality(source)
    mapping: dict[str, str] = {deventer.name: "Zilverhaven"}
    for n, district in enumerate(deventer.districts.values()):
        mapping.setdefault(district.id, f"wijk-{n}")
        mapping.setdefault(district.name, f"{_FIRST[n]}wijk")
    for n, neighbourhood in enumerate(deventer.neighbourhoods.values()):
        mapping.setdefault(neighbourhood.id, f"buurt-{n}")
        mapping.setdefault(neighbourhood.name, f"{_FIRST[-1 - n]}buurt")
    streets = sorted(
        {
            parse_street_entry(entry, n.id).name
            for n in deventer.neighbourhoods.values()
            for entry in n.streets
        }
    )
    for n, street in enumerate(streets):
        mapping.setdefault(street, f"{_FIRST[n % len(_FIRST)]}{_STREET[n // len(_FIRST)]}")
    contact_ids = sorted(deventer.contacts)
    for n, contact_id in enumerate(contact_ids):
        mapping[contact_id] = f"medewerker-{n:02d}"
    names = [k for k in mapping if k not in contact_ids and k != k.lower()]
    for invented in mapping.values():
        assert not any(name.lower() in invented.lower() for name in names), invented
    # One pass, longest first, whole tokens only: "Colmschate-Zuid" before "Colmschate".
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for path in target.iterdir():
        text = pattern.sub(lambda m: mapping[m.group(1)], path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    themes = target / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace("{nl: Afval,", "{nl: Rommel op straat,", 1),
        encoding="utf-8",
    )
    return target, names, contact_ids, mapping


def _mentions(transcript: str, name: str) -> bool:
    flat = " ".join(transcript.split())  # lines wrapped by the console join again
    token = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
    if re.search(token, flat):
        return True
    # A name split over table cells: look for its longer words on their own.
    words = [w for w in name.split() if len(w) >= 6] if " " in name else []
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", flat) for w in words)


async def test_the_demo_plays_the_bundled_deventer_day(tmp_path: Path) -> None:
    transcript = await _demo(cwd=tmp_path)
    assert "Note:" not in transcript  # every scene plays
    for fragment in (
        "Wijkwerkgroep ",
        "1 foto ontvangen",
        "hoort bij een plek met veel meldingen",
        "U meldt voor",
        "is met uw melding",
        "Is het probleem opgelost?",
        "Heropende melding",
        "Overzicht ",
    ):
        assert fragment in transcript, fragment
    assert _owners(transcript) == _expected_owners(None)  # one owner each, the rules' choice
    assert len(_owners(transcript)) == 5


async def test_the_demo_plays_a_renamed_municipality_without_a_deventer_place(
    tmp_path: Path,
) -> None:
    config, names, contact_ids, mapping = _renamed_copy(tmp_path / "zilverhaven")
    municipality = load_municipality(config)  # the renamed copy is a valid config
    plan = plan_day(municipality, datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM))
    transcript = await _demo("--config", str(config), cwd=tmp_path)

    mentioned = [n for n in names if _mentions(transcript, n)]
    assert not mentioned, mentioned
    ids = [c for c in contact_ids if _mentions(transcript, c)]
    assert not ids, ids
    assert "Zilverhaven" in transcript
    assert f"Wijkwerkgroep {plan.district.name}" in transcript
    assert plan.district.name in mapping.values()
    assert "Onderwerp: Rommel op straat" in transcript  # the config's own theme label
    assert "hoort bij een plek met veel meldingen" in transcript
    assert _owners(transcript) == _expected_owners(config)  # one owner each, the rules' choice
    assert len(plan.reports) == 5
    assert "Note:" not in transcript


async def test_a_config_without_streets_or_care_theme_plays_a_shorter_day(tmp_path: Path) -> None:
    """No streets: residents answer "Weet ik niet" and there is no hotspot; no care theme:
    no care scene. Each is a note, never a crash."""
    config = tmp_path / "kaal"
    shutil.copytree(bundled_example(), config)
    districts = yaml.safe_load((config / "districts.yaml").read_text(encoding="utf-8"))
    for district in districts["districts"]:
        for neighbourhood in district["neighbourhoods"]:
            neighbourhood.pop("streets", None)
    (config / "districts.yaml").write_text(yaml.safe_dump(districts), encoding="utf-8")
    themes = yaml.safe_load((config / "themes.yaml").read_text(encoding="utf-8"))
    for theme in themes["themes"]:
        theme["sensitive"] = False
    (config / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    municipality = load_municipality(config)

    plan = plan_day(municipality, datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM))

    kinds = [scene.kind for scene in plan.scenes]
    assert "hotspot" not in kinds and kinds[0] == "rubbish" and "nuisance" in kinds
    assert all(r.place.typed == UNKNOWN_PLACE for r in plan.reports)
    assert any("no streets" in note for note in plan.notes)
    assert any("hotspot" in note for note in plan.notes)
    assert "care" not in kinds and any("no care scene" in note for note in plan.notes)
    assert all(r.owner in municipality.contacts for r in plan.reports)
    assert plan.owners and plan.district.id in municipality.districts

    transcript = await _demo("--config", str(config), cwd=tmp_path)
    assert "Note: no care scene" in transcript and "Ans" not in transcript
    assert "✓ Plek: Weet ik niet" in transcript and "Is het probleem opgelost?" in transcript
    assert _owners(transcript) == _expected_owners(config)


async def test_the_demo_plays_almelo_without_a_deventer_place(tmp_path: Path) -> None:
    almelo = Path(__file__).parents[1] / "regels" / "voorbeeld" / "almelo"
    transcript = await _demo("--config", str(almelo), cwd=tmp_path)
    deventer = load_municipality(bundled_example())
    places = [deventer.name, *(d.name for d in deventer.districts.values())]
    places += [n.name for n in deventer.neighbourhoods.values()]
    places += sorted(
        {
            parse_street_entry(e, n.id).name
            for n in deventer.neighbourhoods.values()
            for e in n.streets
        }
    )
    mentioned = [p for p in places if _mentions(transcript, p)]
    assert not mentioned, mentioned
    assert "De stadsdeelcoördinator voor" in transcript  # Almelo's own role, not a wijkmanager
    assert _owners(transcript) == _expected_owners(almelo)
    assert "Note:" not in transcript
