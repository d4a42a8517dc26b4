"""The working group: /koppel, the Monday digests, /overzicht, and the chart they carry."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from bot.simulator.people import SimGroup, SimUser
from kern.chart import CLOSED_COLOUR, NEW_COLOUR, ChartWords, chart_png, digest_figure
from kern.digests import parse_period, period_words, receives_digest
from kern.ticker import tick
from opslag import contacten, overzicht
from signalen.overzicht import Digest
from tests.bot.helpers import report_waste
from tests.conftest import local

DUTCH = ChartWords("Nieuw in deze periode", "Afgehandeld in deze periode", "Aantal meldingen")


async def _code(services, district: str) -> str:
    async with services.sessions.begin() as session:
        return await contacten.create_invite(
            session,
            purpose="group",
            target=district,
            at=services.clock(),
            valid_for=timedelta(days=1),
        )


async def _link(sim, services, group: SimGroup, member: SimUser, district: str, name: str):
    await group.member_says(member, f"/koppel {await _code(services, district)}")
    await sim.wait_for(group.id, lambda m: f"overzicht van wijk {name}" in m.body)


def _pixels_of(png: bytes, colour: str) -> int:
    """How many pixels of the picture have exactly this colour (bars are flat colour)."""
    image = imread(io.BytesIO(png))[..., :3]
    return int(np.all(np.abs(image - np.array(to_rgb(colour))) < 2 / 255, axis=-1).sum())


# -- names of periods ------------------------------------------------------------------------


def test_periods_have_names_in_words() -> None:
    week = parse_period("2026-W48")
    assert period_words(week, "nl") == "week 48, 23–29 november"
    assert period_words(week, "en") == "week 48, 23–29 November"
    assert period_words(parse_period("2026-W49"), "nl") == "week 49, 30 november – 6 december"
    assert (
        period_words(parse_period("2026-W53"), "nl") == "week 53, 28 december 2026 – 3 januari 2027"
    )
    assert period_words(parse_period("2026-11"), "nl") == "november 2026"
    assert period_words(parse_period("2026-11"), "en") == "November 2026"
    assert period_words(week, "tr") == "week 48, 23–29 november"  # the digest is Dutch there


def test_a_group_gets_the_period_it_was_linked_in_but_none_that_had_ended() -> None:
    week = parse_period("2026-W48")  # Monday 23 November 00:00 up to Monday 30 November
    assert receives_digest(week, local(2026, 11, 25, 14))  # linked on the Wednesday
    assert receives_digest(week, local(2026, 11, 1, 9))
    assert not receives_digest(week, local(2026, 11, 30, 0, 0))  # the week had just ended
    assert not receives_digest(week, local(2026, 11, 30, 8, 0))


# -- the chart, as a picture -----------------------------------------------------------------


def _digest(new: dict[str, dict[str, int]], closed: dict[str, int]) -> Digest:
    digest = Digest("rivierenwijk", "2026-W48", local(2026, 11, 23), local(2026, 11, 30))
    digest.new_by_theme, digest.closed_by_theme = new, closed
    digest.new = sum(sum(states.values()) for states in new.values())
    digest.closed = sum(closed.values())
    return digest


def test_chart_picture_has_theme_bars_whole_counts_from_zero_and_the_period_in_words() -> None:
    digest = _digest(
        {"afval": {"open": 2, "afgehandeld": 3}, "veiligheid": {"open": 1}},
        {"afval": 3, "wonen": 2},
    )
    labels = {"afval": "Afval", "veiligheid": "Veiligheid en overlast", "wonen": "Wonen"}
    title = "Rivierenwijk · " + period_words(parse_period("2026-W48"), "nl")
    figure = digest_figure(digest, labels, title, DUTCH)
    assert figure is not None
    [axis] = figure.axes
    ticks = list(axis.get_xticks())
    assert ticks == [0, 1, 2, 3, 4, 5]
    assert all(t >= 0 and float(t).is_integer() for t in ticks)
    assert axis.get_xlim()[0] == 0 and axis.get_xlim()[1] >= max(ticks)
    assert [t.get_text() for t in axis.get_yticklabels()] == [  # most reports first
        "Afval",
        "Wonen",
        "Veiligheid en overlast",
    ]
    assert "week 48, 23–29 november" in figure.get_suptitle()
    assert axis.get_xlabel() == "Aantal meldingen"
    assert [t.get_text() for t in axis.get_legend().get_texts()] == [
        "Nieuw in deze periode",
        "Afgehandeld in deze periode",
    ]
    new_bars, closed_bars = axis.containers
    assert [b.get_width() for b in new_bars] == [5, 0, 1]  # the text's "Nieuw: 6"
    assert [b.get_width() for b in closed_bars] == [3, 2, 0]  # the text's "Afgehandeld: 5"
    png = chart_png(digest, labels, title, DUTCH)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert _pixels_of(png, NEW_COLOUR) > 500
    assert _pixels_of(png, CLOSED_COLOUR) > 500


def test_a_single_report_draws_ticks_zero_and_one_never_fractions_or_negatives() -> None:
    digest = _digest({"afval": {"open": 1}}, {})
    figure = digest_figure(digest, {"afval": "Waste"}, "Rivierenwijk · week 48", DUTCH)
    assert figure is not None
    [axis] = figure.axes
    assert list(axis.get_xticks()) == [0, 1] and axis.get_xlim()[0] == 0
    assert [t.get_text() for t in axis.get_yticklabels()] == ["Waste"]  # no "–" placeholder
    png = chart_png(digest, {"afval": "Waste"}, "x", DUTCH)
    assert png is not None and _pixels_of(png, NEW_COLOUR) > 500
    assert 0 < _pixels_of(png, CLOSED_COLOUR) < 300  # only its key in the legend, no bar


def test_a_quiet_period_has_no_chart() -> None:
    quiet = _digest({}, {})
    quiet.open = 3
    assert digest_figure(quiet, {}, "x", DUTCH) is None
    assert chart_png(quiet, {}, "x", DUTCH) is None


# -- through the bot -------------------------------------------------------------------------


async def test_linking_sends_no_old_digests_and_the_week_comes_next_monday(
    bot, sim, resident, link_contact, services, group
) -> None:
    """Linked on Monday 23 November at 10:00 (week 47 and October had ended): nothing at
    once. The next Monday the digest of week 48, in words, with its chart; the week after,
    nothing happened: one line and no chart."""
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    await _link(sim, services, group, manager, "rivierenwijk", "Rivierenwijk")
    assert (await tick(services, services.clock())).digests == 0
    await sim.quiet(1.2)
    assert len(group.inbox()) == 1, [m.body for m in group.inbox()]

    await report_waste(resident)  # Rijnstraat, Rivierenwijk, Monday of week 48
    assert (await tick(services, local(2026, 11, 30, 8, 31))).digests == 1
    digest = await sim.wait_for(group.id, lambda m: "week 48" in m.body, timeout=20)
    assert digest.body.startswith("Overzicht Rivierenwijk: week 48, 23–29 november\n")
    assert "Nieuw: 1. Afgehandeld: 0. Nu open: 1." in digest.body
    assert "2026-W48" not in digest.body
    chart = await sim.wait_for(group.id, lambda m: m.photo is not None, timeout=20)
    assert chart.caption == "Rivierenwijk · week 48, 23–29 november"
    png = sim.files[chart.photo]
    assert _pixels_of(png, NEW_COLOUR) > 500  # the new report's bar

    assert (await tick(services, local(2026, 12, 1, 8, 31))).digests == 1  # November
    await sim.wait_for(
        group.id, lambda m: m.body.startswith("Overzicht Rivierenwijk: november 2026"), timeout=20
    )
    assert (await tick(services, local(2026, 12, 7, 8, 31))).digests == 1  # week 49
    quiet = await sim.wait_for(group.id, lambda m: "week 49" in m.body, timeout=30)
    assert quiet.body == (
        "Overzicht Rivierenwijk: week 49, 30 november – 6 december: geen nieuwe meldingen "
        "en niets afgehandeld. Nu open: 1."
    )
    await sim.quiet(4)  # a group gets a message every 3 s: a chart would have come by now
    after = group.inbox()[group.inbox().index(quiet) + 1 :]
    assert after == []
    assert len([m for m in group.inbox() if m.photo]) == 2  # week 48 and November


async def test_linking_again_keeps_the_first_link_time(
    bot, sim, link_contact, services, group
) -> None:
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    await _link(sim, services, group, manager, "rivierenwijk", "Rivierenwijk")
    async with services.sessions() as session:
        first = (await overzicht.group_link(session, chat_id=group.id)).linked_at
    await group.member_says(manager, f"/koppel {await _code(services, 'rivierenwijk')}")
    await sim.wait_for(group.id, lambda m: "overzicht van wijk" in m.body, after=1)
    async with services.sessions() as session:
        assert (await overzicht.group_link(session, chat_id=group.id)).linked_at == first
    await group.member_says(manager, f"/koppel {await _code(services, 'voorstad')}")
    await sim.wait_for(group.id, lambda m: "wijk Voorstad" in m.body, after=2)
    async with services.sessions() as session:
        moved = await overzicht.group_link(session, chat_id=group.id)
    assert moved.district == "voorstad" and moved.linked_at > first


async def test_overzicht_in_the_linked_group_shows_this_week_so_far(
    bot, sim, resident, link_contact, services, group
) -> None:
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    other = SimGroup(sim, -100200999, "Wijkwerkgroep Rivierenwijk (oud)")
    await _link(sim, services, group, manager, "rivierenwijk", "Rivierenwijk")
    await _link(sim, services, other, manager, "rivierenwijk", "Rivierenwijk")
    await report_waste(resident)
    await group.member_says(manager, "/overzicht")
    now = await sim.wait_for(group.id, lambda m: "week 48" in m.body, timeout=15)
    assert now.body.startswith("Overzicht Rivierenwijk: week 48, 23–29 november\n")
    assert "Dit is de stand van maandag 23 november, 10:" in now.body
    assert "Nieuw: 1. Afgehandeld: 0. Nu open: 1." in now.body
    chart = await sim.wait_for(group.id, lambda m: m.photo is not None, timeout=15)
    assert _pixels_of(sim.files[chart.photo], NEW_COLOUR) > 500
    await sim.quiet(1.0)
    assert len(other.inbox()) == 1  # only its own link confirmation
    assert not [m for m in manager.inbox() if "week 48" in m.body]  # not in private either

    english = SimUser(sim, 2100, "Jan", language_code="en")
    await other.member_says(english, "/overzicht")
    digest = await sim.wait_for(other.id, lambda m: "week 48" in m.body, timeout=15)
    assert digest.body.startswith("Digest Rivierenwijk: week 48, 23–29 November\n")
    assert "New: 1. Closed: 0. Open now: 1." in digest.body


async def test_overzicht_of_a_quiet_week_is_one_line_without_a_chart(
    bot, sim, link_contact, services, group
) -> None:
    manager = await link_contact("wm-voorstad", 2005, "Wouter")
    await _link(sim, services, group, manager, "voorstad", "Voorstad")
    await group.member_says(manager, "/overzicht")
    line = await sim.wait_for(group.id, lambda m: "week 48" in m.body, timeout=15)
    assert line.body.startswith(
        "Overzicht Voorstad: week 48, 23–29 november, stand van maandag 23 november, 10:"
    )
    assert line.body.endswith(": nog geen nieuwe meldingen en nog niets afgehandeld. Nu open: 0.")
    await sim.quiet(4)
    assert not [m for m in group.inbox() if m.photo]


async def test_overzicht_elsewhere_says_how_to_link(bot, sim, resident, group) -> None:
    member = SimUser(sim, 2200, "Els")
    await group.member_says(member, "/overzicht")
    await sim.wait_for(
        group.id, lambda m: "Deze groep is nog niet gekoppeld aan een wijk" in m.body
    )
    assert "/koppel CODE" in group.inbox()[-1].body
    await resident.says("/overzicht")
    answer = await resident.expect("Met /overzicht ziet de wijkwerkgroep")
    assert "/koppel" in answer.body
    english = SimUser(sim, 2201, "Ann", language_code="en")
    await english.says("/overzicht")
    await english.expect("/overzicht shows the digest of a district")
    await group.member_says(english, "/overzicht")
    await sim.wait_for(group.id, lambda m: "This group is not linked to a district yet" in m.body)
