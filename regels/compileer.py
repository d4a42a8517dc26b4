"""Compile validated rules into the routing index and prove it: every combination has one owner."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from regels.engine import (
    CompiledRule,
    Decision,
    Key,
    Owner,
    RoutingEngine,
    _Candidate,
)
from regels.schema import Rule, Theme
from regels.tekst import keyword_stems
from signalen.model import ReporterRole, Urgency
from signalen.werkdagen import WEEKDAYS, WorkingCalendar

PERSONS = list(itertools.product(Urgency, ReporterRole))


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem (error) or doubt (warning) about one rule, or about the config as a whole."""

    rule_id: str | None
    field: str | None
    message: str


@dataclass
class Compiled:
    engine: RoutingEngine
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class RoutingFacts:
    """What the compiler needs from the rest of the config."""

    themes: Mapping[str, Theme]
    district_of: Mapping[str, str]
    district_fallback: Mapping[str, str]
    municipality_fallback: str
    coverage: Mapping[tuple[str, str], list[str]]  # (role, neighbourhood) -> contact ids
    default_deadline_days: int
    calendar: WorkingCalendar | None = None  # the municipality's: holidays, working hours


def compile_rule(
    rule: Rule, position: int, calendar: WorkingCalendar | None = None
) -> CompiledRule:
    when, then = rule.when, rule.then
    window = None
    if when.time:
        start, end = when.time.split("-")
        window = (_minutes(start), _minutes(end))
    return CompiledRule(
        id=rule.id,
        position=position,
        themes=_set(when.theme),
        neighbourhoods=_set(when.neighbourhood),
        districts=_set(when.district),
        urgencies=_set(when.urgency),
        roles=_set(when.reporter_role),
        keywords=keyword_stems(when.keywords) if when.keywords else None,
        window=window,
        owner=Owner(
            contact=then.contact,
            role=then.role,
            priority=then.priority,
            deadline_days=then.deadline_days,
            escalate_to=">".join(then.escalate_to)  # a chain, in order
            if isinstance(then.escalate_to, list)
            else then.escalate_to,
            alert=then.alert,
            deadline_hours=then.deadline_hours,
        ),
        weekdays=None
        if when.weekdays is None
        else frozenset(WEEKDAYS.index(d.value) for d in when.weekdays),
        holiday=when.holiday,
        outside_hours=when.outside_hours,
        calendar=calendar,
    )


def compile_rules(rules: list[Rule], facts: RoutingFacts) -> Compiled:
    """Build the index over every combination; report unresolvable owners and dead rules."""
    compiled = [compile_rule(rule, n, facts.calendar) for n, rule in enumerate(rules, start=1)]
    neighbourhoods = list(facts.district_of)
    index: dict[Key, tuple[_Candidate, ...]] = {}
    errors: dict[tuple[str, str], Finding] = {}
    reachable: set[str] = set()
    shadowed_by: dict[str, tuple[str, Key]] = {}

    themes: list[str | None] = [*facts.themes, None]
    for theme in themes:
        theme_rules = [r for r in compiled if r.admits_theme(theme)]
        for neighbourhood in [*neighbourhoods, None]:
            district = facts.district_of.get(neighbourhood) if neighbourhood else None
            place_rules = [r for r in theme_rules if r.admits_place(neighbourhood, district)]
            for urgency, role in PERSONS:
                key: Key = (theme, neighbourhood, urgency, role)
                candidates: list[_Candidate] = []
                winner: CompiledRule | None = None
                for rule in place_rules:
                    if not rule.admits_person(urgency, role):
                        continue
                    if winner is not None:
                        shadowed_by.setdefault(rule.id, (winner.id, key))
                        continue
                    contact = _owner_contact(rule, neighbourhood, facts, errors)
                    if contact is None:
                        continue
                    reachable.add(rule.id)
                    candidates.append(
                        _Candidate(rule, _decision(rule, contact, key, district, facts))
                    )
                    if not rule.conditional:
                        winner = rule
                if winner is None:
                    fallback = _fallback(district, facts, theme)
                    candidates.append(
                        _Candidate(None, _fallback_decision(fallback, key, district, facts))
                    )
                index[key] = tuple(candidates)

    warnings = [
        _dead_rule_warning(rule, shadowed_by.get(rule.id))
        for rule in compiled
        if rule.id not in reachable and not any(e.rule_id == rule.id for e in errors.values())
    ]
    engine = RoutingEngine(index, compiled, facts.district_of)
    return Compiled(engine, list(errors.values()), warnings)


def _owner_contact(
    rule: CompiledRule,
    neighbourhood: str | None,
    facts: RoutingFacts,
    errors: dict[tuple[str, str], Finding],
) -> str | None:
    """Bind a rule's owner to a contact for this neighbourhood, recording why it cannot be."""
    if rule.owner.contact:
        return rule.owner.contact
    if neighbourhood is None:
        return None  # a role needs a known place; unknown places go on to the next rule
    role = rule.owner.role or ""
    contacts = facts.coverage.get((role, neighbourhood), [])
    if len(contacts) == 1:
        return contacts[0]
    if (rule.id, neighbourhood) not in errors:
        problem = (
            f"no {role} covers neighbourhood {neighbourhood!r}"
            if not contacts
            else f"{len(contacts)} contacts with role {role} cover {neighbourhood!r} "
            f"({', '.join(contacts)}); one owner is needed"
        )
        errors[(rule.id, neighbourhood)] = Finding(rule.id, "then.role", problem)
    return None


def _decision(
    rule: CompiledRule, contact: str, key: Key, district: str | None, facts: RoutingFacts
) -> Decision:
    theme, _, urgency, _ = key
    return Decision(
        rule_id=rule.id,
        contact_id=contact,
        priority=rule.owner.priority or urgency,
        deadline_days=rule.owner.deadline_days
        if rule.owner.deadline_days is not None
        else _theme_days(theme, facts),
        escalation_contact_id=rule.owner.escalate_to or _fallback(district, facts, theme),
        fallback=False,
        alert=rule.owner.alert,
        deadline_hours=rule.owner.deadline_hours,
    )


def _fallback_decision(
    contact: str, key: Key, district: str | None, facts: RoutingFacts
) -> Decision:
    theme, _, urgency, _ = key
    return Decision(
        rule_id=f"fallback:{district or 'municipality'}",
        contact_id=contact,
        priority=urgency,
        deadline_days=_theme_days(theme, facts),
        escalation_contact_id=contact,
        fallback=True,
    )


def _fallback(district: str | None, facts: RoutingFacts, theme: str | None = None) -> str:
    """The district's wijkmanager; for an unknown place the theme's intake, else the desk."""
    if district is None:
        intake = facts.themes[theme].fallback_contact if theme else None
        return intake or facts.municipality_fallback
    return facts.district_fallback[district]


def _theme_days(theme: str | None, facts: RoutingFacts) -> int:
    return facts.themes[theme].deadline_days if theme else facts.default_deadline_days


def _dead_rule_warning(rule: CompiledRule, shadow: tuple[str, Key] | None) -> Finding:
    if shadow is None:
        return Finding(rule.id, "when", "can never match: no theme/place/urgency/role fits")
    winner, (theme, neighbourhood, urgency, role) = shadow
    return Finding(
        rule.id,
        "when",
        f"can never match: earlier rule {winner!r} always wins first "
        f"(for example theme={theme}, neighbourhood={neighbourhood}, "
        f"urgency={urgency.value}, reporter_role={role.value})",
    )


def _set(values: list | None) -> frozenset | None:
    return frozenset(values) if values is not None else None


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
