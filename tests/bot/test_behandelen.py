"""Owners act from Telegram; the reporter hears every step; nobody else can touch a signal."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from kern.intake import NewReport, submit
from opslag import meldingen
from opslag.tabellen import AuditEventRow, SignalRow
from tests.bot.helpers import finish_report, report_waste


async def _signal(services, reference: str) -> SignalRow:
    async with services.sessions() as session:
        signal = await meldingen.get_signal_by_reference(session, reference=reference)
        assert signal is not None
        return signal


async def test_owner_accepts_and_closes_and_reporter_confirms_solved(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")

    await owner.taps("Oppakken", card)
    await resident.expect(
        f"Goed nieuws: de wijkbeheerder voor Deltabuurt (Gemeente Deventer, Wijkbeheer) is met uw melding {reference} bezig."
    )
    refreshed = owner.inbox()[owner.inbox().index(card)]
    assert "Status: wordt opgepakt" in refreshed.body
    assert [label for label, _ in refreshed.buttons()] == [
        "Afgerond",
        "Doorsturen",
        "Niet voor mij",
    ]

    await owner.taps("Afgerond", refreshed)
    await owner.expect("Wat is er gedaan met")
    await owner.says("Zakken opgehaald & bewoners aangesproken")
    await owner.expect(f"{reference} is afgerond")
    closed = await resident.expect(f"Uw melding {reference} is klaar.")
    assert "Wat er is gedaan: Zakken opgehaald & bewoners aangesproken" in closed.body
    await resident.taps("Ja, opgelost", closed)
    await resident.expect("Fijn om te horen")

    signal = await _signal(services, reference)
    assert (signal.status, signal.solved) == ("afgehandeld", True)
    async with services.sessions() as session:
        steps = [
            (e.actor, e.to_status) for e in await meldingen.history(session, signal_id=signal.id)
        ]
    assert steps[2:4] == [("wb-rivierenwijk", "in_behandeling"), ("wb-rivierenwijk", "afgehandeld")]


async def test_not_solved_reopens_and_tells_the_owner(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Afgerond", card)
    await owner.expect("Wat is er gedaan")
    await owner.taps("Zonder toelichting")
    await owner.expect("is afgerond")
    closed = await resident.expect("Is het probleem opgelost?")
    await resident.taps("Nee, niet opgelost", closed)
    await resident.expect(f"Jammer. We hebben {reference} weer open gezet")
    reopened = await owner.expect(f"Heropende melding {reference}")
    assert "Oppakken" in [label for label, _ in reopened.buttons()]
    signal = await _signal(services, reference)
    assert (signal.status, signal.solved, signal.closed_at) == ("heropend", False, None)


async def test_hand_over_with_reason_goes_to_the_new_owner_and_reporter_hears(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    enforcer = await link_contact("hh-rivierenwijk", 2002, "Hanneke")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    old_accept = dict(card.buttons())["Oppakken"]  # the card loses its buttons once handed over
    await owner.taps("Doorsturen", card)
    choice = await owner.expect("Naar wie stuurt u")
    await owner.taps("(handhaving)", choice)
    await owner.expect("Waarom?")
    await owner.says("Dit is een woning met illegale kamerverhuur")
    await owner.expect(f"{reference} is doorgestuurd naar")
    handed = await enforcer.expect(f"Doorgestuurde melding {reference}")
    assert "Dit is een woning met illegale kamerverhuur" in handed.body
    await resident.expect(f"uw melding {reference} doorgestuurd naar de handhaver voor Deltabuurt")
    signal = await _signal(services, reference)
    assert (signal.status, signal.contact_id) == ("doorgezet", "hh-rivierenwijk")

    # The old owner's buttons no longer work; the new owner's do.
    await owner.taps_data(old_accept, card)
    await enforcer.taps("Oppakken", handed)
    await resident.expect(
        "Goed nieuws: de handhaver voor Deltabuurt (Gemeente Deventer, Toezicht en Handhaving) is met uw melding"
    )
    assert (await _signal(services, reference)).status == "in_behandeling"


async def test_not_mine_goes_back_to_the_district_wijkmanager(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Niet voor mij", card)
    await owner.expect("Waarom?")
    await owner.says("Dit is privéterrein van de corporatie")
    await manager.expect(f"Doorgestuurde melding {reference}")
    assert (await _signal(services, reference)).contact_id == "wm-rivierenwijk"


async def test_forged_callback_is_refused_and_changes_nothing(
    bot, resident, link_contact, sim, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    stranger = await link_contact("wa-voorstad", 2009, "Bram")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    signal = await _signal(services, reference)
    answers_before = len(sim.callback_answers)

    await stranger.taps_data(
        f"s:{signal.id}.{signal.version}:ok", card
    )  # another contact, forged data
    await resident.taps_data(
        f"s:{signal.id}.{signal.version}:done", card
    )  # the reporter is not the owner
    await stranger.taps_data(
        f"s:{signal.id}.{signal.version}:yes", card
    )  # only the reporter may answer
    await stranger.taps_data("s:999999.1:ok", card)  # no such signal
    await sim.quiet()
    answers = list(sim.callback_answers.values())[answers_before:]
    assert len(answers) == 4 and all(a.get("show_alert") for a in answers)
    assert sum("niet de eigenaar" in a["text"] for a in answers) == 3
    after = await _signal(services, reference)
    assert (after.status, after.contact_id) == ("toegewezen", "wb-rivierenwijk")
    async with services.sessions() as session:
        events = (
            await session.scalars(select(AuditEventRow).where(AuditEventRow.signal_id == signal.id))
        ).all()
    assert len(events) == 2


async def test_coordinator_may_act_on_any_signal(bot, resident, link_contact, services) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    coordinator = await link_contact("projectleider", 2010, "Marieke")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    signal = await _signal(services, reference)
    await coordinator.taps_data(f"s:{signal.id}.{signal.version}:ok", card)
    await resident.expect("is met uw melding")
    assert (await _signal(services, reference)).status == "in_behandeling"


async def test_tasks_lists_open_signals_for_the_owner_only(bot, resident, link_contact) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    await owner.expect(f"Nieuwe melding {reference}")
    await owner.says("/taken")
    tasks = await owner.expect("Uw openstaande meldingen (1)")
    assert reference in tasks.body and "Rijnstraat 12" in tasks.body
    await owner.taps(reference, tasks)
    await owner.expect(f"Melding {reference}")
    await resident.says("/taken")
    await resident.expect("/taken en /signaleren zijn voor professionals")


async def test_a_long_task_list_shows_what_fits_one_message_and_counts_the_rest(
    bot, sim, link_contact, services
) -> None:
    owner = await link_contact("wb-colmschate", 2010, "Bas")
    async with services.transaction() as session:
        for n in range(60):
            report = NewReport(
                description=f"Zakken naast de container {n}",
                reported_at=services.clock(),
                theme="afval",
                street="Colmschaterstraat",
                house_number=str(n + 1),
                neighbourhood="colmschate-zuid",
            )
            await submit(session, services, report)
    await owner.says("/taken")
    listing = await owner.expect("Uw openstaande meldingen (60)")
    assert "WS-2026-000001" in listing.body and "… en nog 30 met een latere termijn" in listing.body
    assert not sim.refused  # before: "message is too long", and the owner got nothing


async def test_professional_signals_with_role_professional(bot, link_contact, services) -> None:
    agent = await link_contact("wa-voorstad", 2004, "Bram")
    await agent.says("/signaleren")
    await agent.expect("Waar gaat uw melding over?")
    await agent.taps("Zorg om een buur")
    await agent.expect("Vertel in een paar zinnen")
    await agent.says("Oudere man op de Randerstraat lijkt verward en eet slecht")
    reference = await finish_report(agent, place="Randerstraat 8", contact="Ja, via Telegram")
    receipt = next(m for m in agent.inbox() if "We hebben uw melding ontvangen" in m.body)
    assert "Het sociaal team voor Sluiswijk (Sociaal Team Deventer) pakt dit op" in receipt.body
    signal = await _signal(services, reference)
    assert (signal.reporter_role, signal.reporter_name, signal.contact_id) == (
        "professional",
        "Bram de Boer",
        "st-voorstad",
    )


async def test_invitation_is_single_use(bot, sim, services, link_contact) -> None:
    from datetime import timedelta

    from bot.simulator.people import SimUser
    from opslag import contacten

    async with services.sessions.begin() as session:
        token = await contacten.create_invite(
            session,
            purpose="contact",
            target="wb-voorstad",
            at=services.clock(),
            valid_for=timedelta(days=7),
        )
        expired = await contacten.create_invite(
            session,
            purpose="contact",
            target="wb-voorstad",
            at=services.clock(),
            valid_for=timedelta(seconds=-1),
        )
    first, second = SimUser(sim, 3001, "Anouk"), SimUser(sim, 3002, "Mallory")
    await first.says(f"/start inv_{token}")
    await first.expect("Welkom Anouk de Vries")
    await second.says(f"/start inv_{token}")
    await second.expect("Deze uitnodiging is niet geldig")
    await second.says(f"/start inv_{expired}")
    await second.expect("Deze uitnodiging is niet geldig")


async def test_an_old_card_pressed_by_its_owner_is_brought_up_to_date(
    bot, sim, resident, link_contact
) -> None:
    """The edit after "Oppakken" never reached Telegram, so the card still shows "Oppakken":
    pressing an old button shows the card as it is now, with buttons that work."""
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    sim.fail_next("editMessageText", status=502, chat_id=owner.id)
    await owner.taps("Oppakken", card)
    await resident.expect(f"is met uw melding {reference} bezig")
    assert "Oppakken" in [label for label, _ in card.buttons()]  # the lost edit

    await owner.taps("Afgerond", card)
    for _ in range(100):
        if "Oppakken" not in [label for label, _ in card.buttons()]:
            break
        await asyncio.sleep(0.05)
    assert "Status: wordt opgepakt" in card.body
    assert [label for label, _ in card.buttons()] == ["Afgerond", "Doorsturen", "Niet voor mij"]
    answers = [a.get("text", "") for a in sim.callback_answers.values()]
    assert f"{reference} is intussen veranderd. Hieronder ziet u hoe het nu staat." in (answers)
    await owner.taps("Afgerond", card)
    await owner.expect(f"Wat is er gedaan met {reference}")
