"""Nothing lost, nothing doubled: duplicates, restarts, Telegram faults and odd input."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.simulator.people import SimUser
from opslag.tabellen import OutboxMessage, SignalRow
from tests.bot.helpers import report_waste


async def _count(services, table) -> int:
    async with services.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_update_delivered_twice_creates_nothing_twice(bot, sim, resident, services) -> None:
    await resident.says("Vuilniszakken naast de container")
    await resident.expect("Gaat uw melding over Afval?")
    await resident.taps("Ja")
    await resident.expect("Waar is het?")
    await resident.says("Rijnstraat 12")
    await resident.expect("foto")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend")
    await resident.taps("Normaal")
    await resident.expect("contact")
    await resident.taps("Nee, anoniem")
    summary = await resident.expect("Klopt dit?")
    update_id = await resident.taps("Versturen", summary)
    await resident.expect("We hebben uw melding ontvangen")
    # Telegram delivers the same "Versturen" press again (e.g. after a lost offset).
    [original] = [u for u in sim.delivered if u["update_id"] == update_id]
    await sim.push_raw(original)
    await sim.quiet()
    assert await _count(services, SignalRow) == 1
    assert sum("We hebben uw melding ontvangen" in m.body for m in resident.inbox()) == 1


async def test_restart_mid_conversation_resumes_the_draft(
    start_bot, sim, resident, services
) -> None:
    async with start_bot():
        await resident.says("Er wordt gedeald in het portiek")
        await resident.expect("Gaat uw melding over Veiligheid en overlast?")
        await resident.taps("Ja")
        await resident.expect("Waar is het?")
    # A new worker process (same database, same simulator) picks up the conversation.
    async with start_bot():
        await resident.says("Randerstraat 3")
        await resident.expect("✓ Plek: Randerstraat 3, Sluiswijk")
        await resident.expect("foto")
        await resident.taps("Geen foto")
        await resident.expect("Hoe dringend")
        await resident.taps("Dringend")
        await resident.expect("contact")
        await resident.taps("Nee, anoniem")
        summary = await resident.expect("Klopt dit?")
        assert (
            "Onderwerp: Veiligheid en overlast" in summary.body
            and "Hoe dringend: Dringend" in summary.body
        )
        await resident.taps("Versturen")
        receipt = await resident.expect(
            "De wijkagent voor Sluiswijk (Politie Oost-Nederland) pakt dit op"
        )
        assert "maandag 23 november" in receipt.body  # urgent safety: same working day


async def test_outbox_retries_after_429_and_500_and_sends_once(
    bot, sim, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    sim.fail_next("sendMessage", status=429, retry_after=1, chat_id=owner.id)
    sim.fail_next("sendMessage", status=500, chat_id=owner.id)
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}", timeout=15)
    assert [code for method, code, _ in sim.refused] == [429, 500]
    await sim.quiet(0.5)
    assert sum(f"Nieuwe melding {reference}" in m.body for m in owner.inbox()) == 1
    async with services.sessions() as session:
        [row] = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == owner.id,
                    ~OutboxMessage.dedupe_key.like("u%:reply%"),  # the owner's own replies
                )
            )
        ).all()
    assert row.sent_at is not None and row.attempts == 3 and not row.failed
    assert card.buttons()


async def test_429_for_one_chat_does_not_hold_up_others(
    bot, sim, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    other = SimUser(sim, 1002, "Daan")
    sim.fail_next("sendMessage", status=429, retry_after=5, chat_id=owner.id)
    reference = await report_waste(resident)
    second = await report_waste(other, place="Maasstraat 4")
    # Both reporters got their receipts while the owner's chat waited out its retry_after.
    assert reference != second and not [r for r in sim.refused if r[1] != 429]
    card = await owner.expect(f"Nieuwe melding {reference}", timeout=15)
    later = await owner.expect(f"Nieuwe melding {second}", timeout=15)
    assert owner.inbox().index(card) < owner.inbox().index(later)  # per-chat order kept


async def test_odd_input_gets_a_friendly_answer(bot, sim, resident) -> None:
    await resident.sends_sticker()
    await resident.expect("Spraakberichten, stickers en bestanden kan ik nog niet lezen")
    await resident.sends_voice()
    await resident.expect("Spraakberichten, stickers en bestanden kan ik nog niet lezen")
    await resident.says("/onzin")
    await resident.expect("Dat commando ken ik niet")
    await resident.edits_last_message("aangepast")
    await resident.expect("Dat neem ik niet over")
    await resident.says("/annuleren")
    await resident.expect("Er is niets om te stoppen")

    await resident.says("/melden")
    await resident.expect("Waar gaat uw melding over?")
    await resident.says("gewoon tekst in plaats van een knop")
    await resident.expect("Kies een van de knoppen hierboven")
    await resident.taps("Afval")
    await resident.expect("Vertel in een paar zinnen")
    await resident.says("x" * 1001)
    await resident.expect(
        "Dat is wat lang. U mag hooguit 1000 tekens gebruiken, uw bericht heeft er 1001"
    )
    await resident.says("<script>alert(1)</script> & troep")
    await resident.expect("Waar is het?")
    await resident.says("/annuleren")
    await resident.expect("Uw melding is gestopt")
    assert not [r for r in sim.refused if r[1] == 400]  # every reply was valid Telegram HTML


async def test_user_html_is_escaped_in_the_owner_card(bot, sim, resident, link_contact) -> None:
    owner = await link_contact("wb-voorstad", 2005, "Anouk")
    await resident.says("/melden")
    await resident.expect("Waar gaat uw melding over?")
    await resident.taps("Afval")
    await resident.expect("Vertel")
    await resident.says("<b>Grote</b> berg & <a href='x'>troep</a>")
    await resident.expect("Waar is het?")
    await resident.says("Avelostraat 1")
    await resident.expect("foto")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend")
    await resident.taps("Normaal")
    await resident.expect("contact")
    await resident.taps("Nee, anoniem")
    await resident.expect("Klopt dit?")
    await resident.taps("Versturen")
    card = await owner.expect("Nieuwe melding")
    assert "<b>Grote</b> berg & <a href='x'>troep</a>" in card.body
    assert not sim.refused


async def test_reporting_commands_in_a_group_point_to_the_private_chat(
    bot, group, resident
) -> None:
    await group.member_says(resident, "/melden")
    reply = await resident.sim.wait_for(group.id, lambda m: "privégesprek" in m.body)
    assert "@wijksignaal_bot" in reply.body
