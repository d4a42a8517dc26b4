"""Shared steps for the e2e conversations."""

from __future__ import annotations

from bot.simgebruikers import SimUser


async def report_waste(
    resident: SimUser, *, street: str = "Rijnstraat 12", anonymous: bool = True
) -> str:
    """Walk a resident through a complete report; return its reference."""
    await resident.says("Vuilniszakken naast de container")
    await resident.expect("Gaat uw melding over Afval?")
    await resident.taps("Ja")
    await resident.expect("Waar is het?")
    await resident.says(street)
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend is het?")
    await resident.taps("Normaal")
    await resident.expect("Mag de behandelaar contact met u opnemen?")
    await resident.taps("Anoniem melden" if anonymous else "Ja, via Telegram")
    await resident.expect("Klopt dit?")
    await resident.taps("Versturen")
    receipt = await resident.expect("Uw melding is ontvangen")
    return receipt.body.split("Nummer: ")[1].split()[0]
