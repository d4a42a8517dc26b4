"""Shared steps for the e2e conversations."""

from __future__ import annotations

from bot.simulator.people import SimUser


async def finish_report(
    user: SimUser,
    *,
    place: str | tuple[float, float],
    urgency: str = "Normaal",
    contact: str = "Anoniem",
    timeout: float = 10.0,
) -> str:
    """From "Waar is het?" to the receipt (a typed place or a shared location); return the
    reference."""
    await user.expect("Waar is het?", timeout=timeout)
    if isinstance(place, str):
        await user.says(place)
    else:
        await user.shares_location(*place)
    await user.expect("Wilt u er een foto bij sturen?", timeout=timeout)
    await user.taps("Geen foto")
    await user.expect("Hoe dringend is het?", timeout=timeout)
    await user.taps(urgency)
    await user.expect("Mogen we contact met u opnemen", timeout=timeout)
    await user.taps(contact)
    await user.expect("Klopt dit?", timeout=timeout)
    await user.taps("Versturen")
    receipt = await user.expect("We hebben uw melding ontvangen", timeout=timeout)
    return receipt.body.split("Nummer: ")[1].split()[0]


async def report_waste(
    resident: SimUser,
    *,
    place: str | tuple[float, float] = "Rijnstraat 12",
    anonymous: bool = True,
    timeout: float = 10.0,
) -> str:
    """Walk a resident through a complete report about waste; return its reference."""
    await resident.says("Vuilniszakken naast de container")
    await resident.expect("Gaat uw melding over Afval?", timeout=timeout)
    await resident.taps("Ja")
    return await finish_report(
        resident,
        place=place,
        contact="Nee, anoniem" if anonymous else "Ja, via Telegram",
        timeout=timeout,
    )
