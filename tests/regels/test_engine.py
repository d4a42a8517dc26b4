"""Routing: the compiled index gives the same owner as reading the rules top to bottom."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regels.engine import RouteRequest, UnknownRouteInput, in_window
from regels.gemeente import Municipality
from regels.laden import load_municipality
from signalen.model import ReporterRole, Urgency
from tests.conftest import local

MONDAY = local(2026, 11, 23, 10, 0)


@pytest.mark.parametrize(
    ("theme", "neighbourhood", "urgency", "text", "at", "contact", "rule"),
    [
        ("afval", "deltabuurt", Urgency.NORMAAL, "", MONDAY, "wb-rivierenwijk", "afval-wijkbeheer"),
        (
            "openbare_ruimte",
            "sluiswijk",
            Urgency.LAAG,
            "",
            MONDAY,
            "wb-voorstad",
            "openbare-ruimte-wijkbeheer",
        ),
        (
            "veiligheid",
            "sluiswijk",
            Urgency.NORMAAL,
            "",
            MONDAY,
            "wa-voorstad",
            "veiligheid-wijkagent",
        ),
        ("veiligheid", "sluiswijk", Urgency.HOOG, "", MONDAY, "wa-voorstad", "veiligheid-hoog"),
        (
            "wonen",
            "oostrik",
            Urgency.NORMAAL,
            "kamers verhuurd",
            MONDAY,
            "hh-colmschate",
            "wonen-handhaving",
        ),
        (
            "wonen",
            "oostrik",
            Urgency.NORMAAL,
            "schimmel in de badkamer",
            MONDAY,
            "wc-colmschate",
            "woning-corporatie",
        ),
        (
            "zorg",
            "keizerslanden",
            Urgency.NORMAAL,
            "",
            MONDAY,
            "st-keizerslanden",
            "zorg-sociaal-team",
        ),
        (
            "bewonersinitiatief",
            "schalkhaar",
            Urgency.LAAG,
            "",
            MONDAY,
            "ow-schalkhaar",
            "bewonersinitiatief-opbouwwerk",
        ),
        (
            "openbare_ruimte",
            "deltabuurt",
            Urgency.NORMAAL,
            "herrie",
            local(2026, 11, 23, 23, 30),
            "wa-rivierenwijk",
            "nachtelijke-herrie",
        ),
        (
            "openbare_ruimte",
            "deltabuurt",
            Urgency.NORMAAL,
            "herrie",
            local(2026, 11, 23, 21, 59),
            "wb-rivierenwijk",
            "openbare-ruimte-wijkbeheer",
        ),
        (
            None,
            "gerard-ter-borchbuurt",
            Urgency.NORMAAL,
            "",
            MONDAY,
            "wm-zandweerd",
            "fallback:zandweerd",
        ),
        ("afval", None, Urgency.NORMAAL, "", MONDAY, "meldpunt", "fallback:municipality"),
    ],
)
def test_each_theme_goes_to_its_owner_in_the_neighbourhood(
    deventer: Municipality, theme, neighbourhood, urgency, text, at, contact, rule
) -> None:
    decision = deventer.engine.decide(RouteRequest(theme, neighbourhood, urgency, text=text, at=at))
    assert (decision.contact_id, decision.rule_id) == (contact, rule)


def test_rule_overrides_deadline_and_priority(deventer: Municipality) -> None:
    urgent = deventer.engine.decide(
        RouteRequest("veiligheid", "deltabuurt", Urgency.HOOG, at=MONDAY)
    )
    assert (urgent.priority, urgent.deadline_days) == (Urgency.HOOG, 0)
    usual = deventer.engine.decide(RouteRequest("afval", "deltabuurt", Urgency.LAAG, at=MONDAY))
    assert (usual.priority, usual.deadline_days) == (Urgency.LAAG, 2)


def test_escalation_goes_to_the_district_wijkmanager(deventer: Municipality) -> None:
    decision = deventer.engine.decide(RouteRequest("zorg", "oostrik", at=MONDAY))
    assert decision.escalation_contact_id == "wm-colmschate"


def test_keyword_rule_reports_which_words_matched(deventer: Municipality) -> None:
    decision = deventer.engine.decide(
        RouteRequest("wonen", "sluiswijk", text="Lekkage en schimmel in mijn huurwoning", at=MONDAY)
    )
    assert decision.matched_keywords == ("huurwoning", "lekkage", "schimmel")


def test_unknown_theme_is_refused(deventer: Municipality) -> None:
    with pytest.raises(UnknownRouteInput):
        deventer.engine.decide(RouteRequest("parkeren", "sluiswijk"))


@pytest.mark.parametrize(
    ("window", "at", "inside"),
    [
        ((22 * 60, 7 * 60), local(2026, 11, 23, 23, 0), True),
        ((22 * 60, 7 * 60), local(2026, 11, 23, 6, 59), True),
        ((22 * 60, 7 * 60), local(2026, 11, 23, 7, 0), False),
        ((9 * 60, 17 * 60), local(2026, 7, 1, 16, 59), True),
        ((9 * 60, 17 * 60), local(2026, 7, 1, 17, 0), False),
        ((9 * 60, 17 * 60), None, False),
    ],
)
def test_time_windows_use_local_time_and_cross_midnight(window, at, inside) -> None:
    assert in_window(window, at) is inside


def test_explain_lists_the_rules_tried_and_their_conditions(deventer: Municipality) -> None:
    request = RouteRequest("openbare_ruimte", "sluiswijk", text="herrie", at=MONDAY)
    explanation = deventer.engine.explain(request)
    assert [t.rule.id for t in explanation.traces] == [
        "nachtelijke-herrie",
        "openbare-ruimte-wijkbeheer",
    ]
    night = explanation.traces[0]
    assert [(c.name, c.held) for c in night.checks] == [
        ("theme", True),
        ("keywords", True),
        ("time", False),
    ]
    assert explanation.reason.startswith("rule openbare-ruimte-wijkbeheer (#5)")


def test_explain_does_not_call_a_rule_matched_when_its_role_needs_a_known_place(
    deventer: Municipality,
) -> None:
    explanation = deventer.engine.explain(RouteRequest("zorg", None, at=MONDAY))
    [trace] = explanation.traces
    assert trace.rule.id == "zorg-sociaal-team" and not trace.matched
    assert [(c.name, c.held) for c in trace.checks] == [("theme", True), ("owner", False)]
    assert trace.checks[-1].detail == "owner sociaal_team needs a known neighbourhood"
    assert explanation.decision.fallback and explanation.reason.startswith("no rule matched")


def _first_match_by_reading(municipality: Municipality, request: RouteRequest) -> str:
    """The rules read top to bottom, the slow obvious way: the oracle for the index."""
    district = municipality.district_of.get(request.neighbourhood or "")
    for rule in municipality.engine.rules:
        if not all(c.held for c in rule.check(request, district)):
            continue
        if rule.owner.contact:
            return rule.owner.contact
        if request.neighbourhood:
            [contact] = municipality.coverage[(rule.owner.role or "", request.neighbourhood)]
            return contact
    if district:
        return municipality.districts[district].fallback_contact
    intake = municipality.themes[request.theme].fallback_contact if request.theme else None
    return intake or municipality.settings.fallback_contact


WORDS = ["herrie", "schimmel", "kamers", "lawaai", "huurwoning", "tocht", "fiets", "muziek", ""]


@settings(max_examples=400, deadline=None)
@given(
    theme=st.sampled_from(
        ["afval", "openbare_ruimte", "veiligheid", "wonen", "zorg", "bewonersinitiatief", None]
    ),
    neighbourhood=st.sampled_from(["sluiswijk", "deltabuurt", "oostrik", "schalkhaar", None]),
    urgency=st.sampled_from(list(Urgency)),
    role=st.sampled_from(list(ReporterRole)),
    text=st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
    hour=st.integers(0, 23),
)
def test_index_agrees_with_reading_the_rules_in_order(
    theme, neighbourhood, urgency, role, text, hour
) -> None:
    municipality = _DEVENTER
    request = RouteRequest(theme, neighbourhood, urgency, role, text, local(2026, 11, 24, hour, 15))
    assert municipality.engine.decide(request).contact_id == _first_match_by_reading(
        municipality, request
    )
    assert municipality.engine.explain(request).decision == municipality.engine.decide(request)


_DEVENTER = load_municipality()


def test_every_combination_reaches_exactly_one_known_contact(deventer: Municipality) -> None:
    for theme, neighbourhood, urgency, role in deventer.engine.combination_keys():
        request = RouteRequest(
            theme, neighbourhood, urgency, role, at=datetime(2026, 11, 24, 12, tzinfo=MONDAY.tzinfo)
        )
        assert deventer.engine.decide(request).contact_id in deventer.contacts
    assert deventer.engine.combinations == 7 * 9 * 3 * 2


@settings(max_examples=300, deadline=None)
@given(
    key_index=st.integers(min_value=0),
    text=st.sampled_from(["", "herrie", "harde muziek en geschreeuw", "vuilniszakken", "drugs"]),
    hour=st.integers(min_value=0, max_value=23),
)
def test_brief_gives_the_same_decision_and_reason_as_explain(
    deventer: Municipality, key_index: int, text: str, hour: int
) -> None:
    """`route` and intake read only the deciding rule; what they say must be what
    `rules explain` says after trying every rule."""
    keys = deventer.engine.combination_keys()
    theme, neighbourhood, urgency, role = keys[key_index % len(keys)]
    at = MONDAY.replace(hour=hour)
    request = RouteRequest(theme, neighbourhood, urgency, role, text=text, at=at)
    brief, full = deventer.engine.brief(request), deventer.engine.explain(request)
    assert (brief.decision, brief.reason) == (full.decision, full.reason)
    assert [t.rule.id for t in brief.traces] == [t.rule.id for t in full.traces if t.matched][-1:]
