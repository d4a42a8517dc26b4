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
        routing=ROUTING,
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
