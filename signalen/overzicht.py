"""The working group's digest and its hotspots, computed from plain facts (pure)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from signalen.werkdagen import WorkingCalendar
from signalen.workflow import CLOSED_STATUSES, Status

HOTSPOT_DAYS, HOTSPOT_METRES, HOTSPOT_MINIMUM = 28, 50.0, 3
EARTH_RADIUS_METRES = 6_371_000
METRES_PER_DEGREE_LAT = 2 * math.pi * EARTH_RADIUS_METRES / 360
UNKNOWN_THEME = "onbekend"  # the theme key of signals reported without a theme


@dataclass(frozen=True, slots=True)
class SignalFacts:
    """What a digest needs of one signal; no reporter data, ever."""

    id: int
    reference: str
    theme: str | None
    sensitive: bool
    neighbourhood: str | None
    street: str | None
    lat: float | None
    lon: float | None
    status: str
    owner_role: str
    reported_at: datetime
    deadline: datetime
    deadline_days: int
    closed_at: datetime | None
    solved: bool | None


@dataclass(frozen=True, slots=True)
class Hotspot:
    theme: str
    place: str
    count: int
    references: tuple[str, ...]
    latest_id: int


@dataclass
class Digest:
    district: str
    period: str
    start: datetime
    end: datetime
    new: int = 0
    open: int = 0
    closed: int = 0
    overdue_by_role: dict[str, int] = field(default_factory=dict)
    median_days_to_close: float | None = None
    median_deadline_days: float | None = None
    on_time_share: float | None = None
    solved: dict[str, int] = field(default_factory=dict)
    # Signals new in the period per theme, split by their state at the end ("open",
    # "afgehandeld"); and signals closed in the period per theme, whenever they were reported.
    # Their sums are `new` and `closed`: the chart draws these, so chart and text agree.
    new_by_theme: dict[str, dict[str, int]] = field(default_factory=dict)
    closed_by_theme: dict[str, int] = field(default_factory=dict)
    care_new: int = 0
    care_open: int = 0
    hotspots: list[Hotspot] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing new and nothing closed in the period: one line, no chart."""
        return self.new == 0 and self.closed == 0

    def chart_counts(self) -> dict[str, tuple[int, int]]:
        """Per theme: (new in the period, closed in the period), themes with either only."""
        themes = sorted(set(self.new_by_theme) | set(self.closed_by_theme))
        return {
            t: (sum(self.new_by_theme.get(t, {}).values()), self.closed_by_theme.get(t, 0))
            for t in themes
        }


def compute_digest(
    facts: list[SignalFacts],
    *,
    district: str,
    period: str,
    start: datetime,
    end: datetime,
    calendar: WorkingCalendar,
) -> Digest:
    """Count what happened in [start, end) and what stands open at `end`."""
    digest = Digest(district, period, start, end)
    days_to_close: list[int] = []
    deadlines: list[int] = []
    on_time = 0
    overdue: Counter[str] = Counter()
    solved: Counter[str] = Counter()
    by_theme: dict[str, Counter[str]] = defaultdict(Counter)
    closed_by_theme: Counter[str] = Counter()
    for s in facts:
        closed_then = s.closed_at is not None and s.closed_at < end
        is_new = start <= s.reported_at < end
        if is_new:
            digest.new += 1
            digest.care_new += s.sensitive
            state = "afgehandeld" if Status(s.status) in CLOSED_STATUSES and closed_then else "open"
            by_theme[s.theme or UNKNOWN_THEME][state] += 1
        if s.reported_at < end and not closed_then:
            digest.open += 1
            digest.care_open += s.sensitive
            if s.deadline < end:
                overdue[s.owner_role] += 1
        if s.closed_at is not None and start <= s.closed_at < end:
            digest.closed += 1
            closed_by_theme[s.theme or UNKNOWN_THEME] += 1
            days_to_close.append(calendar.working_days_between(s.reported_at, s.closed_at))
            deadlines.append(s.deadline_days)
            on_time += s.closed_at <= s.deadline
            solved[{True: "ja", False: "nee", None: "geen antwoord"}[s.solved]] += 1
    if days_to_close:
        digest.median_days_to_close = statistics.median(days_to_close)
        digest.median_deadline_days = statistics.median(deadlines)
        digest.on_time_share = on_time / len(days_to_close)
    digest.overdue_by_role = dict(overdue.most_common())
    digest.solved = dict(solved)
    digest.new_by_theme = {theme: dict(states) for theme, states in sorted(by_theme.items())}
    digest.closed_by_theme = dict(sorted(closed_by_theme.items()))
    digest.hotspots = find_hotspots(facts, now=end)
    return digest


