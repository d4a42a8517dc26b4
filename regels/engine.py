"""The compiled first-match router: rules as plain predicates, indexed by every finite combination.

Theme, neighbourhood, urgency and reporter role are finite, so at load time every combination
gets its own short list of candidate rules, ending in the first rule that always holds there
(at worst the district's wijkmanager). Routing a report is then one dict lookup and, only for
rules with keywords or a time window, a check of the text or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from regels.tekst import Keywords, matched_keywords, words
from signalen.model import ReporterRole, Urgency
from signalen.werkdagen import AMSTERDAM, WEEKDAYS, WorkingCalendar

Key = tuple[str | None, str | None, Urgency, ReporterRole]


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """What the router needs to know about a report (place already resolved)."""

    theme: str | None
    neighbourhood: str | None
    urgency: Urgency = Urgency.NORMAAL
    reporter_role: ReporterRole = ReporterRole.BEWONER
    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """Exactly one owner, with the rule that chose them."""

    rule_id: str
    contact_id: str
    priority: Urgency
    deadline_days: int
    escalation_contact_id: str
    fallback: bool
    matched_keywords: tuple[str, ...] = ()
    alert: bool = False
    deadline_hours: int | None = None  # instead of working days, on the owner's calendar


@dataclass(frozen=True, slots=True)
class Owner:
    """A rule's outcome before it is bound to a neighbourhood: a fixed contact or a role."""

    contact: str | None
    role: str | None
    priority: Urgency | None
    deadline_days: int | None
    escalate_to: str | None
    alert: bool = False
    deadline_hours: int | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of one rule, and whether it held for a request."""

    name: str
    held: bool
    detail: str


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule's conditions as sets and plain values; None means "any"."""

    id: str
    position: int
    themes: frozenset[str] | None
    neighbourhoods: frozenset[str] | None
    districts: frozenset[str] | None
    urgencies: frozenset[Urgency] | None
    roles: frozenset[ReporterRole] | None
    keywords: Keywords | None
    window: tuple[int, int] | None
    owner: Owner
    weekdays: frozenset[int] | None = None  # 0 = Monday
    holiday: bool | None = None
    outside_hours: bool | None = None
    calendar: WorkingCalendar | None = None  # the municipality's, for holiday and hours

    @property
    def on_the_clock(self) -> bool:
        """Tell whether the rule depends on when the report was made."""
        return (
            self.window is not None
            or self.weekdays is not None
            or self.holiday is not None
            or self.outside_hours is not None
        )

    @property
    def conditional(self) -> bool:
        """Tell whether the rule depends on the text or the clock, not only on the combination."""
        return self.keywords is not None or self.on_the_clock

    def clock_checks(self, at: datetime | None) -> list[Check]:
        """The rule's conditions on the moment of the report (none hold at an unknown time)."""
        checks = []
        local = at.astimezone(AMSTERDAM) if at else None
        if self.window is not None:
            held = in_window(self.window, at)
            checks.append(Check("time", held, f"{_clock(at)} in {_window(self.window)}"))
        if self.weekdays is not None:
            day = WEEKDAYS[local.weekday()] if local else "unknown day"
            shown = ", ".join(WEEKDAYS[d] for d in sorted(self.weekdays))
            held = local is not None and local.weekday() in self.weekdays
            checks.append(Check("weekdays", held, f"{day} in ({shown})"))
        calendar = self.calendar or WorkingCalendar()
        if self.holiday is not None:
            is_holiday = local is not None and calendar.is_holiday(local.date())
            said = "a holiday" if is_holiday else "no holiday"
            held = local is not None and is_holiday == self.holiday
            checks.append(Check("holiday", held, f"{local.date() if local else '?'} is {said}"))
        if self.outside_hours is not None:
            inside = local is not None and calendar.in_working_hours(local)
            said = "within working hours" if inside else "outside working hours"
            held = local is not None and (not inside) == self.outside_hours
            checks.append(Check("outside_hours", held, f"{_clock(at)} {said}"))
        return checks

    def clock_holds(self, at: datetime | None) -> bool:
        return all(c.held for c in self.clock_checks(at))

    def admits_theme(self, theme: str | None) -> bool:
        return self.themes is None or theme in self.themes

    def admits_place(self, neighbourhood: str | None, district: str | None) -> bool:
        return (self.neighbourhoods is None or neighbourhood in self.neighbourhoods) and (
            self.districts is None or district in self.districts
        )

    def admits_person(self, urgency: Urgency, role: ReporterRole) -> bool:
        return (self.urgencies is None or urgency in self.urgencies) and (
            self.roles is None or role in self.roles
        )

    def check(
        self, request: RouteRequest, district: str | None, text_words: list[str] | None = None
    ) -> list[Check]:
        """Evaluate every condition for `request`, for explanations (`text_words`: the
        request's words, when the caller has them already)."""
        checks = []
        for name, allowed, value in (
            ("theme", self.themes, request.theme),
            ("neighbourhood", self.neighbourhoods, request.neighbourhood),
            ("district", self.districts, district),
            ("urgency", self.urgencies, request.urgency),
            ("reporter_role", self.roles, request.reporter_role),
        ):
            if allowed is not None:
                shown = ", ".join(sorted(allowed))
                checks.append(
                    Check(name, value in allowed, f"{name} {value or 'unknown'} in ({shown})")
                )
        if self.keywords is not None:
            found = text_words if text_words is not None else words(request.text)
            hits = matched_keywords(self.keywords, found)
            listed = ", ".join(original for _, original in self.keywords)
            detail = f"found {', '.join(hits)}" if hits else f"none of {listed}"
            checks.append(Check("keywords", bool(hits), detail))
        checks.extend(self.clock_checks(request.at))
        return checks


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule: CompiledRule | None  # None: the fallback
    decision: Decision


