"""The demo day's scenes, derived from a municipality's own config.

Nothing here names a place, a theme or a contact: the streets come from the neighbourhoods'
street lists, the themes from the config's own theme suggestion for each Dutch text, and the
owners from routing each planned report exactly as the bot will (`route_report`), so the
demo links precisely the professionals the rules choose. What a config cannot support (no
care theme, no streets) is left out with a note; a config without streets still plays, with
residents who answer "Weet ik niet".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from regels.gemeente import Municipality
from regels.plaats import parse_street_entry, split_address
from regels.routering import ReportInput, route_report
from regels.schema import District, Neighbourhood

UNKNOWN_PLACE = "Weet ik niet"  # the bot's button label; typed, it means "no place"

RUBBISH = "Weer vuilniszakken en een matras naast de ondergrondse container"
MORE_BAGS = "Alweer zakken bij de container"
NUISANCE = "Elke avond overlast van jongeren met scooters in ons portiek"
CARE = "Mijn buurvrouw is sinds de dood van haar man erg eenzaam en eet slecht"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a report is: what the resident types, and where the config puts it."""

    typed: str
    street: str | None = None
    number: str | None = None
    neighbourhood: str | None = None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedReport:
    """One resident's report, with the owner the rules will choose for it."""

    reporter: str
    text: str
    theme: str
    place: Place
    owner: str
    rule: str
    photo: bool = False
    named: bool = False  # "Ja, via Telegram" rather than anonymous
    deep_link: str | None = None  # a neighbourhood id the resident opens with /start
    note: str | None = None  # the owner's closing note, for reports that get closed
    solved: bool | None = None  # the reporter's answer to "Is het probleem opgelost?"


@dataclass(frozen=True, slots=True)
class Scene:
    kind: str  # "rubbish", "hotspot", "nuisance" or "care"
    title: str
    at: tuple[int, int]  # local hour and minute of the demo day
    reports: tuple[PlannedReport, ...]


@dataclass
class DemoPlan:
    district: District  # the district whose working group links its chat
    scenes: list[Scene]
    notes: list[str] = field(default_factory=list)

    @property
    def group_title(self) -> str:
        return f"Wijkwerkgroep {self.district.name}"

    @property
    def reports(self) -> list[PlannedReport]:
        return [r for s in self.scenes for r in s.reports]

    @property
    def owners(self) -> list[str]:
        """Every contact the rules choose, in order of their first report, without repeats."""
        return list(dict.fromkeys(r.owner for r in self.reports))

    @property
    def residents(self) -> list[str]:
        return list(dict.fromkeys(r.reporter for r in self.reports))

    @property
    def closed(self) -> list[PlannedReport]:
        """The reports their owners take on and close during the day."""
        return [r for r in self.reports if r.note is not None]


def plan_day(municipality: Municipality, start: datetime) -> DemoPlan:
    """Choose places, themes and owners for the demo day from the config."""
    m = municipality
    notes: list[str] = []
    spots = dict(_street_spots(m))  # neighbourhood id -> a street entry the bot places there
    if not spots:
        notes.append("this config names no streets: residents answer 'Weet ik niet' for the place")
    first_theme = next(iter(m.themes))
    rubbish_theme = _suggested(m, RUBBISH) or first_theme
    nuisance_theme = _suggested(m, NUISANCE) or first_theme

    def report(
        reporter: str, text: str, theme: str, place: Place, at: tuple[int, int]
    ) -> PlannedReport:
        return _routed(m, start.replace(hour=at[0], minute=at[1]), reporter, text, theme, place)

    scenes: list[Scene] = []
    used: list[str] = []
    here = _other(m, list(spots), used)
    place = _place(m, here, spots[here], 0) if here else Place(UNKNOWN_PLACE)
    fatima = replace(
        report("Fatima", RUBBISH, rubbish_theme, place, (9, 0)),
        photo=True,
        note="Opgeruimd; de buren hebben een brief gekregen over de containers.",
        solved=True,
    )
    where = f"in {m.neighbourhoods[here].name}" if here else "(she does not know the street)"
    title = f"Fatima reports rubbish dumped beside the containers {where}"
    scenes.append(Scene("rubbish", title, (9, 0), (fatima,)))
    if here:
        used.append(here)

    if here is None:
        notes.append("no hotspot scene: it needs three reports on one known street")
    elif m.themes[rubbish_theme].sensitive:
        notes.append(f"no hotspot scene: theme {rubbish_theme!r} holds care data")
    else:
        neighbours = tuple(
            report(who, MORE_BAGS, rubbish_theme, _place(m, here, spots[here], n), (9, 10))
            for n, who in ((1, "Dirk"), (2, "Noor"))
        )
        title = f"Two neighbours report more bags in {place.street}: a hotspot"
        scenes.append(Scene("hotspot", title, (9, 10), neighbours))

    here = _other(m, list(spots), used)
    place = _place(m, here, spots[here], 3) if here else Place(UNKNOWN_PLACE)
    kees = replace(
        report("Kees", NUISANCE, nuisance_theme, place, (9, 20)),
        named=True,
        note="Met de jongeren en hun ouders gesproken; ik loop vanavond langs.",
        solved=False,
    )
    where = f" in {m.neighbourhoods[here].name}" if here else ""
    scenes.append(
        Scene("nuisance", f"Kees reports nuisance in a stairwell{where}", (9, 20), (kees,))
    )
    if here:
        used.append(here)

    care_theme = _care_theme(m)
    # The bot reads a /start payload with "_" as a space, so only such ids can be opened.
    linkable = [n.id for n in _ranked(m) if m.neighbourhood_id(n.id.replace("_", " ")) == n.id]
    link = _other(m, linkable, used)
    if care_theme is None:
        notes.append("no care scene: no theme is marked sensitive (care data)")
    elif link is None:
        notes.append("no care scene: no neighbourhood id can be opened with /start")
    else:
        neighbourhood = m.neighbourhoods[link]
        place = Place(UNKNOWN_PLACE, neighbourhood=link, district=m.district_of[link])
        ans = replace(
            report("Ans", CARE, care_theme, place, (9, 40)),
            deep_link=link,
            note="Er is contact gelegd; wij houden een oogje in het zeil.",
            solved=True,
        )
        title = f"Ans opens the {neighbourhood.name} link and worries about a lonely neighbour"
        scenes.append(Scene("care", title, (9, 40), (ans,)))

    districts = [r.place.district for s in scenes for r in s.reports if r.place.district]
    district = m.districts[districts[0]] if districts else next(iter(m.districts.values()))
    return DemoPlan(district, scenes, notes)


