"""Time through the real bot: reminders, escalation, alerts, reassurance, digests, retention."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from kern.digests import parse_period
from kern.ticker import in_quiet_hour, tick
from opslag import contacten, meldingen
from opslag.tabellen import OutboxMessage
from tests.bot.helpers import finish_report, report_waste
from tests.conftest import local


async def _signal(services, reference):
    async with services.sessions() as session:
        return await meldingen.get_signal_by_reference(session, reference=reference)


async def test_owner_is_reminded_before_and_at_the_deadline(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)  # Monday 23 Nov, deadline Wednesday 25 Nov 17:00
    await owner.expect(f"Nieuwe melding {reference}")
    report = await tick(services, local(2026, 11, 24, 17, 1))
    assert report.timers == 1
    await owner.expect(f"Herinnering: {reference} moet morgen klaar zijn (woensdag 25 november)")
    await tick(services, local(2026, 11, 25, 17, 1))
    await owner.expect(f"Herinnering: {reference} moet nu klaar zijn")
    assert (await tick(services, local(2026, 11, 25, 17, 2))).timers == 0  # each once


async def test_accepting_cancels_the_reminders(bot, resident, link_contact, services, sim) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")
    await tick(services, local(2026, 11, 25, 17, 1))
    await sim.quiet(1.2)
    assert not [m for m in owner.inbox() if "Herinnering" in m.body]


async def test_overdue_signal_escalates_to_the_wijkmanager(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")
    await tick(services, local(2026, 11, 27, 16, 59))
    assert (await _signal(services, reference)).escalated_at is None  # 2x is Friday 17:00
    await tick(services, local(2026, 11, 27, 17, 1))
    alert = await manager.expect(f"Te laat: {reference} in Deltabuurt")
    assert "de wijkbeheerder voor Deltabuurt" in alert.body
    name = services.municipality.contacts["wm-rivierenwijk"].name
    await owner.expect(f"{reference} is te laat. {name} is gevraagd")
    signal = await _signal(services, reference)
    assert signal.escalated_at is not None and signal.contact_id == "wb-rivierenwijk"
    # the wijkmanager sees it among their tasks and may act on it
    await manager.says("/taken")
    tasks = await manager.expect("Uw openstaande meldingen (1)")
    await manager.taps(reference, tasks)
    escalated = await manager.expect(f"Melding {reference}")
    await manager.taps("Afgerond", escalated)
    await manager.expect("Wat is er gedaan")


async def test_urgent_safety_report_alerts_the_core_group_at_once(
    bot, sim, link_contact, services
) -> None:
    from bot.simulator.people import SimUser

    agent = await link_contact("wa-voorstad", 2004, "Bram")
    manager = await link_contact("wm-voorstad", 2005, "Wouter")
    social = await link_contact("st-voorstad", 2006, "Esra")
    reporter = SimUser(sim, 1010, "Lotte")
    await reporter.says("Er wordt gedeald en gevochten in het portiek")
    await reporter.expect("Veiligheid en overlast?")
    await reporter.taps("Ja")
    await finish_report(reporter, place="Randerstraat 3", urgency="Dringend")
    for member in (agent, manager, social):
        alert = await member.expect("Ernstig incident")
        assert "gedeald en gevochten" in alert.body


async def test_care_alert_and_group_digest_never_show_care_details(
    bot, sim, link_contact, services, group, caplog
) -> None:
    from bot.simulator.people import SimUser

    caplog.set_level(logging.INFO)
    for ours in ("bot", "opslag", "regels", "signalen"):
        caplog.set_level(logging.DEBUG, logger=ours)
    social = await link_contact("st-keizerslanden", 2007, "Annelies")
    manager = await link_contact("wm-keizerslanden", 2008, "Kees")
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session,
            purpose="group",
            target="keizerslanden",
            at=services.clock(),
            valid_for=timedelta(days=1),
        )
    await group.member_says(manager, f"/koppel {code}")
    await sim.wait_for(group.id, lambda m: "overzicht van wijk Keizerslanden" in m.body)
    marker = "GEHEIM-ZORG-7731"
    neighbour = SimUser(sim, 1011, "Joke")
    await neighbour.says(f"Mijn buurman is verward en eenzaam {marker}")
    await neighbour.expect("Zorg om een buur?")
    await neighbour.taps("Ja")
    await finish_report(
        neighbour, place="Ludgerstraat 4", urgency="Dringend", contact="Ja, via Telegram"
    )
    card = await social.expect("Nieuwe melding")
    assert marker in card.body  # the owner sees everything
    alert = await manager.expect("Ernstig incident")
    assert marker not in alert.body and "Ludgerstraat" not in alert.body
    assert "Persoonlijke gegevens blijven bij de eigenaar" in alert.body

    # week 48; not October, which had ended before the group was linked on 23 November
    assert (await tick(services, local(2026, 11, 30, 8, 31))).digests == 1
    digest = await sim.wait_for(
        group.id, lambda m: "Overzicht Keizerslanden: week 48, 23–29 november" in m.body
    )
    assert (
        "Zorgmeldingen: 1 nieuw, 1 open. Voor de privacy tonen we alleen aantallen." in digest.body
    )
    chart = await sim.wait_for(group.id, lambda m: m.photo is not None, timeout=15)
    assert sim.files[chart.photo][:8] == b"\x89PNG\r\n\x1a\n"
    assert (await tick(services, local(2026, 12, 1, 8, 31))).digests == 1  # November
    await sim.wait_for(
        group.id, lambda m: "Overzicht Keizerslanden: november 2026" in m.body, timeout=20
    )
    everything_to_groups = " ".join(m.body for m in group.inbox())
    assert marker not in everything_to_groups and "Ludgerstraat" not in everything_to_groups
    assert "Joke" not in everything_to_groups
    assert marker not in caplog.text and "Joke" not in caplog.text
    assert (await tick(services, local(2026, 12, 1, 9, 0))).digests == 0  # once per period


async def test_reporter_hears_progress_after_five_quiet_working_days(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")
    await tick(services, local(2026, 11, 30, 17, 1))
    assert (await tick(services, local(2026, 11, 30, 17, 1))).timers == 0
    await tick(services, local(2026, 12, 1, 10, 0))
    await resident.expect(f"Uw melding {reference} is nog niet klaar")


async def test_retention_anonymises_reporters_and_clears_care_details(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident, anonymous=False)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Afgerond", card)
    await owner.expect("Wat is er gedaan")
    await owner.taps("Zonder toelichting")
    await owner.expect("is afgerond")
    signal = await _signal(services, reference)
    assert signal.reporter_name == "Fatima" and signal.reporter_telegram_id == resident.id
    report = await tick(services, signal.closed_at + timedelta(days=366))
    assert report.anonymised == 1
    signal = await _signal(services, reference)
    assert (signal.reporter_name, signal.reporter_telegram_id, signal.reporter_anonymous) == (
        None,
        None,
        True,
    )
    async with services.sessions() as session:
        notes = [e.note for e in await meldingen.history(session, signal_id=signal.id)]
    assert "melder geanonimiseerd (bewaartermijn)" in notes


def test_no_ticks_in_the_dst_hour() -> None:
    assert in_quiet_hour(local(2026, 10, 25, 2, 15))
    assert not in_quiet_hour(local(2026, 10, 25, 3, 0))


def test_periods_are_local_weeks_and_months() -> None:
    week = parse_period("2026-W48")
    assert (week.start, week.end) == (local(2026, 11, 23), local(2026, 11, 30))
    month = parse_period("2026-12")
    assert (month.start, month.end) == (local(2026, 12, 1), local(2027, 1, 1))


async def test_outbox_rows_of_a_tick_are_written_once(
    bot, resident, link_contact, services
) -> None:
    await link_contact("wb-rivierenwijk", 2001, "Olaf")
    await report_waste(resident)

    async def timer_messages() -> int:
        async with services.sessions() as session:
            return (
                await session.execute(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.dedupe_key.like("t%"))
                )
            ).scalar_one()

    await tick(services, local(2026, 11, 24, 17, 1))
    first = await timer_messages()
    await tick(services, local(2026, 11, 24, 17, 1))
    assert first == 1 and await timer_messages() == first  # the reminder, once


async def test_third_report_on_one_street_tells_the_owner_of_a_hotspot(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    first = await report_waste(resident, place="Rijnstraat 12")
    await report_waste(resident, place="Rijnstraat 40")
    await report_waste(resident, place="Maasstraat 3")  # another street: no hotspot yet
    third = await report_waste(resident, place="Rijnstraat 2")
    notice = await owner.expect(f"{third} hoort bij een plek met veel meldingen")
    assert "3 meldingen over Afval bij Rijnstraat" in notice.body
    hotspot_notices = [m.body for m in owner.inbox() if "plek met veel meldingen" in m.body]
    assert len(hotspot_notices) == 1 and first not in hotspot_notices[0]


async def test_three_shared_locations_within_fifty_metres_make_a_hotspot(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    await report_waste(resident, place=(52.24100, 6.16800))
    await report_waste(resident, place=(52.24120, 6.16810))  # about 23 m away
    await report_waste(resident, place=(52.24300, 6.16800))  # about 220 m away
    third = await report_waste(resident, place=(52.24110, 6.16790))
    # Four cards and four pins go first, at one message a second to this chat.
    await owner.expect(
        f"{third} hoort bij een plek met veel meldingen: 3 meldingen over Afval", timeout=30
    )
    assert (
        len([m for m in owner.inbox() if "plek met veel meldingen" in m.body]) == 1
    )  # the 3rd, not the far 3rd
