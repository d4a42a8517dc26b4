"""Which stored signals a digest reads, and the hotspot candidates of a new signal."""

from __future__ import annotations

from datetime import timedelta

from opslag import meldingen, overzicht
from opslag.database import SessionFactory
from signalen.model import Place, Reporter, Urgency
from tests.conftest import local
from tests.opslag.test_opslag import ROUTING

START, END = local(2026, 11, 16), local(2026, 11, 23)  # week 47
WINDOW = END - timedelta(days=28)


async def _signal(
    session,
    *,
    reported,
    closed=None,
    district="rivierenwijk",
    street="Rijnstraat",
    lat=None,
    lon=None,
    theme="afval",
    routing=ROUTING,
):
    row = await meldingen.add_signal(
        session,
        theme=theme,
        description="x",
        photos=(),
        place=Place(
            street=street,
            house_number="1",
            neighbourhood="deltabuurt",
            district=district,
            lat=lat,
            lon=lon,
        ),
        urgency=Urgency.NORMAAL,
        reporter=Reporter(telegram_user_id=1001, anonymous=True),
        routing=routing,
        reported_at=reported,
    )
    if closed is not None:
        row.closed_at, row.status = closed, "afgehandeld"
    await session.flush()
    return row.id


async def test_digest_reads_the_period_the_hotspot_window_and_what_is_open(
    sessions: SessionFactory,
) -> None:
    long_ago = local(2026, 6, 1, 10)
    async with sessions.begin() as session:
        wanted = {
            "new in the period": await _signal(session, reported=local(2026, 11, 17, 9)),
            "old, closed in the period": await _signal(
                session, reported=long_ago, closed=local(2026, 11, 18, 9)
            ),
            "old, still open": await _signal(session, reported=long_ago),
            "old, closed after the period": await _signal(
                session, reported=long_ago, closed=local(2026, 11, 25, 9)
            ),
            "in the hotspot window, closed before": await _signal(
                session, reported=WINDOW + timedelta(days=1), closed=WINDOW + timedelta(days=2)
            ),
        }
        unwanted = {
            "old, closed before the period": await _signal(
                session, reported=long_ago, closed=local(2026, 11, 2, 9)
            ),
            "after the period": await _signal(session, reported=local(2026, 11, 24, 9)),
            "another district": await _signal(
                session, reported=local(2026, 11, 17, 9), district="centrum"
            ),
        }
    async with sessions() as session:
        facts = await overzicht.digest_facts(
            session,
            district="rivierenwijk",
            reported=(WINDOW, END),
            closed_since=START,
            sensitive=["zorg"],
            role_of={"wb-rivierenwijk": "wijkbeheerder"},
        )
    ids = [f.id for f in facts]
    assert len(ids) == len(set(ids)), "a signal read twice"
    names = {name for name, id_ in {**wanted, **unwanted}.items() if id_ in ids}
    assert names == set(wanted)
    assert {f.owner_role for f in facts} == {"wijkbeheerder"}


async def test_hotspot_candidates_are_same_theme_same_street_or_near(
    sessions: SessionFactory,
) -> None:
    at = local(2026, 11, 17, 9)
    async with sessions.begin() as session:
        street = await _signal(session, reported=at, street=" rijnstraat ")
        near = await _signal(session, reported=at, street=None, lat=52.2410, lon=6.1680)
        await _signal(session, reported=at, street=None, lat=52.2430, lon=6.1680)  # 220 m
        await _signal(session, reported=at, theme="wonen")
        await _signal(session, reported=at - timedelta(days=40))  # too long ago
        await _signal(session, reported=at, street="Maasstraat")
    async with sessions() as session:
        found = await overzicht.hotspot_candidates(
            session,
            district="rivierenwijk",
            theme="afval",
            street="Rijnstraat",
            lat=52.2411,
            lon=6.1681,
            since=at - timedelta(days=28),
            role_of={},
        )
    assert {f.id for f in found} == {street, near}


# -- digests for working groups: which periods a group gets, and what the message says --------


def _services(deventer, sessions, now):
    from kern.services import Services
    from kern.texts import Texts

    return Services(municipality=deventer, sessions=sessions, texts=Texts(), clock=lambda: now)


async def _link(session, chat_id, district, at):
    from opslag import contacten

    await contacten.link_group(session, chat_id=chat_id, district=district, at=at)


