"""Load a municipality config directory: parse, validate, cross-check, compile, prove."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError
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
    RolesFile,
    RulesFile,
    ThemesFile,
)
from regels.veldfouten import validation_errors
from regels.yamlbron import YamlSource, read_yaml
from signalen.werkdagen import WorkingCalendar

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
            errors.extend(validation_errors(source, exc))
    errors.extend(_unknown_roles(sources, models))  # with the other field errors, not after
    for stray in sorted(p.name for p in directory.glob("*.y*ml") if p.name not in FILES):
        errors.append(
            ConfigError(stray, None, None, "unknown config file", hint=did_you_mean(stray, FILES))
        )
    if errors:
        raise ConfigInvalid(errors)
    return _assemble(directory, sources, models)


def _unknown_roles(sources: dict[str, YamlSource], models: dict[str, Any]) -> list[ConfigError]:
    """Contacts whose role roles.yaml does not declare (as soon as both files are read)."""
    if "roles.yaml" not in models or "contacts.yaml" not in models:
        return []
    check = _CrossCheck(sources)
    declared = {r.id for r in models["roles.yaml"].roles}
    for i, c in enumerate(models["contacts.yaml"].contacts):
        if c.role is not None:
            check.refs("contacts.yaml", ("contacts", i, "role"), c.id, [c.role], declared)
    return check.errors


def _assemble(
    directory: Path, sources: dict[str, YamlSource], models: dict[str, Any]
) -> Municipality:
    muni: MunicipalityFile = models["municipality.yaml"]
    districts: DistrictsFile = models["districts.yaml"]
    themes: ThemesFile = models["themes.yaml"]
    contacts: ContactsFile = models["contacts.yaml"]
    rules: RulesFile = models["rules.yaml"]
    roles: RolesFile = models["roles.yaml"]
    check = _CrossCheck(sources)

    for file, kind, items in (
        ("districts.yaml", "district", districts.districts),
        (
            "districts.yaml",
            "neighbourhood",
            [n for d in districts.districts for n in d.neighbourhoods],
        ),
        ("themes.yaml", "theme", themes.themes),
        ("roles.yaml", "role", roles.roles),
        ("contacts.yaml", "contact", contacts.contacts),
        ("rules.yaml", "rule", rules.rules),
    ):
        check.unique(file, kind, [i.id for i in items])

    district_ids = {d.id for d in districts.districts}
    district_of = {n.id: d.id for d in districts.districts for n in d.neighbourhoods}
    theme_ids = {t.id for t in themes.themes}
    contact_by_id = {c.id: c for c in contacts.contacts}
    role_by_id = {r.id: r for r in roles.roles}
    owning_roles = {r.id for r in roles.roles if r.owns}
    # Who may own a signal: a contact with a role that owns (not an alert-only person).
    # Who may own a signal: a contact with a role that owns, not an alert-only person (a
    # contact whose role is unknown counts as one: that error is reported once, at the role).
    owners = {
        c.id: c
        for c in contacts.contacts
        if c.role is not None and (c.role in owning_roles or c.role not in role_by_id)
    }
    check.alert_only = {c.id for c in contacts.contacts if c.id not in owners}
    group_names = {name for d in districts.districts for name in d.groups}

    check.refs("municipality.yaml", ("fallback_contact",), None, [muni.fallback_contact], owners)
    for n, coordinator in enumerate(muni.coordinators):
        check.refs("municipality.yaml", ("coordinators", n), None, [coordinator], owners)
    for n, theme in enumerate(muni.alert_themes or []):
        check.refs("municipality.yaml", ("alert_themes", n), None, [theme], theme_ids)
    for i, t in enumerate(themes.themes):
        if t.fallback_contact:
            check.refs(
                "themes.yaml",
                ("themes", i, "fallback_contact"),
                t.id,
                [t.fallback_contact],
                owners,
            )
    for i, d in enumerate(districts.districts):
        loc = ("districts", i)
        check.refs("districts.yaml", (*loc, "fallback_contact"), d.id, [d.fallback_contact], owners)
        check.refs("districts.yaml", (*loc, "core_group"), d.id, d.core_group, contact_by_id)
        for name, members in d.groups.items():
            check.refs("districts.yaml", (*loc, "groups", name), d.id, members, contact_by_id)
            if name in contact_by_id:
                message = f"group {name!r} has the id of a contact; give the group another name"
                check.add("districts.yaml", (*loc, "groups", name), d.id, "groups", message)
        public = d.public_channel.themes if d.public_channel else []
        check.refs("districts.yaml", (*loc, "public_channel", "themes"), d.id, public, theme_ids)
        for theme in public:
            if any(t.id == theme and t.sensitive for t in themes.themes):
                where = (*loc, "public_channel", "themes")
                message = f"{theme!r} is a care theme: it never goes to a public channel"
                check.add("districts.yaml", where, d.id, "public_channel.themes", message)
    for i, c in enumerate(contacts.contacts):
        loc = ("contacts", i)
        check.refs(
            "contacts.yaml", (*loc, "neighbourhoods"), c.id, c.neighbourhoods or [], district_of
        )
        check.refs("contacts.yaml", (*loc, "districts"), c.id, c.districts or [], district_ids)
        intakes = {t.fallback_contact for t in themes.themes}
        everywhere = {*muni.coordinators, *intakes}
        places = c.neighbourhoods or c.districts
        if c.role in owning_roles and not places and c.id not in everywhere:
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
        if r.then.contact:
            check.refs("rules.yaml", (*loc, "then", "contact"), r.id, [r.then.contact], owners)
        if r.then.role:
            owning = {k: v for k, v in role_by_id.items() if v.owns}
            check.refs("rules.yaml", (*loc, "then", "role"), r.id, [r.then.role], owning)
        if isinstance(r.then.escalate_to, list):  # a chain: contacts who may act
            where = (*loc, "then", "escalate_to")
            check.refs("rules.yaml", where, r.id, r.then.escalate_to, owners)
        elif r.then.escalate_to:
            targets = {**contact_by_id, **dict.fromkeys(group_names)}
            where = (*loc, "then", "escalate_to")
            check.refs("rules.yaml", where, r.id, [r.then.escalate_to], targets)
            if r.then.escalate_to in group_names:
                applies = set(r.when.district or []) | {
                    district_of[n] for n in r.when.neighbourhood or [] if n in district_of
                }
                missing = sorted(
                    d.id
                    for d in districts.districts
                    if (not applies or d.id in applies) and r.then.escalate_to not in d.groups
                )
                if missing:
                    message = (
                        f"group {r.then.escalate_to!r} is not declared for "
                        f"{', '.join(missing)}; add it there or limit the rule's districts"
                    )
                    check.add("rules.yaml", where, r.id, "then.escalate_to", message)

    coverage: dict[tuple[str, str], list[str]] = {}
    for c in contacts.contacts:
        if c.id not in owners:
            continue
        covered = set(c.neighbourhoods or [])
        covered |= {nb for nb, d in district_of.items() if d in (c.districts or [])}
        for nb in sorted(covered):
            coverage.setdefault((c.role or "", nb), []).append(c.id)

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
            calendar=WorkingCalendar.for_hours(muni.working_hours, muni.closing_days),
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
        roles=role_by_id,
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
        self.alert_only: set[str] = set()

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
            if value in self.alert_only and value not in known:
                message = f"{value!r} cannot own signals: give the contact a role that owns"
                self.add(file, loc, item, field, message)
            elif value not in known:
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
