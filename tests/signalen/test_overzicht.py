from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from signalen.overzicht import SignalFacts, compute_digest, find_hotspots, metres_between
from signalen.werkdagen import WorkingCalendar
from tests.conftest import local

START, END = local(2026, 11, 16), local(2026, 11, 23)


def fact(
    n: int,
    *,
    theme="afval",
    street=None,
    lat=None,
    lon=None,
    reported=None,
    closed=None,
    deadline=None,
    status="toegewezen",
    role="wijkbeheerder",
    solved=None,
    sensitive=False,
) -> SignalFacts:
    reported = reported or local(2026, 11, 17, 10)
    return SignalFacts(
        id=n,
        reference=f"WS-2026-{n:06d}",
        theme=theme,
        sensitive=sensitive,
        neighbourhood="sluiswijk",
        street=street,
        lat=lat,
        lon=lon,
        status=status,
        owner_role=role,
        reported_at=reported,
        deadline=deadline or reported + timedelta(days=2),
        deadline_days=2,
        closed_at=closed,
        solved=solved,
    )


def test_digest_counts_new_open_closed_overdue_and_care() -> None:
    facts = [
        fact(1, closed=local(2026, 11, 18, 12), status="afgehandeld", solved=True),
        fact(
            2,
            closed=local(2026, 11, 20, 12),
            status="afgehandeld",
            solved=False,
            deadline=local(2026, 11, 19, 17),
        ),
        fact(3),  # open and overdue at the end of the week
        fact(4, theme="zorg", sensitive=True, role="sociaal_team"),
        fact(
            5, reported=local(2026, 11, 2, 9), role="wijkagent", theme="veiligheid"
        ),  # old, still open
        fact(6, reported=local(2026, 11, 24, 9)),  # after the period
    ]
    d = compute_digest(
        facts,
        district="voorstad",
        period="2026-W47",
        start=START,
        end=END,
        calendar=WorkingCalendar(),
    )
    assert (d.new, d.closed, d.open) == (4, 2, 3)
    assert d.overdue_by_role == {"wijkbeheerder": 1, "sociaal_team": 1, "wijkagent": 1}
    assert (d.care_new, d.care_open) == (1, 1)
    assert d.on_time_share == 0.5 and d.median_days_to_close == 2 and d.median_deadline_days == 2
    assert d.solved == {"ja": 1, "nee": 1}
    assert d.new_by_theme["afval"] == {"afgehandeld": 2, "open": 1}


def test_three_on_one_street_in_28_days_is_a_hotspot() -> None:
    facts = [fact(n, street="Rijnstraat", reported=local(2026, 11, 1 + n, 9)) for n in range(1, 4)]
    facts.append(fact(9, street="Maasstraat"))
    [hotspot] = find_hotspots(facts, now=END)
    assert (hotspot.theme, hotspot.place, hotspot.count, hotspot.latest_id) == (
        "afval",
        "Rijnstraat",
        3,
        3,
    )


def test_three_within_fifty_metres_is_a_hotspot_but_not_further_or_older() -> None:
    base = (52.2410, 6.1700)
    near = [fact(n, lat=base[0] + n * 0.0001, lon=base[1]) for n in range(3)]  # ~11 m apart
    far = fact(7, lat=base[0] + 0.002, lon=base[1])  # ~220 m
    old = fact(8, lat=base[0], lon=base[1], reported=local(2026, 10, 1, 9))
    [hotspot] = find_hotspots([*near, far, old], now=END)
    assert hotspot.count == 3 and set(hotspot.references) == {s.reference for s in near}
    assert 10 < metres_between(near[0], near[1]) < 12


def test_care_signals_never_form_a_hotspot() -> None:
    facts = [fact(n, theme="zorg", sensitive=True, street="Randerstraat") for n in range(4)]
    assert find_hotspots(facts, now=END) == []


def test_period_bounds_are_respected() -> None:
    d = compute_digest(
        [fact(1, reported=datetime(2026, 11, 15, 23, 30, tzinfo=START.tzinfo))],
        district="x",
        period="w",
        start=START,
        end=END,
        calendar=WorkingCalendar(),
    )
    assert d.new == 0 and d.open == 1


def _hotspots_by_comparing_every_pair(facts: list[SignalFacts], now: datetime) -> set:
    """The definition, slowly: latest first, gather the unused same-theme signals within 50 m."""
    located = sorted(facts, key=lambda s: s.reported_at, reverse=True)
    used: set[int] = set()
    found = set()
    for centre in located:
        if centre.id in used:
            continue
        near = [
            s
            for s in located
            if s.id not in used and s.theme == centre.theme and metres_between(centre, s) <= 50
        ]
        if len(near) >= 3:
            found.add((centre.theme, frozenset(s.id for s in near)))
            used.update(s.id for s in near)
    return found


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(52.2400, 52.2420),  # about 220 m north to south
            st.floats(6.1600, 6.1630),  # about 200 m east to west
            st.sampled_from(["afval", "openbare_ruimte"]),
            st.integers(1, 20),  # hours before the end of the period
        ),
        max_size=40,
    )
)
def test_located_hotspots_match_comparing_every_pair(points) -> None:
    facts = [
        fact(n, theme=theme, lat=lat, lon=lon, reported=END - timedelta(hours=hours, minutes=n))
        for n, (lat, lon, theme, hours) in enumerate(points)
    ]
    found = {
        (h.theme, frozenset(int(r[-6:]) for r in h.references))
        for h in find_hotspots(facts, now=END)
    }
    assert found == _hotspots_by_comparing_every_pair(facts, END)


def test_chart_counts_are_the_texts_new_and_closed_per_theme() -> None:
    """The chart draws per theme what the text counts: new in the period, closed in it."""
    facts = [
        fact(1),  # new, open
        fact(2, closed=local(2026, 11, 18, 12), status="afgehandeld"),  # new and closed
        fact(3, theme=None),  # new, without a theme
        fact(  # reported long before, closed in the period: closed, not new
            4,
            theme="veiligheid",
            reported=local(2026, 10, 1, 9),
            closed=local(2026, 11, 19, 9),
            status="afgehandeld",
        ),
        fact(5, theme="wonen", reported=local(2026, 10, 1, 9)),  # old and open: neither
    ]
    d = compute_digest(
        facts, district="x", period="w", start=START, end=END, calendar=WorkingCalendar()
    )
    assert d.closed_by_theme == {"afval": 1, "veiligheid": 1}
    assert d.chart_counts() == {"afval": (2, 1), "onbekend": (1, 0), "veiligheid": (0, 1)}
    assert sum(n for n, _ in d.chart_counts().values()) == d.new == 3
    assert sum(c for _, c in d.chart_counts().values()) == d.closed == 2
    assert not d.quiet


def test_a_period_with_nothing_new_and_nothing_closed_is_quiet() -> None:
    still_open = fact(1, reported=local(2026, 10, 1, 9))
    d = compute_digest(
        [still_open], district="x", period="w", start=START, end=END, calendar=WorkingCalendar()
    )
    assert d.quiet and d.open == 1 and d.chart_counts() == {}