async def _outbox(sessions):
    from sqlmodel import select

    from opslag.tabellen import OutboxMessage

    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_linked_groups_come_with_their_link_time(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        await _link(session, -1, "rivierenwijk", local(2026, 11, 25, 14))
        await _link(session, -2, "voorstad", local(2026, 11, 20, 9))
    async with sessions() as session:
        assert await overzicht.linked_groups(session, district="rivierenwijk") == [
            (-1, local(2026, 11, 25, 14))
        ]
        link = await overzicht.group_link(session, chat_id=-2)
        assert link is not None and link.district == "voorstad"
        assert await overzicht.group_link(session, chat_id=-3) is None


async def test_no_digest_for_a_period_that_ended_before_the_group_was_linked(
    sessions: SessionFactory, deventer
) -> None:
    """Linked on Monday 23 November at 10:00: week 47 and October had ended; nothing then.
    Linked mid-week: that week's digest comes the next Monday. A group linked long ago
    gets every period; a period is claimed only for a group that gets it."""
    from kern.digests import send_due_digests

    services = _services(deventer, sessions, local(2026, 11, 23, 10))
    async with sessions.begin() as session:
        await _link(session, -10, "rivierenwijk", local(2026, 11, 23, 10))
        await _signal(session, reported=local(2026, 11, 24, 9))
    async with sessions.begin() as session:
        assert await send_due_digests(session, services, local(2026, 11, 23, 10, 1)) == 0
    assert await _outbox(sessions) == []
    async with sessions.begin() as session:  # a week later: week 48, in which it was linked
        assert await send_due_digests(session, services, local(2026, 11, 30, 8, 31)) == 1
    sent = await _outbox(sessions)
    assert [m.dedupe_key for m in sent] == [
        "digest:rivierenwijk:2026-W48:-10",
        "digest:rivierenwijk:2026-W48:-10:chart",
    ]
    assert (
        sent[0].payload["text"].startswith("<b>Overzicht Rivierenwijk: week 48, 23–29 november</b>")
    )
    assert sent[1].payload["caption"] == "Rivierenwijk · week 48, 23–29 november"
    # an older group of another district gets October (due all November) and week 48
    async with sessions.begin() as session:
        await _link(session, -20, "voorstad", local(2026, 9, 1, 9))
    async with sessions.begin() as session:
        assert await send_due_digests(session, services, local(2026, 11, 30, 8, 32)) == 2
    keys = {m.dedupe_key for m in await _outbox(sessions) if m.chat_id == -20}
    assert keys == {"digest:voorstad:2026-W48:-20", "digest:voorstad:2026-10:-20"}


async def test_a_quiet_period_is_one_line_without_a_chart(
    sessions: SessionFactory, deventer
) -> None:
    from kern.digests import compose_digest, parse_period, queue_digest

    services = _services(deventer, sessions, local(2026, 12, 7, 9))
    async with sessions.begin() as session:
        for _ in range(3):  # open from before: counted as open, not as new
            await _signal(session, reported=local(2026, 11, 10, 9))
    period = parse_period("2026-W49")
    async with sessions.begin() as session:
        made = await compose_digest(session, services, "rivierenwijk", period)
        await queue_digest(session, services, "rivierenwijk", period, [-10])
    assert made.png is None
    assert made.text == (
        "<b>Overzicht Rivierenwijk: week 49, 30 november – 6 december</b>: geen nieuwe "
        "meldingen en niets afgehandeld. Nu open: 3."
    )
    assert "\n" not in made.text
    assert [m.method for m in await _outbox(sessions)] == ["sendMessage"]  # no chart
    async with sessions() as session:
        english = await compose_digest(session, services, "rivierenwijk", period, "en")
    assert english.text == (
        "<b>Digest Rivierenwijk: week 49, 30 November – 6 December</b>: no new reports and "
        "nothing closed. Open now: 3."
    )


async def test_digest_text_is_plain_dutch_and_agrees_with_the_chart(
    sessions: SessionFactory, deventer
) -> None:
    from dataclasses import replace

    from kern.digests import compose_digest, parse_period

    services = _services(deventer, sessions, local(2026, 12, 1, 9))
    three_days = replace(ROUTING, deadline=local(2026, 11, 26, 17), deadline_days=3)
    async with sessions.begin() as session:
        await _signal(session, reported=local(2026, 11, 23, 9))  # new, still open: late
        await _signal(
            session,
            reported=local(2026, 11, 24, 9),
            closed=local(2026, 11, 25, 9),
            routing=three_days,
        )
        await _signal(  # another theme, closed late
            session,
            reported=local(2026, 11, 23, 9),
            closed=local(2026, 11, 27, 9),
            theme="wonen",
            routing=three_days,
        )
    async with sessions() as session:
        made = await compose_digest(session, services, "rivierenwijk", parse_period("2026-W48"))
    assert made.text == (
        "<b>Overzicht Rivierenwijk: week 48, 23–29 november</b>\n"
        "\n"
        "Nieuw: 3. Afgehandeld: 2. Nu open: 1.\n"
        "Te laat: 1 melding is nog open na de afgesproken datum. Bij wie: de wijkbeheerder 1.\n"
        "Hoe snel: meestal binnen 3 werkdagen afgehandeld.\n"
        "De afspraak is 3 werkdagen.\n"
        "Op tijd: 50%.\n"
        "Vonden de melders het opgelost? Ja: 0. Nee: 0. Geen antwoord: 2.\n"
        "Zorgmeldingen: 0 nieuw, 0 open. Voor de privacy tonen we alleen aantallen.\n"
        "\n"
        "Geen plekken met veel meldingen (3 of meer meldingen over hetzelfde onderwerp op "
        "dezelfde plek in 28 dagen).\n"
        "\n"
        "De grafiek laat per onderwerp zien hoeveel meldingen er binnenkwamen en hoeveel er "
        "zijn afgehandeld in week 48."
    )
    for jargon in ("mediaan", "termijn", "doorlooptijd", "hotspot", "escalatie", "2026-W48"):
        assert jargon not in made.text.lower()
    counts = made.digest.chart_counts()
    assert counts == {"afval": (2, 1), "wonen": (1, 1)}
    assert sum(n for n, _ in counts.values()) == made.digest.new == 3
    assert sum(c for _, c in counts.values()) == made.digest.closed == 2
    assert made.png is not None and made.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert made.title == "Rivierenwijk · week 48, 23–29 november"
