"""Where a report is: street names and house numbers, or a shared location, to a neighbourhood."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches

from shapely import STRtree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from regels.tekst import fold

_STREET_ENTRY = re.compile(r"^(?P<name>.+?)(?:\s+(?P<low>\d+)\s*-\s*(?P<high>\d+))?$")
# ASCII and at most six digits: int() of a long run of digits is slow, past 4300 an error.
MAX_PLACE = 120  # a street and number; bounded before any pattern is applied
# ASCII digits only: "Rijnstraat ٣" or "Rijnstraat ²" has no house number we can place.
_NUMBER = re.compile(r"(\d{1,5})\s?([a-zA-Z]?)(?:\s?-\s?\d{1,5})?$", re.ASCII)
_HOUSE_NUMBER = re.compile(r"^\s*([0-9]{1,6})(?![0-9])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def split_address(text: str) -> tuple[str, str | None]:
    """ "Rijnstraat 12a" -> ("Rijnstraat", "12a"); bounded input, no backtracking patterns."""
    text = " ".join(text.split())[:MAX_PLACE]
    match = _NUMBER.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[: match.start()].strip(), match.group(1) + match.group(2)


def street_key(name: str) -> str:
    """Normalise a street name for lookup: case, accents, dots and spacing do not matter."""
    return _NOT_ALNUM.sub("", fold(name))


def house_number_value(house_number: str | None) -> int | None:
    """Return the number part of "12a" or "12-3", or None."""
    if not house_number:
        return None
    match = _HOUSE_NUMBER.match(house_number)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class StreetSpan:
    """A street, or a run of house numbers on it, inside one neighbourhood."""

    name: str
    neighbourhood: str
    low: int | None = None
    high: int | None = None

    def holds(self, number: int | None) -> bool:
        if self.low is None or self.high is None:
            return True
        return number is not None and self.low <= number <= self.high


def parse_street_entry(entry: str, neighbourhood: str) -> StreetSpan:
    """Read "Randerstraat" or "Zandweerseweg 1-59" from a neighbourhood's street list."""
    match = _STREET_ENTRY.match(entry.strip())
    if not match:
        raise ValueError(f"cannot read street entry {entry!r}; write 'Name' or 'Name 1-59'")
    low, high = match.group("low"), match.group("high")
    if low is not None and high is not None and int(low) > int(high):
        raise ValueError(f"house numbers {low}-{high} run backwards")
    return StreetSpan(
        name=match.group("name").strip(),
        neighbourhood=neighbourhood,
        low=int(low) if low else None,
        high=int(high) if high else None,
    )


class StreetConflict(ValueError):
    """Two neighbourhoods claim the same street (or the same house numbers on it)."""


class Gazetteer:
    """Finds the neighbourhood of a street address or a point, and suggests near street names."""

    def __init__(self, spans: list[StreetSpan], areas: dict[str, BaseGeometry] | None = None):
        self._spans: dict[str, list[StreetSpan]] = {}
        for span in spans:
            existing = self._spans.setdefault(street_key(span.name), [])
            for other in existing:
                if other.neighbourhood != span.neighbourhood and _overlap(other, span):
                    raise StreetConflict(
                        f"street {span.name!r} is in both {other.neighbourhood!r} and "
                        f"{span.neighbourhood!r}; split it by house numbers ('Name 1-59')"
                    )
            existing.append(span)
        self._areas = list((areas or {}).items())
        self._tree = STRtree([geom for _, geom in self._areas]) if self._areas else None

    def street_names(self) -> list[str]:
        return sorted({spans[0].name for spans in self._spans.values()})

    def canonical_street(self, street: str) -> str | None:
        spans = self._spans.get(street_key(street))
        return spans[0].name if spans else None

    def find_street(self, street: str, house_number: str | None = None) -> str | None:
        """Return the neighbourhood of a street (and house number when the street is split)."""
        spans = self._spans.get(street_key(street))
        if not spans:
            return None
        number = house_number_value(house_number)
        holding = {s.neighbourhood for s in spans if s.holds(number)}
        if len(holding) == 1:
            return holding.pop()
        everywhere = {s.neighbourhood for s in spans}
        return everywhere.pop() if len(everywhere) == 1 else None

    def suggest_streets(self, street: str, limit: int = 3) -> list[str]:
        """Return up to `limit` known street names that look like what was typed."""
        key = street_key(street)
        keys = get_close_matches(key, list(self._spans), n=limit, cutoff=0.6)
        if len(keys) < limit and len(key) >= 3:
            keys += [k for k in self._spans if key in k and k not in keys][: limit - len(keys)]
        return [self._spans[k][0].name for k in keys]

    def locate(self, lat: float, lon: float) -> str | None:
        """Return the neighbourhood whose area holds the point, or None outside every area."""
        if self._tree is None:
            return None
        point = Point(lon, lat)  # GeoJSON order
        for index in self._tree.query(point, predicate="intersects"):
            return self._areas[int(index)][0]
        return None


def _overlap(a: StreetSpan, b: StreetSpan) -> bool:
    if a.low is None or b.low is None or a.high is None or b.high is None:
        return True
    return a.low <= b.high and b.low <= a.high
