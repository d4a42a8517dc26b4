"""Routing from the command line: JSON lines in and out, and the human-readable explanation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from regels.gemeente import Municipality
from regels.routering import InvalidReport, ReportInput, RoutedReport, route_report
from signalen.model import ReporterRole, Urgency


def route_lines(
    municipality: Municipality, lines: Iterable[str], *, now: datetime
) -> Iterator[str]:
    """Turn input lines into output lines; a bad line gives an error object, never a crash."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            routed = route_report(municipality, _report_from_json(line, now))
            yield json.dumps(_decision_json(municipality, routed), ensure_ascii=False)
        except (InvalidReport, ValueError, TypeError) as exc:
            yield json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False)


_FIELDS = {
    "text",
    "theme",
    "street",
    "house_number",
    "neighbourhood",
    "lat",
    "lon",
    "urgency",
    "reporter_role",
    "reported_at",
}


def _report_from_json(line: str, now: datetime) -> ReportInput:
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidReport(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise InvalidReport("each line must be a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InvalidReport(
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}"
        )
    house_number = data.get("house_number")
    return ReportInput(
        reported_at=parse_time(data.get("reported_at"), now),
        text=str(data.get("text") or ""),
        theme=data.get("theme") or None,
        street=data.get("street") or None,
        house_number=str(house_number) if house_number is not None else None,
        neighbourhood=data.get("neighbourhood") or None,
        lat=_float(data, "lat"),
        lon=_float(data, "lon"),
        urgency=_enum(Urgency, data.get("urgency"), Urgency.NORMAAL, "urgency"),
        reporter_role=_enum(
            ReporterRole, data.get("reporter_role"), ReporterRole.BEWONER, "reporter_role"
        ),
    )


def _decision_json(municipality: Municipality, routed: RoutedReport) -> dict[str, Any]:
    contact = municipality.contacts[routed.decision.contact_id]
    result: dict[str, Any] = {
        "theme": routed.theme,
        "theme_suggested": routed.theme_suggested,
        "neighbourhood": routed.place.neighbourhood,
        "district": routed.place.district,
        "contact": contact.id,
        "contact_role": contact.role,
        "rule": routed.decision.rule_id,
        "priority": routed.decision.priority.value,
        "deadline": routed.deadline.isoformat(),
        "explanation": routed.explanation.reason,
    }
    if routed.suggestion is not None:
        result["theme_confidence"] = routed.suggestion.confidence
        result["theme_sure"] = routed.suggestion.sure
    if routed.place.suggestions:
        result["street_suggestions"] = list(routed.place.suggestions)
    return result


def print_explanation(console: Console, municipality: Municipality, routed: RoutedReport) -> None:
    decision, place = routed.decision, routed.place
    contact = municipality.contacts[decision.contact_id]
    if routed.suggestion is not None:
        s = routed.suggestion
        sure = "sure" if s.sure else "NOT sure, ask the reporter"
        if s.no_problem:
            sure = "the text names no problem"
        console.print(
            f"Theme suggested from the text: [bold]{s.theme or 'none'}[/bold] "
            f"(confidence {s.confidence:.2f}, {sure}; words: {', '.join(s.words) or '-'})"
        )
    where = place.neighbourhood or "unknown"
    console.print(f"Place: {where} (district {place.district or 'unknown'}, found by {place.how})")
    if place.suggestions:
        console.print(f"Street not found; did you mean: {', '.join(place.suggestions)}?")
    nb = place.neighbourhood
    where_name = municipality.neighbourhoods[nb].name if nb else "an unknown place"
    table = Table(title="Rules tried, in file order", show_lines=False)
    for column in ("#", "rule", "conditions", "result"):
        table.add_column(column)
    for trace in routed.explanation.traces:
        marks = "\n".join(f"{'✓' if c.held else '✗'} {escape(c.detail)}" for c in trace.checks)
        table.add_row(
            str(trace.rule.position),
            trace.rule.id,
            marks or "(none)",
            "[green]match[/green]" if trace.matched else "no",
        )
    console.print(table)
    term = (
        f"{decision.deadline_hours} hour(s)"
        if decision.deadline_hours
        else f"{decision.deadline_days} working day(s)"
    )
    up = decision.escalation_contact_id
    escalation = (
        "no one above (the owner is the last in line)"
        if up == decision.contact_id
        else ", then ".join(up.split(">"))
        if ">" in up or up in municipality.contacts
        else f"group {up} of the district"
    )
    console.print(
        f"Owner: [bold]{contact.name}[/bold] ({contact.role}, {contact.organisation}) for "
        f"{where_name}\n"
        f"Rule: {decision.rule_id}{' (fallback)' if decision.fallback else ''}; "
        f"priority {decision.priority.value}; deadline {term}: "
        f"{routed.deadline:%a %d %b %Y %H:%M %Z}; escalates to {escalation}\n"
        f"Why: {escape(routed.explanation.reason)}"
    )


def parse_time(value: str | None, now: datetime | None = None) -> datetime:
    if not value:
        return now or datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidReport(f"reported_at {value!r} is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise InvalidReport(f"reported_at {value!r} needs a timezone, e.g. +01:00 or Z")
    return parsed


def _float(data: dict[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidReport(f"{name} must be a number, got {value!r}") from None


def _enum(kind: Any, value: Any, default: Any, name: str) -> Any:
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise InvalidReport(f"{name} {value!r} is not one of {allowed}") from None
