"""Calendars and hours in the rules: weekdays, public holidays, outside working hours, a 24/7
desk, deadlines in hours, roles declared in the config, and hints that fit their place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from regels.fouten import ConfigInvalid
from regels.laden import load_municipality
from regels.routering import ReportInput, route_report
from signalen.model import Urgency
from tests.conftest import local

# An around-the-clock desk that takes urgent safety reports outside working hours, within
# 2 clock hours; on holidays it takes everything urgent.
DESK = (
    "contacts.yaml",
    "    role: wijkmanager\n    organisation: Gemeente Deventer, functioneel beheer",
    "    role: wijkmanager\n    organisation: Gemeente Deventer, functioneel beheer\n"
    "    hours: 24/7",
)
RULES = (
    "rules.yaml",
    "rules:\n",
    "rules:\n"
    "  - id: feestdag-dringend\n"
    "    when: {urgency: hoog, holiday: true}\n"
    "    then: {contact: meldpunt, deadline_hours: 4}\n"
    "  - id: nacht-dringend\n"
    "    when: {theme: veiligheid, urgency: hoog, outside_hours: true}\n"
    "    then: {contact: meldpunt, deadline_hours: 2}\n"
    "  - id: weekend-afval\n"
    "    when: {theme: afval, weekdays: [sat, sun]}\n"
    "    then: {contact: meldpunt, deadline_days: 1}\n",
)


@pytest.fixture
def with_desk(config_copy: Callable[..., Path]):
    return load_municipality(config_copy(DESK, RULES))


def _route(municipality, theme: str, at, urgency: Urgency = Urgency.HOOG):
    report = ReportInput(
        reported_at=at, theme=theme, street="Randerstraat", house_number="3", urgency=urgency
    )
    return route_report(municipality, report)


def test_urgent_safety_outside_working_hours_goes_to_the_desk_within_two_clock_hours(
    with_desk,
) -> None:
    wednesday_night = local(2026, 11, 25, 23, 30)
    routed = _route(with_desk, "veiligheid", wednesday_night)
    assert (routed.decision.rule_id, routed.decision.contact_id) == ("nacht-dringend", "meldpunt")
    assert routed.deadline == wednesday_night + timedelta(hours=2)  # not Thursday 17:00

    saturday = local(2026, 11, 28, 14, 0)
    assert _route(with_desk, "veiligheid", saturday).decision.contact_id == "meldpunt"


def test_within_working_hours_the_district_owner_keeps_it(with_desk) -> None:
    tuesday = local(2026, 11, 24, 10, 0)
    routed = _route(with_desk, "veiligheid", tuesday)
    assert routed.decision.contact_id == "wa-voorstad"  # the wijkagent of Sluiswijk
    assert _route(with_desk, "veiligheid", local(2026, 11, 24, 17, 0)).decision.contact_id == (
        "meldpunt"  # 17:00 is after the close
    )


def test_a_public_holiday_counts_as_a_holiday_whatever_the_weekday(with_desk) -> None:
    christmas = local(2026, 12, 25, 11, 0)  # a Friday
    routed = _route(with_desk, "afval", christmas)
    assert routed.decision.rule_id == "feestdag-dringend"
    assert routed.deadline == christmas + timedelta(hours=4)
    normal_friday = local(2026, 12, 4, 11, 0)
    assert _route(with_desk, "afval", normal_friday).decision.rule_id == "afval-wijkbeheer"


def test_weekdays_and_a_day_deadline_on_a_24_7_calendar(with_desk) -> None:
    sunday = local(2026, 11, 29, 9, 0)
    routed = _route(with_desk, "afval", sunday, Urgency.NORMAAL)
    assert routed.decision.rule_id == "weekend-afval"
    assert routed.deadline == sunday + timedelta(days=1)  # the desk's day is 24 hours


def test_an_office_owner_counts_hours_in_working_time(config_copy) -> None:
    rules = (
        "rules.yaml",
        "rules:\n",
        "rules:\n  - id: snel\n    when: {theme: afval}\n"
        "    then: {role: wijkbeheerder, deadline_hours: 3}\n",
    )
    municipality = load_municipality(config_copy(rules))
    friday_evening = local(2026, 11, 27, 16, 0)
    # One hour on Friday (till 17:00), two on Monday from 08:30.
    assert _route(municipality, "afval", friday_evening, Urgency.NORMAAL).deadline == local(
        2026, 11, 30, 10, 30
    )


def test_explain_shows_the_clock_conditions(with_desk) -> None:
    routed = route_report(
        with_desk,
        ReportInput(
            reported_at=local(2026, 11, 28, 14, 0),
            theme="veiligheid",
            street="Randerstraat",
            urgency=Urgency.HOOG,
        ),
        every_rule=True,
    )
    details = [c.detail for t in routed.explanation.traces for c in t.checks]
    assert "14:00 outside working hours" in details
    assert any(d.endswith("is no holiday") for d in details)


def _errors(config_copy, *edits):
    with pytest.raises(ConfigInvalid) as info:
        load_municipality(config_copy(*edits))
    return [(e.file, e.item, e.field, e.message, e.hint) for e in info.value.errors]


def test_roles_come_from_the_config_and_an_alert_only_person_cannot_own(config_copy) -> None:
    errors = _errors(
        config_copy,
        ("roles.yaml", "  - id: wijkagent", "  - id: wijkagente"),
    )
    assert any(
        f == "contacts.yaml" and fld == "role" and h == "did you mean 'wijkagente'?"
        for f, _, fld, _, h in errors
    )
    chair = (
        "contacts.yaml",
        "contacts:\n",
        "contacts:\n  - id: voorzitter\n    name: Ria\n    organisation: Wijkraad\n",
    )
    owner = ("municipality.yaml", "fallback_contact: meldpunt", "fallback_contact: voorzitter")
    [error] = _errors(config_copy, chair, owner)
    assert error[2] == "fallback_contact" and "cannot own signals" in error[3]


def test_a_role_that_does_not_own_cannot_be_a_rule_owner(config_copy) -> None:
    errors = _errors(
        config_copy,
        ("roles.yaml", "  - id: opbouwwerker  #", "  - id: opbouwwerker\n    owns: false  #"),
    )
    assert any(fld == "then.role" and "opbouwwerker" in m for _, _, fld, m, _ in errors)


def test_a_hint_names_only_fields_valid_at_that_place(config_copy) -> None:
    errors = _errors(
        config_copy,
        ("rules.yaml", "      role: handhaving", "      role: handhaving\n      days: 3"),
        ("municipality.yaml", "default_deadline_days: 5", "default_deadline_days: 5\ndays: 3"),
    )
    hints = {(f, fld): h for f, _, fld, _, h in errors}
    assert hints[("rules.yaml", "then.days")] == "did you mean 'deadline_days'?"
    assert hints[("municipality.yaml", "days")] == (
        "did you mean 'closing_days' or 'default_deadline_days'?"
    )
    # Never a field of another part of the config (retention's care_days, a rule's when).
    assert "care_days" not in str(hints) and "reporter_role" not in str(hints)


def test_escalation_may_name_a_group_of_the_district(config_copy) -> None:
    group = (
        "districts.yaml",
        "    core_group: [wa-voorstad, wm-voorstad, st-voorstad]",
        "    core_group: [wa-voorstad, wm-voorstad, st-voorstad]\n"
        "    groups: {regiegroep: [wm-voorstad, wa-voorstad]}",
    )
    voorstad_only = (
        "rules.yaml",
        "    when:\n      theme: wonen\n    then:\n      role: handhaving",
        "    when:\n      theme: wonen\n      district: voorstad\n    then:\n"
        "      role: handhaving\n      escalate_to: regiegroep",
    )
    municipality = load_municipality(config_copy(group, voorstad_only))
    assert municipality.group("voorstad", "regiegroep") == ["wm-voorstad", "wa-voorstad"]
    assert municipality.group("zandweerd", "regiegroep") is None

    everywhere = (
        "rules.yaml",
        "    then:\n      role: handhaving",
        "    then:\n      role: handhaving\n      escalate_to: regiegroep",
    )
    [error] = _errors(config_copy, group, everywhere)
    assert error[2] == "then.escalate_to" and "not declared for colmschate" in error[3]
    misspelt = (
        "rules.yaml",
        "    then:\n      role: handhaving",
        "    then:\n      role: handhaving\n      escalate_to: regiegroup",
    )
    [error] = _errors(config_copy, group, misspelt)
    assert error[2] == "then.escalate_to" and error[4] == "did you mean 'regiegroep'?"


def test_an_empty_weekday_list_never_holds(config_copy) -> None:
    never = (
        "rules.yaml",
        "rules:\n",
        "rules:\n  - id: nooit\n    when: {theme: afval, weekdays: []}\n"
        "    then: {contact: meldpunt}\n",
    )
    municipality = load_municipality(config_copy(never))
    routed = _route(municipality, "afval", local(2026, 11, 28, 12, 0), Urgency.NORMAAL)
    assert routed.decision.rule_id == "afval-wijkbeheer"


def test_clock_hours_at_the_desk_are_real_hours_across_summer_time(with_desk) -> None:
    before_the_change = local(2026, 3, 29, 1, 30)  # clocks go 02:00 -> 03:00 that night
    routed = _route(with_desk, "veiligheid", before_the_change)
    assert routed.decision.rule_id == "nacht-dringend"
    # Real time (aware datetimes in one zone subtract as wall clocks, so compare in UTC).
    assert routed.deadline.astimezone(UTC) - before_the_change.astimezone(UTC) == timedelta(hours=2)
    assert routed.deadline.astimezone(local(2026, 3, 29, 12, 0).tzinfo).hour == 4  # 04:30 CEST


def test_a_part_timer_counts_their_own_hours(config_copy) -> None:
    part_time = (
        "contacts.yaml",
        "    role: wijkbeheerder\n    organisation: Gemeente Deventer, Wijkbeheer\n"
        "    districts: [voorstad]",
        "    role: wijkbeheerder\n    organisation: Gemeente Deventer, Wijkbeheer\n"
        "    districts: [voorstad]\n    hours: 09:00-13:00",
    )
    rules = (
        "rules.yaml",
        "rules:\n",
        "rules:\n  - id: snel\n    when: {theme: afval}\n"
        "    then: {role: wijkbeheerder, deadline_hours: 3}\n",
    )
    municipality = load_municipality(config_copy(part_time, rules))
    friday_noon = local(2026, 11, 27, 12, 0)
    routed = _route(municipality, "afval", friday_noon, Urgency.NORMAAL)
    assert routed.decision.contact_id == "wb-voorstad"
    assert routed.deadline == local(2026, 11, 30, 11, 0)  # 1 hour on Friday, 2 on Monday

    wrong = (part_time[0], part_time[1], part_time[2].replace("09:00-13:00", "9-13"))
    [error] = _errors(config_copy, wrong, rules)
    assert error[2] == "hours" and "09:00-13:00" in error[3]


def test_an_escalation_chain_names_contacts_who_may_act(config_copy) -> None:
    chain = (
        "rules.yaml",
        "    then:\n      role: handhaving",
        "    then:\n      role: handhaving\n      escalate_to: [wm-voorstad, projectleidr]",
    )
    [error] = _errors(config_copy, chain)
    assert error[2] == "then.escalate_to" and error[4] == "did you mean 'projectleider'?"
    too_long = (chain[0], chain[1], chain[1] + "\n      escalate_to: [a, b, c, d, e]")
    [error] = _errors(config_copy, too_long)
    assert "1 to 4 contacts" in error[3]
