"""Route one report end to end: suggest a theme, place it, pick its owner, set its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regels.engine import Decision, Explanation, RouteRequest
from regels.fouten import did_you_mean
from regels.gemeente import Municipality, ResolvedPlace
from regels.suggestie import ThemeSuggestion
from signalen.model import ReporterRole, Urgency


@dataclass(frozen=True, slots=True)
class ReportInput:
    reported_at: datetime
    text: str = ""
    theme: str | None = None
    street: str | None = None
    house_number: str | None = None
    neighbourhood: str | None = None
    lat: float | None = None
    lon: float | None = None
    urgency: Urgency = Urgency.NORMAAL
    reporter_role: ReporterRole = ReporterRole.BEWONER


@dataclass(frozen=True, slots=True)
class RoutedReport:
    theme: str | None
    suggestion: ThemeSuggestion | None
    place: ResolvedPlace
    decision: Decision
    deadline: datetime
    explanation: Explanation

    @property
    def theme_suggested(self) -> bool:
        return self.suggestion is not None


class InvalidReport(ValueError):
    """A report field the municipality does not know, with a hint."""


def route_report(
    municipality: Municipality, report: ReportInput, *, every_rule: bool = False
) -> RoutedReport:
    """Decide owner, priority and deadline for a report; never leaves it without an owner.

    The explanation holds the deciding rule's conditions; with `every_rule`, also every rule
    tried before it (for `rules explain`)."""
    if report.reported_at.tzinfo is None:
        raise InvalidReport("reported_at needs a timezone, for example 2026-11-23T09:30:00+01:00")
    suggestion = None
    theme = report.theme
    if theme is not None and theme not in municipality.themes:
        hint = did_you_mean(theme, municipality.themes)
        raise InvalidReport(f"unknown theme {theme!r}" + (f"; {hint}" if hint else ""))
    if theme is None:
        suggestion = municipality.suggester.suggest(report.text)
        # Nobody confirms a theme here: a weak guess ("hallo") goes to the fallback owner.
        theme = suggestion.theme if suggestion.names_a_problem else None
    if report.neighbourhood and not municipality.neighbourhood_id(report.neighbourhood):
        hint = did_you_mean(report.neighbourhood, municipality.neighbourhoods)
        raise InvalidReport(
            f"unknown neighbourhood {report.neighbourhood!r}" + (f"; {hint}" if hint else "")
        )
    place = municipality.resolve_place(
        street=report.street,
        house_number=report.house_number,
        neighbourhood=report.neighbourhood,
        lat=report.lat,
        lon=report.lon,
    )
    request = RouteRequest(
        theme=theme,
        neighbourhood=place.neighbourhood,
        urgency=report.urgency,
        reporter_role=report.reporter_role,
        text=report.text,
        at=report.reported_at,
    )
    engine = municipality.engine
    explanation = engine.explain(request) if every_rule else engine.brief(request)
    decision = explanation.decision
    deadline = municipality.deadline(
        decision.contact_id, report.reported_at, decision.deadline_days, decision.deadline_hours
    )
    return RoutedReport(theme, suggestion, place, decision, deadline, explanation)