def _routed(
    m: Municipality, at: datetime, reporter: str, text: str, theme: str, place: Place
) -> PlannedReport:
    """The report with the owner the bot's own routing gives it (reporter: a resident)."""
    routed = route_report(
        m,
        ReportInput(
            reported_at=at,
            text=text,
            theme=theme,
            street=place.street,
            house_number=place.number,
            neighbourhood=place.neighbourhood,
        ),
    )
    decision = routed.decision
    return PlannedReport(reporter, text, theme, place, decision.contact_id, decision.rule_id)


def _suggested(m: Municipality, text: str) -> str | None:
    """The theme this config's own suggestion gives the text, when it names a problem."""
    suggestion = m.suggester.suggest(text)
    return suggestion.theme if suggestion.names_a_problem else None


def _care_theme(m: Municipality) -> str | None:
    """The theme for a worry about a neighbour: care data, so a sensitive theme (the one the
    suggestion picks, else the first); none when the config marks no theme sensitive."""
    sensitive = [t.id for t in m.themes.values() if t.sensitive]
    suggested = _suggested(m, CARE)
    return suggested if suggested in sensitive else next(iter(sensitive), None)


def _ranked(m: Municipality) -> list[Neighbourhood]:
    """Neighbourhoods, the ones with most homes first (config order otherwise)."""
    return sorted(m.neighbourhoods.values(), key=lambda n: -(n.homes or 0))


def _street_spots(m: Municipality) -> Iterator[tuple[str, str]]:
    """Per neighbourhood, the first street entry ("Name" or "Name 1-59") whose houses the bot
    places back in that neighbourhood."""
    for neighbourhood in _ranked(m):
        for entry in neighbourhood.streets:
            if all(_place(m, neighbourhood.id, entry, n).neighbourhood for n in range(4)):
                yield neighbourhood.id, entry
                break


def _other(m: Municipality, candidates: list[str], used: list[str]) -> str | None:
    """The first neighbourhood in another district than the used ones, else another
    neighbourhood, else the first."""
    districts = {m.district_of[n] for n in used}
    for candidate in candidates:
        if m.district_of[candidate] not in districts:
            return candidate
    for candidate in candidates:
        if candidate not in used:
            return candidate
    return candidates[0] if candidates else None


_NUMBERS = (12, 14, 20, 3)


def _place(m: Municipality, neighbourhood: str, entry: str, n: int) -> Place:
    """The n-th house on a street entry, as a resident types it; neighbourhood None when the
    bot would not place it back in that neighbourhood."""
    try:
        span = parse_street_entry(entry, neighbourhood)
    except ValueError:
        return Place(entry)
    wanted = _NUMBERS[n % len(_NUMBERS)]
    if span.low is not None and span.high is not None and not span.holds(wanted):
        wanted = min(span.low + wanted % 10, span.high)
    typed = f"{span.name} {wanted}"
    street, number = split_address(typed)
    found = m.resolve_place(street=street, house_number=number)
    if found.neighbourhood != neighbourhood or found.street is None:
        return Place(typed)
    return Place(typed, found.street, number, neighbourhood, found.district)
