"""A loaded, proven municipality config: places, themes, contacts and the compiled router."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from regels.engine import RoutingEngine
from regels.fouten import ConfigError
from regels.plaats import Gazetteer
from regels.schema import Contact, District, MunicipalityFile, Neighbourhood, RoleDef, Theme
from regels.suggestie import ThemeSuggester
from regels.tekst import fold
from signalen.werkdagen import AroundTheClock, WorkingCalendar


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """The neighbourhood a report belongs to, how we know, and street suggestions if unsure."""

    neighbourhood: str | None
    district: str | None
    how: str  # "location", "street", "neighbourhood" or "unknown"
    street: str | None = None
    suggestions: tuple[str, ...] = ()


@dataclass
class Municipality:
    directory: Path
    settings: MunicipalityFile
    districts: dict[str, District]
    themes: dict[str, Theme]
    contacts: dict[str, Contact]
    roles: dict[str, RoleDef]
    coverage: dict[tuple[str, str], list[str]]
    engine: RoutingEngine
    gazetteer: Gazetteer | None
    warnings: list[ConfigError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.neighbourhoods: dict[str, Neighbourhood] = {
            n.id: n for d in self.districts.values() for n in d.neighbourhoods
        }
        self.district_of = {n.id: d.id for d in self.districts.values() for n in d.neighbourhoods}
        hours, closing = self.settings.working_hours, self.settings.closing_days
        self.calendar = WorkingCalendar.for_hours(hours, closing)
        self._around_the_clock = AroundTheClock.for_hours(hours, closing)
        self._own_hours: dict[str, WorkingCalendar] = {}
        self.suggester = ThemeSuggester((t.id, t.keywords) for t in self.themes.values())
        self._names = {fold(n.name): n.id for n in self.neighbourhoods.values()}

    @property
    def name(self) -> str:
        return self.settings.name

    def calendar_for(self, contact_id: str | None) -> WorkingCalendar:
        """The owner's calendar: a 24/7 desk counts every hour; a contact with own hours
        (a part-timer, 09:00-13:00) counts those on working days; everyone else the
        municipality's working time."""
        contact = self.contacts.get(contact_id or "")
        if contact is None or contact.hours == "office":
            return self.calendar
        if contact.around_the_clock:
            return self._around_the_clock
        if contact.hours not in self._own_hours:
            own = WorkingCalendar.for_hours(contact.hours, self.settings.closing_days)
            self._own_hours[contact.hours] = own
        return self._own_hours[contact.hours]

    def deadline(
        self, contact_id: str, at: datetime, days: int, hours: int | None = None
    ) -> datetime:
        """When something given to `contact_id` at `at` is due: in hours when the rule says
        so, else in working days, both on the owner's calendar."""
        calendar = self.calendar_for(contact_id)
        return calendar.deadline_in_hours(at, hours) if hours else calendar.deadline(at, days)

    def can_own(self, contact_id: str) -> bool:
        """A contact with a role that owns signals (not an alert-only person)."""
        contact = self.contacts.get(contact_id)
        return bool(contact and contact.role in self.roles and self.roles[contact.role].owns)

    def group(self, district: str | None, name: str) -> list[str] | None:
        """The members of a district's named group (a regiegroep), or None when it has none."""
        found = self.districts[district].groups.get(name) if district in self.districts else None
        return list(found) if found is not None else None

    def street_representatives(self, district: str | None, street: str | None) -> list[str]:
        """Contacts who represent `street` in `district`: added to alerts about incidents there."""
        if not street or district not in self.districts:
            return []
        wanted = fold(street)
        covers = self.district_of
        return [
            c.id
            for c in self.contacts.values()
            if any(fold(s) == wanted for s in c.streets)
            and (
                district in (c.districts or [])
                or any(covers.get(n) == district for n in c.neighbourhoods or [])
                or not (c.districts or c.neighbourhoods)
            )
        ]

    def posts_publicly(self, district: str | None, theme: str | None) -> bool:
        """Whether a closed signal of `theme` in `district` gets a line in its public channel."""
        found = self.districts.get(district or "")
        channel = found.public_channel if found else None
        themes = self.themes
        return bool(channel and theme in channel.themes and not themes[theme].sensitive)

    def public_note_wanted(self, district: str | None) -> bool:
        found = self.districts.get(district or "")
        return bool(found and found.public_channel and found.public_channel.with_note)

    def role_label(self, role: str | None, taal: str) -> str:
        """A role as residents read it in a sentence ("de wijkagent"), in their language."""
        return self.roles[role].label.get(taal) if role in self.roles else (role or "")

    @cached_property
    def example_address(self) -> str:
        """An address for "for example" in prompts, from this municipality's own streets: a
        resident of Almelo should not be told "Rijnstraat 12"."""
        streets = self.gazetteer.street_names() if self.gazetteer else []
        return f"{streets[len(streets) // 2]} 12" if streets else "Kerkstraat 12"

    @property
    def alert_themes(self) -> list[str]:
        """Themes whose urgent reports alert the core group (default: veiligheid and zorg)."""
        if self.settings.alert_themes is not None:
            return self.settings.alert_themes
        return [t for t in ("veiligheid", "zorg") if t in self.themes]

    def neighbourhood_id(self, text: str) -> str | None:
        """Accept a neighbourhood id or its name as a person writes it."""
        if text in self.neighbourhoods:
            return text
        return self._names.get(fold(text.strip()))

    def resolve_place(
        self,
        *,
        street: str | None = None,
        house_number: str | None = None,
        neighbourhood: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> ResolvedPlace:
        """Find the neighbourhood: a shared location first, then the street, then a named one."""
        gazetteer = self.gazetteer
        if lat is not None and lon is not None and gazetteer:
            found = gazetteer.locate(lat, lon)
            if found:
                return self._place(found, "location")
        if street and gazetteer:
            found = gazetteer.find_street(street, house_number)
            if found:
                return self._place(found, "street", gazetteer.canonical_street(street))
        if neighbourhood:
            found = self.neighbourhood_id(neighbourhood)
            if found:
                return self._place(found, "neighbourhood")
        suggestions = tuple(gazetteer.suggest_streets(street)) if street and gazetteer else ()
        return ResolvedPlace(None, None, "unknown", street, suggestions)

    def _place(self, neighbourhood: str, how: str, street: str | None = None) -> ResolvedPlace:
        return ResolvedPlace(neighbourhood, self.district_of[neighbourhood], how, street)