@dataclass(frozen=True, slots=True)
class Trace:
    """How one rule fared for a request, in file order."""

    rule: CompiledRule
    checks: list[Check]

    @property
    def matched(self) -> bool:
        return all(c.held for c in self.checks)


@dataclass(frozen=True, slots=True)
class Explanation:
    decision: Decision
    district: str | None
    traces: list[Trace]
    reason: str


class UnknownRouteInput(KeyError):
    """A theme or neighbourhood the config does not know."""


class RoutingEngine:
    """Routes requests through the compiled index; built by `compile_rules`."""

    def __init__(
        self,
        index: dict[Key, tuple[_Candidate, ...]],
        rules: list[CompiledRule],
        district_of: Mapping[str, str],
    ) -> None:
        self._index = index
        # Most combinations are settled by their first candidate: answer those in one lookup.
        self._direct = {
            key: candidates[0].decision
            for key, candidates in index.items()
            if candidates[0].rule is None or not candidates[0].rule.conditional
        }
        self.rules = rules
        self._rule_by_id = {rule.id: rule for rule in rules}
        self._district_of = district_of

    @property
    def combinations(self) -> int:
        return len(self._index)

    def combination_keys(self) -> list[Key]:
        return list(self._index)

    def decide(self, request: RouteRequest) -> Decision:
        """Return the owner chosen by the first rule that holds (the fallback at worst)."""
        key = (request.theme, request.neighbourhood, request.urgency, request.reporter_role)
        decision = self._direct.get(key)
        if decision is not None:
            return decision
        candidates = self._index.get(key)
        if candidates is None:
            raise UnknownRouteInput(key)
        text_words: list[str] | None = None
        for candidate in candidates:
            rule = candidate.rule
            if rule is None or not rule.conditional:
                return candidate.decision
            if rule.on_the_clock and not rule.clock_holds(request.at):
                continue
            if rule.keywords is None:
                return candidate.decision
            if text_words is None:
                text_words = words(request.text)
            hits = matched_keywords(rule.keywords, text_words)
            if hits:
                return replace(candidate.decision, matched_keywords=hits)
        raise AssertionError(f"no terminal candidate for {key}")  # compile_rules prevents this

    def brief(self, request: RouteRequest) -> Explanation:
        """The decision and why, in one line: only the deciding rule's conditions are checked
        (`explain` tries every rule before it too). Its `reason` is the same as `explain`'s."""
        decision = self.decide(request)
        district = self._district_of.get(request.neighbourhood or "")
        if decision.fallback:
            return Explanation(decision, district, [], _reason(decision, [], district))
        rule = self._rule_by_id.get(decision.rule_id)
        if rule is None:  # compile_rules gives every decision a rule; explain says it all
            return self.explain(request)
        traces = [Trace(rule, rule.check(request, district))]
        return Explanation(decision, district, traces, reason=_reason(decision, traces, district))

    def explain(self, request: RouteRequest) -> Explanation:
        """Return the decision with every rule tried before it and the conditions that held."""
        decision = self.decide(request)
        district = self._district_of.get(request.neighbourhood or "")
        key = (request.theme, request.neighbourhood, request.urgency, request.reporter_role)
        bound = {c.rule.id for c in self._index[key] if c.rule is not None}
        traces = []
        text_words = words(request.text)  # once, not once per rule with keywords
        for rule in self.rules:
            checks = rule.check(request, district, text_words)
            if rule.id not in bound and all(c.held for c in checks):
                # Its conditions hold but the compiler could give it no owner here (a role
                # needs a known neighbourhood); without this it would read as the match.
                checks.append(Check("owner", False, _unbound(rule, request.neighbourhood)))
            trace = Trace(rule, checks)
            if rule.id == decision.rule_id:
                traces.append(trace)
                break
            if any(c.held for c in trace.checks) or not trace.checks:
                traces.append(trace)
        return Explanation(decision, district, traces, reason=_reason(decision, traces, district))


def in_window(window: tuple[int, int], at: datetime | None) -> bool:
    """Tell whether the local Amsterdam time of `at` falls in [start, end), across midnight too."""
    if at is None:
        return False
    local = at.astimezone(AMSTERDAM)
    minute = local.hour * 60 + local.minute
    start, end = window
    return start <= minute < end if start < end else minute >= start or minute < end


def _reason(decision: Decision, traces: list[Trace], district: str | None) -> str:
    if decision.fallback:
        where = f"district {district}" if district else "unknown place"
        return f"no rule matched; fallback for {where} -> {decision.contact_id}"
    winner = traces[-1]
    held = "; ".join(c.detail for c in winner.checks) or "no conditions"
    return f"rule {winner.rule.id} (#{winner.rule.position}): {held} -> {decision.contact_id}"


def _unbound(rule: CompiledRule, neighbourhood: str | None) -> str:
    role = rule.owner.role or rule.owner.contact
    if neighbourhood is None:
        return f"owner {role} needs a known neighbourhood"
    return f"no single {role} covers {neighbourhood}"


def _clock(at: datetime | None) -> str:
    return at.astimezone(AMSTERDAM).strftime("%H:%M") if at else "unknown time"


def _window(window: tuple[int, int]) -> str:
    start, end = window
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