def find_hotspots(facts: list[SignalFacts], *, now: datetime) -> list[Hotspot]:
    """Three or more signals of one theme on one street, or within 50 m, in the last 28 days.

    Care signals never form hotspots: a street name next to a care theme is personal data.
    """
    recent = [
        s
        for s in facts
        if not s.sensitive and s.theme and now - timedelta(days=HOTSPOT_DAYS) <= s.reported_at < now
    ]
    hotspots: list[Hotspot] = []
    used: set[int] = set()
    by_street: dict[tuple[str, str], list[SignalFacts]] = defaultdict(list)
    for s in recent:
        if s.street:
            by_street[(s.theme or "", s.street.strip().lower())].append(s)
    for (theme, _), group in by_street.items():
        if len(group) >= HOTSPOT_MINIMUM:
            hotspots.append(_hotspot(theme, group[0].street or "", group))
            used.update(s.id for s in group)
    located = sorted(
        (s for s in recent if s.lat is not None and s.lon is not None and s.id not in used),
        key=lambda s: s.reported_at,
        reverse=True,
    )
    grid = _Grid(located)
    for centre in located:
        if centre.id in used:
            continue
        near = [
            s
            for s in grid.around(centre)
            if s.id not in used and metres_between(centre, s) <= HOTSPOT_METRES
        ]
        if len(near) >= HOTSPOT_MINIMUM:
            hotspots.append(
                _hotspot(centre.theme or "", f"{centre.lat:.4f}, {centre.lon:.4f}", near)
            )
            used.update(s.id for s in near)
    return sorted(hotspots, key=lambda h: (-h.count, h.theme, h.place))


class _Grid:
    """Located signals in cells at least HOTSPOT_METRES wide, per theme: everything within
    50 m of a signal lies in its own cell or one of the eight around it, so finding the
    neighbours of each signal costs a few comparisons instead of one per located signal."""

    def __init__(self, located: list[SignalFacts]) -> None:
        self.lat_step = 1.01 * HOTSPOT_METRES / METRES_PER_DEGREE_LAT  # a margin for rounding
        widest = max((abs(s.lat or 0.0) for s in located), default=0.0)
        # A degree of longitude is shortest at the latitude furthest from the equator.
        self.lon_step = self.lat_step / max(math.cos(math.radians(min(widest, 89.0))), 1e-6)
        self.cells: dict[tuple[str | None, int, int], list[SignalFacts]] = defaultdict(list)
        for s in located:
            self.cells[(s.theme, *self._cell(s))].append(s)

    def _cell(self, s: SignalFacts) -> tuple[int, int]:
        return math.floor((s.lat or 0.0) / self.lat_step), math.floor(
            (s.lon or 0.0) / self.lon_step
        )

    def around(self, centre: SignalFacts) -> list[SignalFacts]:
        """Same-theme signals in the 3 x 3 cells around `centre`, latest first."""
        row, column = self._cell(centre)
        found = [
            s
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for s in self.cells.get((centre.theme, row + dr, column + dc), ())
        ]
        return sorted(found, key=lambda s: s.reported_at, reverse=True)


def metres_between(a: SignalFacts, b: SignalFacts) -> float:
    """Great-circle distance (haversine), good to a metre at neighbourhood scale."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat or 0, a.lon or 0, b.lat or 0, b.lon or 0))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(h))


def _hotspot(theme: str, place: str, group: list[SignalFacts]) -> Hotspot:
    ordered = sorted(group, key=lambda s: s.reported_at)
    return Hotspot(theme, place, len(group), tuple(s.reference for s in ordered), ordered[-1].id)
