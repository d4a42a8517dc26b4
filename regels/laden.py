"""Load a municipality config directory: parse, validate, cross-check, compile, prove."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from shapely.geometry import shape

from regels.compileer import Finding, RoutingFacts, compile_rules
from regels.fouten import ConfigError, ConfigInvalid, did_you_mean
from regels.gemeente import Municipality
from regels.plaats import Gazetteer, StreetConflict, StreetSpan, parse_street_entry
from regels.schema import (
    FILES,
    ContactsFile,
    DistrictsFile,
    MunicipalityFile,
    RulesFile,
    Strict,
    ThemesFile,
)
from regels.yamlbron import YamlSource, read_yaml

AREAS_FILE = "areas.geojson"
_QUOTED = re.compile(r"'([^']*)'")


def bundled_example() -> Path:
    """Return the directory of the bundled Deventer example config."""
    return Path(str(files("regels") / "voorbeeld" / "deventer"))


def load_municipality(directory: Path | str | None = None) -> Municipality:
    """Load and prove a config directory, or raise ConfigInvalid listing every error."""
    directory = Path(directory) if directory else bundled_example()
    if not directory.is_dir():
        raise ConfigInvalid([ConfigError(str(directory), None, None, "config directory not found")])
    errors: list[ConfigError] = []
    sources: dict[str, YamlSource] = {}
    models: dict[str, Any] = {}
    for name, model in FILES.items():
        path = directory / name
        if not path.exists():
            errors.append(ConfigError(name, None, None, f"file missing in {directory}"))
            continue
        source = read_yaml(path)
        if isinstance(source, ConfigError):
            errors.append(source)
            continue
        sources[name] = source
        try:
            models[name] = model.model_validate(source.data or {})
        except ValidationError as exc:
            errors.extend(_validation_errors(source, exc))
    for stray in sorted(p.name for p in directory.glob("*.y*ml") if p.name not in FILES):
        errors.append(
            ConfigError(stray, None, None, "unknown config file", hint=did_you_mean(stray, FILES))
        )
    if errors:
        raise ConfigInvalid(errors)
    return _assemble(directory, sources, models)


def _assemble(
    directory: Path, sources: dict[str, YamlSource], models: dict[str, Any]
) -> Municipality:
    muni: MunicipalityFile = models["municipality.yaml"]
    districts: DistrictsFile = models["districts.yaml"]
    themes: ThemesFile = models["themes.yaml"]
    contacts: ContactsFile = models["contacts.yaml"]
    rules: RulesFile = models["rules.yaml"]
    check = _CrossCheck(sources)

    for file, kind, items in (
        ("districts.yaml", "district", districts.districts),
        (
            "districts.yaml",
            "neighbourhood",
            [n for d in districts.districts for n in d.neighbourhoods],
        ),
        ("themes.yaml", "theme", themes.themes),
        ("contacts.yaml", "contact", contacts.contacts),
        ("rules.yaml", "rule", rules.rules),
    ):
        check.unique(file, kind, [i.id for i in items])

    district_ids = {d.id for d in districts.districts}
    district_of = {n.id: d.id for d in districts.districts for n in d.neighbourhoods}
    theme_ids = {t.id for t in themes.themes}
    contact_by_id = {c.id: c for c in contacts.contacts}

    check.refs(
        "municipality.yaml", ("fallback_contact",), None, [muni.fallback_contact], contact_by_id
    )
    for n, coordinator in enumerate(muni.coordinators):
        check.refs("municipality.yaml", ("coordinators", n), None, [coordinator], contact_by_id)
    for n, theme in enumerate(muni.alert_themes or []):
        check.refs("municipality.yaml", ("alert_themes", n), None, [theme], theme_ids)
    for i, t in enumerate(themes.themes):
        if t.fallback_contact:
            check.refs(
                "themes.yaml",
                ("themes", i, "fallback_contact"),
                t.id,
                [t.fallback_contact],
                contact_by_id,
            )
    for i, d in enumerate(districts.districts):
        loc = ("districts", i)
        check.refs(
            "districts.yaml", (*loc, "fallback_contact"), d.id, [d.fallback_contact], contact_by_id
        )
        check.refs("districts.yaml", (*loc, "core_group"), d.id, d.core_group, contact_by_id)
    for i, c in enumerate(contacts.contacts):
        loc = ("contacts", i)
        check.refs(
            "contacts.yaml", (*loc, "neighbourhoods"), c.id, c.neighbourhoods or [], district_of
        )
        check.refs("contacts.yaml", (*loc, "districts"), c.id, c.districts or [], district_ids)
        intakes = {t.fallback_contact for t in themes.themes}
        if not c.neighbourhoods and not c.districts and c.id not in {*muni.coordinators, *intakes}:
            check.add(
                "contacts.yaml",
                loc,
                c.id,
                "neighbourhoods",
                "covers no neighbourhood",
                "list 'neighbourhoods' or 'districts'",
            )
    for i, r in enumerate(rules.rules):
        loc = ("rules", i)
        check.refs("rules.yaml", (*loc, "when", "theme"), r.id, r.when.theme or [], theme_ids)
        check.refs(
            "rules.yaml",
            (*loc, "when", "neighbourhood"),
            r.id,
            r.when.neighbourhood or [],
            district_of,
        )
        check.refs(
            "rules.yaml", (*loc, "when", "district"), r.id, r.when.district or [], district_ids
        )
        for fld in ("contact", "escalate_to"):
            value = getattr(r.then, fld)
            if value:
                check.refs("rules.yaml", (*loc, "then", fld), r.id, [value], contact_by_id)

    coverage: dict[tuple[str, str], list[str]] = {}
    for c in contacts.contacts:
        covered = set(c.neighbourhoods or [])
        covered |= {nb for nb, d in district_of.items() if d in (c.districts or [])}
        for nb in sorted(covered):
            coverage.setdefault((c.role.value, nb), []).append(c.id)

    gazetteer = _gazetteer(directory, districts, district_of, check)
    if check.errors:
        raise ConfigInvalid(check.errors)

    compiled = compile_rules(
        list(rules.rules),
        RoutingFacts(
            themes={t.id: t for t in themes.themes},
            district_of=district_of,
            district_fallback={d.id: d.fallback_contact for d in districts.districts},
            municipality_fallback=muni.fallback_contact,
            coverage=coverage,
            default_deadline_days=muni.default_deadline_days,
        ),
    )
    rule_index = {r.id: i for i, r in enumerate(rules.rules)}
    for finding in compiled.errors:
        check.finding(finding, rule_index, check.errors)
    warnings: list[ConfigError] = []
    for finding in compiled.warnings:
        check.finding(finding, rule_index, warnings)
    if check.errors:
        raise ConfigInvalid(check.errors, warnings)
    return Municipality(
        directory=directory,
        settings=muni,
        districts={d.id: d for d in districts.districts},
        themes={t.id: t for t in themes.themes},
        contacts=contact_by_id,
        coverage=coverage,
        engine=compiled.engine,
        gazetteer=gazetteer,
        warnings=warnings,
    )


def _gazetteer(
    directory: Path, districts: DistrictsFile, district_of: dict[str, str], check: _CrossCheck
) -> Gazetteer | None:
    spans: list[StreetSpan] = []
    for i, d in enumerate(districts.districts):
        for j, n in enumerate(d.neighbourhoods):
            for k, entry in enumerate(n.streets):
                loc = ("districts", i, "neighbourhoods", j, "streets", k)
                try:
                    spans.append(parse_street_entry(entry, n.id))
                except ValueError as exc:
                    check.add("districts.yaml", loc, n.id, f"streets[{k}]", str(exc))
    areas = _areas(directory / AREAS_FILE, district_of, check)
    try:
        return Gazetteer(spans, areas)
    except StreetConflict as exc:
        check.add("districts.yaml", ("districts",), None, "streets", str(exc))
        return None


def _areas(path: Path, district_of: dict[str, str], check: _CrossCheck) -> dict[str, Any]:
    """Read optional neighbourhood polygons: GeoJSON features with property 'neighbourhood'."""
    if not path.exists():
        return {}
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (ValueError, KeyError, TypeError) as exc:
        check.add(path.name, (), None, None, f"not a GeoJSON FeatureCollection: {exc}")
        return {}
    areas = {}
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        neighbourhood = props.get("neighbourhood")
        item = neighbourhood or f"feature #{n}"
        if neighbourhood not in district_of:
            check.add(
                path.name,
                (),
                item,
                "properties.neighbourhood",
                "unknown neighbourhood",
                did_you_mean(neighbourhood, district_of),
            )
            continue
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            check.add(path.name, (), item, "geometry", f"unreadable geometry: {exc}")
            continue
        if not geometry.is_valid or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            check.add(path.name, (), item, "geometry", "must be a valid Polygon or MultiPolygon")
            continue
        areas[neighbourhood] = geometry
    return areas


class _CrossCheck:
    """Collects errors that need more than one file to see, with line numbers."""

    def __init__(self, sources: dict[str, YamlSource]) -> None:
        self.sources = sources
        self.errors: list[ConfigError] = []

    def add(
        self,
        file: str,
        loc: tuple,
        item: str | None,
        field: str | None,
        message: str,
        hint: str | None = None,
        into: list[ConfigError] | None = None,
    ) -> None:
        source = self.sources.get(file)
        line = source.line_of(loc) if source else None
        (self.errors if into is None else into).append(
            ConfigError(file, item, field, message, hint, line)
        )

    def refs(self, file: str, loc: tuple, item: str | None, values: list[str], known: Any) -> None:
        field = ".".join(str(p) for p in loc[2:] if not isinstance(p, int)) or str(loc[0])
        for value in values:
            if value not in known:
                self.add(
                    file, loc, item, field, f"unknown id {value!r}", did_you_mean(value, known)
                )

    def unique(self, file: str, kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for value in ids:
            if value in seen:
                self.add(file, (), value, "id", f"{kind} id used twice")
            seen.add(value)

    def finding(
        self, finding: Finding, rule_index: dict[str, int], into: list[ConfigError]
    ) -> None:
        loc: tuple = ("rules", rule_index[finding.rule_id]) if finding.rule_id in rule_index else ()
        if finding.field:
            loc = (*loc, *finding.field.split("."))
        self.add("rules.yaml", loc, finding.rule_id, finding.field, finding.message, into=into)


def _validation_errors(source: YamlSource, exc: ValidationError) -> list[ConfigError]:
    errors = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        item, field_path = _item_and_field(source.data, loc)
        hint = None
        if err["type"] == "extra_forbidden":
            message = "unknown field"
            hint = did_you_mean(loc[-1], _all_field_names())
        elif err["type"] == "enum":
            message = err["msg"]
            hint = did_you_mean(err.get("input"), _QUOTED.findall(err["ctx"]["expected"]))
        elif err["type"] == "string_pattern_mismatch":
            message = "ids use lowercase letters, digits, '-' and '_' only"
        else:
            message = err["msg"].removeprefix("Value error, ")
        errors.append(
            ConfigError(source.name, item, field_path, message, hint, source.line_of(loc))
        )
    return errors


def _item_and_field(data: Any, loc: tuple) -> tuple[str | None, str | None]:
    """Split a pydantic location into the nearest item with an id and the field inside it."""
    item, rest_from, node = None, 0, data
    for n, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int):
            item = node.get("id") if isinstance(node, dict) and node.get("id") else f"#{part + 1}"
            rest_from = n + 1
    rest = [str(p) if not isinstance(p, int) else f"[{p}]" for p in loc[rest_from:]]
    return item, ".".join(rest).replace(".[", "[") or None


def _all_field_names() -> set[str]:
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = list(FILES.values())
    while pending:
        model = pending.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            pending.extend(m for m in _model_args(info.annotation) if m not in seen)
    return names


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, Strict):
        return [annotation]
    return [m for a in getattr(annotation, "__args__", ()) for m in _model_args(a)]
