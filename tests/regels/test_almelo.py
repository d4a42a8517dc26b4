"""The bundled Almelo example, written from "De ideale wijkaanpak" (Almelo 2007, seeds/003).

Each case is an incident of the kind the document describes, routed with the API the CLI's
`route` command uses (`route_report`), with the owner (and deadline) the document implies:
the stadsdeelcoördinator reacts to incidents in office hours (3.4.2.4), the 24-uurs meldpunt
outside them (3.4.2.3: "24 uur per dag"), care goes to the ontwikkelcoach in De Riet
(bijlage 4, 3.1) or the welfare worker elsewhere, never to the desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import holidays
import pytest
import yaml

from regels.gemeente import Municipality
from regels.laden import load_municipality
from regels.routering import ReportInput, route_report
from signalen.model import ReporterRole, Urgency
from tests.conftest import local

ROOT = Path(__file__).resolve().parents[2]
ALMELO = ROOT / "regels" / "voorbeeld" / "almelo"
DEVENTER = ROOT / "regels" / "voorbeeld" / "deventer"

BEWONER, PROFESSIONAL = ReporterRole.BEWONER, ReporterRole.PROFESSIONAL
LAAG, NORMAAL, HOOG = Urgency.LAAG, Urgency.NORMAAL, Urgency.HOOG


@pytest.fixture(scope="module")
def almelo() -> Municipality:
    return load_municipality(ALMELO)


@dataclass(frozen=True)
class Case:
    id: str
    day: str  # the local weekday, or the public holiday's Dutch name: checked against `holidays`
    reported_at: datetime
    owner: str
    rule: str
    theme: str | None = None
    text: str = ""
    neighbourhood: str | None = None
    street: str | None = None
    urgency: Urgency = NORMAAL
    reporter_role: ReporterRole = BEWONER
    deadline: datetime | None = None


CASES = [
    Case(
        "urgent-nuisance-saturday",
        "Sat",
        local(2026, 11, 21, 14, 0),
        "meldpunt-24uur",
        "spoed-buiten-kantoortijd",
        theme="veiligheid",
        text="Vechtpartij tussen jongeren bij het speelveldje",
        neighbourhood="De Riet",
        urgency=HOOG,
        deadline=local(2026, 11, 21, 16, 0),
    ),
    Case(
        "urgent-nuisance-tuesday-office-hours",
        "Tue",
        local(2026, 11, 24, 10, 0),
        "sdc-de-riet",
        "spoed-kantoortijd",
        theme="veiligheid",
        text="Vechtpartij tussen jongeren bij het speelveldje",
        neighbourhood="De Riet",
        urgency=HOOG,
        deadline=local(2026, 11, 24, 14, 0),
    ),
    Case(
        # Due in the desk's clock hours, not at Thursday's close.
        "urgent-nuisance-wednesday-night",
        "Wed",
        local(2026, 11, 25, 23, 30),
        "meldpunt-24uur",
        "spoed-buiten-kantoortijd",
        theme="veiligheid",
        text="Harde muziek en geschreeuw, buren worden bedreigd",
        street="Bevrijdingslaan",
        urgency=HOOG,
        deadline=local(2026, 11, 26, 1, 30),
    ),
    Case(
        # Before the office opens it is still the desk's.
        "urgent-nuisance-early-morning",
        "Thu",
        local(2026, 11, 26, 8, 0),
        "meldpunt-24uur",
        "spoed-buiten-kantoortijd",
        theme="veiligheid",
        text="Ingebroken in de berging, de deur staat open",
        street="Klokkenstoelstraat",
        urgency=HOOG,
        deadline=local(2026, 11, 26, 10, 0),
    ),
    Case(
        # Bijlage 4, 3.4.7: "mensen [voelen] zich onveilig door gebrekkige verlichting".
        # 4 working hours from 15:00: two today, two after Wednesday's 08:30 opening.
        "urgent-dark-street-across-the-close",
        "Tue",
        local(2026, 11, 24, 15, 0),
        "sdc-kerkelanden",
        "spoed-kantoortijd",
        theme="openbare_ruimte",
        text="Alle lantaarnpalen in de straat zijn uit, het is aardedonker",
        street="Pastoriestraat",
        urgency=HOOG,
        deadline=local(2026, 11, 25, 10, 30),
    ),
    Case(
        # A holiday is outside hours all day, also at 11:00 on a Monday.
        "nuisance-koningsdag",
        "Koningsdag",
        local(2026, 4, 27, 11, 0),
        "meldpunt-24uur",
        "overlast-feestdag",
        theme="veiligheid",
        text="Dronken mensen maken ruzie op straat",
        neighbourhood="De Riet",
        deadline=local(2026, 4, 27, 19, 0),
    ),
    Case(
        "urgent-fireworks-eerste-kerstdag",
        "Eerste kerstdag",
        local(2026, 12, 25, 20, 0),
        "meldpunt-24uur",
        "spoed-buiten-kantoortijd",
        theme="veiligheid",
        text="Vuurwerk wordt naar voorbijgangers gegooid",
        street="H.R. Holstlaan",
        urgency=HOOG,
        deadline=local(2026, 12, 25, 22, 0),
    ),
    Case(
        "urgent-glass-in-playground-koningsdag",
        "Koningsdag",
        local(2027, 4, 27, 10, 0),
        "meldpunt-24uur",
        "spoed-buiten-kantoortijd",
        theme="openbare_ruimte",
        text="Kapot glas in de speeltuin, kinderen spelen er",
        neighbourhood="Sluitersveld",
        urgency=HOOG,
        deadline=local(2027, 4, 27, 12, 0),
    ),
    Case(
        # Not urgent: the stadsdeelcoördinator, the clock starts Thursday; 2 working days.
        "rubbish-at-night",
        "Wed",
        local(2026, 11, 25, 22, 0),
        "sdc-ossenkoppelerhoek",
        "klachten-stadsdeelcoordinator",
        theme="afval",
        text="Vuilniszakken naast de container gezet",
        street="Koppelerhof",
        deadline=local(2026, 11, 30, 17, 0),
    ),
    Case(
        # On a weekday evening the coordinator reacts the next morning.
        "nuisance-weekday-evening",
        "Wed",
        local(2026, 11, 25, 20, 0),
        "sdc-kerkelanden",
        "klachten-stadsdeelcoordinator",
        theme="veiligheid",
        text="Elke avond hangjongeren bij de winkels",
        neighbourhood="Kerkelanden",
        deadline=local(2026, 11, 30, 17, 0),
    ),
    Case(
        # Bijlage 4, 3.4.5: "vooral jongens hangen uit verveling op verschillende plekken
        # rond". No theme given: the text says it.
        "loitering-saturday-night-from-text",
        "Sat",
        local(2026, 11, 21, 22, 0),
        "meldpunt-24uur",
        "overlast-weekend",
        text="Er hangen elke avond jongeren rond bij het speelveldje, veel herrie en overlast",
        street="Steffensweg",
        deadline=local(2026, 11, 22, 6, 0),
    ),
    Case(
        "nuisance-friday-evening",
        "Fri",
        local(2026, 11, 27, 21, 0),
        "meldpunt-24uur",
        "overlast-vrijdagavond",
        theme="veiligheid",
        text="Burenruzie over een parkeerplaats loopt hoog op",
        street="Kalmoesstraat",
        deadline=local(2026, 11, 28, 5, 0),
    ),
    Case(
        # Bijlage 4, 1.1: "Achter de voordeur zijn er problemen genoeg"; 3.1: the
        # ontwikkelcoach helps towards "schuldhulpverlening". No theme given.
        "care-debts-de-riet-from-text",
        "Tue",
        local(2026, 11, 24, 10, 0),
        "oc-de-riet",
        "zorg-de-riet-ontwikkelcoach",
        text="Mijn buurvrouw heeft grote schulden en durft de deur niet meer open te doen",
        street="Lisdoddestraat",
        deadline=local(2026, 11, 27, 17, 0),
    ),
    Case(
        # Urgent care at night is still not for the desk: the welfare worker, from Monday.
        "urgent-care-saturday-night",
        "Sat",
        local(2026, 11, 28, 23, 0),
        "wz-kerkelanden",
        "zorg-welzijnswerk",
        theme="zorg",
        text="Oudere buurman loopt verward over straat in zijn pyjama",
        street="Kosterslaan",
        urgency=HOOG,
        deadline=local(2026, 12, 3, 17, 0),
    ),
    Case(
        # Bijlage 6, ambitie 3b: "Signalering via kindgerichte voorzieningen (als ...
        # scholen ...)". Reported on Tweede paasdag: the clock starts Tuesday.
        "school-signals-a-child-tweede-paasdag",
        "Tweede paasdag",
        local(2027, 3, 29, 9, 0),
        "wz-ossenkoppelerhoek",
        "zorg-welzijnswerk",
        theme="zorg",
        text="Een leerling komt steeds zonder eten naar school, ouders hebben geldzorgen",
        neighbourhood="Ossenkoppelerhoek",
        reporter_role=PROFESSIONAL,
        deadline=local(2027, 4, 2, 17, 0),
    ),
    Case(
        # Place unknown: the welfare intake, never the desk.
        "care-place-unknown",
        "Tue",
        local(2026, 11, 24, 11, 0),
        "welzijn-intake",
        "zorg-intake",
        theme="zorg",
        text="Ik maak me zorgen om een eenzame oudere vrouw",
    ),
    Case(
        # The same at night and urgent: still the intake (its clock starts Monday).
        "urgent-care-place-unknown-night",
        "Sat",
        local(2026, 11, 28, 2, 0),
        "welzijn-intake",
        "zorg-intake",
        theme="zorg",
        text="Ik hoor een kind al uren huilen in het huis naast mij",
        urgency=HOOG,
        deadline=local(2026, 12, 3, 17, 0),
    ),
    Case(
        # 3.4.2.3: the coordinator does "de eerste analyse" and involves the police
        # (3.4.2.4: "de contacten met professionals"); bijlage 4, 4: "hennepkwekerijen".
        "professional-hemp-farm",
        "Tue",
        local(2026, 11, 24, 9, 0),
        "sdc-sluitersveld",
        "klachten-stadsdeelcoordinator",
        theme="veiligheid",
        text="Vermoedelijke hennepkwekerij, ramen dichtgeplakt en sterke lucht",
        street="Veldkampstraat",
        reporter_role=PROFESSIONAL,
        deadline=local(2026, 11, 26, 17, 0),
    ),
    Case(
        # Bijlage 4, 4 Wijkfonds: "Daarbij valt onder meer te denken aan een
        # buurtpreventieteam". Sent on a Sunday evening: 10 working days from Monday.
        "idea-neighbourhood-watch",
        "Sun",
        local(2026, 11, 22, 20, 0),
        "sdc-sluitersveld",
        "idee-wijkfonds",
        theme="bewonersinitiatief",
        text="Wij willen een buurtpreventieteam beginnen, kan dat met geld uit het wijkfonds?",
        street="Sluitershof",
        deadline=local(2026, 12, 7, 17, 0),
    ),
    Case(
        # Place unknown and no theme, urgent in office hours: the desk (municipality.yaml).
        "urgent-place-unknown",
        "Tue",
        local(2026, 11, 24, 10, 0),
        "meldpunt-24uur",
        "fallback:municipality",
        urgency=HOOG,
    ),
    Case(
        # Bijlage 4, 3.4.7: a loose paving stone; not urgent, reported on Tweede pinksterdag.
        "paving-tweede-pinksterdag",
        "Tweede pinksterdag",
        local(2026, 5, 25, 12, 0),
        "sdc-de-riet",
        "klachten-stadsdeelcoordinator",
        theme="openbare_ruimte",
        text="Losse stoeptegel voor nummer 12, mijn moeder is gestruikeld",
        street="Steffensweg",
        urgency=LAAG,
        deadline=local(2026, 6, 2, 17, 0),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_documents_incidents_get_the_owner_it_implies(almelo: Municipality, case: Case) -> None:
    routed = route_report(
        almelo,
        ReportInput(
            reported_at=case.reported_at,
            text=case.text,
            theme=case.theme,
            street=case.street,
            neighbourhood=case.neighbourhood,
            urgency=case.urgency,
            reporter_role=case.reporter_role,
        ),
    )
    assert (routed.decision.contact_id, routed.decision.rule_id) == (case.owner, case.rule), (
        routed.explanation.reason
    )
    if case.deadline is not None:
        assert routed.deadline == case.deadline
    if case.street is not None:
        assert routed.place.how == "street"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_cases_dates_are_what_they_say(case: Case) -> None:
    day = case.reported_at.date()
    name = holidays.country_holidays("NL", years=day.year, language="nl").get(day)
    assert case.day == (name or day.strftime("%a")), f"{day} is {name or day.strftime('%a')}"


def test_the_example_loads_without_errors_or_warnings(almelo: Municipality) -> None:
    assert almelo.name == "Almelo"
    assert almelo.warnings == []
    assert set(almelo.districts) == {"de-riet", "kerkelanden", "sluitersveld", "ossenkoppelerhoek"}
    assert set(almelo.themes) == {
        "veiligheid",
        "afval",
        "openbare_ruimte",
        "zorg",
        "bewonersinitiatief",
    }
    assert almelo.themes["zorg"].sensitive
    assert set(almelo.roles) == {
        "stadsdeelcoordinator",
        "meldpunt",
        "ontwikkelcoach",
        "welzijnswerk",
        "wijkagent",
        "woningcorporatie",
    }


def test_the_desk_works_around_the_clock_and_the_coordinators_do_not(
    almelo: Municipality,
) -> None:
    assert almelo.contacts["meldpunt-24uur"].hours == "24/7"
    assert all(almelo.contacts[f"sdc-{d}"].hours == "office" for d in almelo.districts)
    assert almelo.settings.working_hours == "08:30-17:00"


def test_the_kerngroep_is_the_one_of_the_document(almelo: Municipality) -> None:
    # 3.4.2.3: "de voorzitter, de stadsdeelcoördinator, een vertegenwoordiger van politie,
    # welzijnswerk, woningcorporatie en winkeliers"
    for district in almelo.districts.values():
        members = [almelo.contacts[m] for m in district.core_group]
        assert sorted(m.role or "-" for m in members) == [
            "-",
            "-",
            "stadsdeelcoordinator",
            "welzijnswerk",
            "wijkagent",
            "woningcorporatie",
        ]
        alert_only = {m.id for m in members if not almelo.can_own(m.id)}
        assert alert_only == {f"voorzitter-{district.id}", f"winkeliers-{district.id}"}
        # The kerngroep is drawn from the regiegroep ("een vertegenwoordiging ... uit de
        # regiegroep").
        assert set(district.core_group) <= set(district.groups["regiegroep"])


def test_a_street_representative_is_added_to_an_incident_in_their_street(
    almelo: Municipality,
) -> None:
    assert almelo.street_representatives("de-riet", "Steffensweg") == ["bewoner-steffensweg"]
    assert almelo.street_representatives("sluitersveld", "bevrijdingslaan") == [
        "bewoner-bevrijdingslaan"
    ]
    assert not almelo.can_own("bewoner-steffensweg")
    # Every street has its representative, and each one sits in the wijk's regiegroep.
    for district in almelo.districts.values():
        for neighbourhood in district.neighbourhoods:
            for street in neighbourhood.streets:
                reps = almelo.street_representatives(district.id, street)
                assert len(reps) == 1, street
                assert reps[0] in district.groups["regiegroep"]


def test_urgent_nuisance_alerts_the_kerngroep_and_care_never_does(almelo: Municipality) -> None:
    assert almelo.alert_themes == ["veiligheid"]
    assert almelo.settings.digest.list_incidents


def test_incidents_escalate_to_the_regiegroep_and_care_to_a_person(
    almelo: Municipality,
) -> None:
    def escalation(theme: str, urgency: Urgency, at: datetime) -> str:
        report = ReportInput(reported_at=at, theme=theme, neighbourhood="de-riet", urgency=urgency)
        return route_report(almelo, report).decision.escalation_contact_id

    tuesday = local(2026, 11, 24, 10, 0)
    assert escalation("veiligheid", HOOG, tuesday) == "regiegroep"
    assert escalation("afval", NORMAAL, tuesday) == "regiegroep"
    assert escalation("zorg", NORMAAL, tuesday) == "sdc-de-riet"


# Local moments that exercise every time condition of rules.yaml.
MOMENTS = [
    local(2026, 11, 24, 10, 0),  # Tuesday, office hours
    local(2026, 11, 24, 18, 0),  # Tuesday evening
    local(2026, 11, 25, 3, 0),  # Wednesday night
    local(2026, 11, 27, 21, 0),  # Friday evening
    local(2026, 11, 28, 14, 0),  # Saturday
    local(2026, 11, 29, 9, 0),  # Sunday
    local(2026, 4, 27, 11, 0),  # Koningsdag (Monday)
    local(2026, 12, 25, 10, 0),  # Eerste kerstdag (Friday)
]


@pytest.mark.parametrize("at", MOMENTS, ids=lambda at: at.strftime("%Y-%m-%d-%H%M"))
def test_every_combination_has_one_owner_who_may_own(almelo: Municipality, at: datetime) -> None:
    for theme in [*almelo.themes, None]:
        for neighbourhood in [*almelo.neighbourhoods, None]:
            for urgency in Urgency:
                for role in ReporterRole:
                    report = ReportInput(
                        reported_at=at,
                        theme=theme,
                        neighbourhood=neighbourhood,
                        urgency=urgency,
                        reporter_role=role,
                    )
                    owner = route_report(almelo, report).decision.contact_id
                    assert almelo.can_own(owner), (theme, neighbourhood, urgency, role, owner)
                    if theme == "zorg":
                        # Care never lands at the desk, at any hour.
                        assert almelo.contacts[owner].role in {"ontwikkelcoach", "welzijnswerk"}


def _deventer_places() -> set[str]:
    data = yaml.safe_load((DEVENTER / "districts.yaml").read_text(encoding="utf-8"))
    names = {"Deventer", "Ieder1", "Raster", "Zandweerd", "Schalkhaar", "Voorstad"}
    for district in data["districts"]:
        names.add(district["name"])
        for neighbourhood in district["neighbourhoods"]:
            names.add(neighbourhood["name"])
            names.update(re.sub(r"\s+\d+-\d+$", "", s) for s in neighbourhood["streets"])
    return names


def test_no_file_of_the_almelo_example_mentions_a_deventer_place() -> None:
    places = _deventer_places()
    assert {"Deltabuurt", "Rivierenwijk", "Sluiswijk", "Keizerslanden", "Rijnstraat"} <= places
    files = sorted(p for p in ALMELO.iterdir() if p.is_file())
    assert {p.name for p in files} >= {
        "municipality.yaml",
        "roles.yaml",
        "districts.yaml",
        "themes.yaml",
        "contacts.yaml",
        "rules.yaml",
    }
    for path in files:
        text = path.read_text(encoding="utf-8")
        for place in places:
            pattern = rf"(?<!\w){re.escape(place)}(?!\w)"
            assert not re.search(pattern, text, re.IGNORECASE), f"{path.name} mentions {place}"
